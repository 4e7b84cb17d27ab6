package imapserver

import (
	"context"
	"os/exec"
	"strings"
	"testing"
)

// pythonSearchClient drives SEARCHRES, PARTIAL, ESORT and SORT=DISPLAY
// through CPython's imaplib, a client nobody here wrote: each result is
// printed as "name: typ data" (imaplib keeps ESEARCH as an untagged
// response of that name).
const pythonSearchClient = `
import imaplib, sys
host, port = sys.argv[1].rsplit(":", 1)
m = imaplib.IMAP4(host, int(port), timeout=20)
m.login("alice", "secret")
m.select("INBOX")
print("store:", m.store("2,4,5", "+FLAGS.SILENT", r"(\Flagged)")[0])
print("save:", m.uid("SEARCH", "RETURN (SAVE) FLAGGED")[0])
print("fetch$:", m.fetch("$", "(UID)")[1])
print("sort:", m.sort("(DISPLAYFROM)", "UTF-8", "ALL")[1])
typ, _ = m._simple_command("SORT", "RETURN (COUNT ALL) (REVERSE SUBJECT) UTF-8 ALL")
print("esort:", typ, m.untagged_responses.pop("ESEARCH", None))
typ, _ = m._simple_command("SEARCH", "RETURN (PARTIAL -1:-2) ALL")
print("partial:", typ, m.untagged_responses.pop("ESEARCH", None))
print("within:", m.search(None, "YOUNGER", "3600"))
m.logout()
`

func TestSearchExtensionsWithPythonImaplib(t *testing.T) {
	py, err := exec.LookPath("python3")
	if err != nil {
		// A silent pass would hide that the client check never ran.
		t.Fatalf("python3 is required for this test (install it with `make deps`): %v", err)
	}
	s := newTestSite(t)
	s.deliver("user.alice",
		mailFrom(`"Zed" <z@x.example>`, "a@x.example", "c"),
		mailFrom(`Al <a@x.example>`, "a@x.example", "b"),
		mailFrom(`Mo <m@x.example>`, "a@x.example", "a"),
		mailFrom(`Bo <b@x.example>`, "a@x.example", "e"),
		mailFrom(`Cy <c@x.example>`, "a@x.example", "d"),
	)
	ctx, cancel := context.WithTimeout(context.Background(), hangTimeout)
	defer cancel()
	out, err := exec.CommandContext(ctx, py, "-c", pythonSearchClient, s.addr).CombinedOutput()
	if err != nil {
		t.Fatalf("python client: %v\n%s", err, out)
	}
	got := string(out)
	for _, want := range []string{
		"store: OK",
		"save: OK",
		"fetch$: [b'2 (UID 2)', b'4 (UID 4)', b'5 (UID 5)']",
		"sort: [b'2 4 5 3 1']",
		`esort: OK [b'(TAG "`, `") COUNT 5 ALL 4:5,1:3']`,
		`partial: OK [b'(TAG "`, `") PARTIAL (-1:-2 4:5)']`,
		"within: ('OK', [b'1 2 3 4 5'])",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("missing %q in:\n%s", want, got)
		}
	}
}
