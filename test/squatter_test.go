package test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gocyrus/pkg/mailbox"
	"gocyrus/pkg/quota"
)

// TestSquatterMatchesCyrus compares squatter with Cyrus 3.6.1's
// (test/compat/fixtures/squatter.txt, capture: test/compat/capture/squatter.py):
// the usage text byte for byte (on standard output, exit 0: squatter.8,
// DIFFERENCES), nothing on standard output for a tree without mailboxes
// and for a mailbox that does not exist (where we also say why on
// standard error and exit 65: DIFFERENCES). Then, on a known tree, -r
// indexes the children, -s skips what is unchanged, and -i after an
// append adds just the new message.
func TestSquatterMatchesCyrus(t *testing.T) {
	s := newSite(t, "unixhierarchysep: no", "altnamespace: no")
	c := fixture(t, "squatter.txt", "-h", 0)
	if r := runBin(t, "", "squatter", "-h"); r.code != 0 || r.stdout != c.stderr {
		t.Errorf("squatter -h: exit %d\n%q\nwant %q", r.code, r.stdout, c.stderr)
	}
	c = fixture(t, "squatter.txt", "-v", 0)
	if r := s.run("", "squatter", "-v"); r.code != c.code || r.stdout != c.stdout {
		t.Errorf("squatter -v on no mailboxes: exit %d %q, Cyrus %d %q", r.code, r.stdout, c.code, c.stdout)
	}
	c = fixture(t, "squatter.txt", "-v user.nosuch", 0)
	if r := s.run("", "squatter", "-v", "user.nosuch"); r.code != 65 || r.stdout != c.stdout || !strings.Contains(r.stderr, "user.nosuch") {
		t.Errorf("squatter -v user.nosuch: exit %d %q %q, Cyrus's stdout %q", r.code, r.stdout, r.stderr, c.stdout)
	}

	msg := cyrusMessage{text: "From: a@example.org\r\nSubject: s\r\n\r\nhello\r\n", recv: "07-Dec-2026 10:00:00 +0000"}
	s.buildCyrusScenario(map[string][]cyrusMessage{"user.sq": {msg, msg}, "user.sq.Sub": {msg}}, nil)
	if got, want := s.must("", "squatter", "-v", "-r", "user.sq"),
		"Indexing mailbox user.sq... 2 messages indexed, 2 in the mailbox\n"+
			"Indexing mailbox user.sq.Sub... 1 messages indexed, 1 in the mailbox\n"; got != want {
		t.Errorf("squatter -v -r:\n%s\nwant\n%s", got, want)
	}
	for _, name := range []string{"user.sq", "user.sq.Sub"} {
		dir := strings.TrimSpace(s.must("", "mbpath", name))
		if _, err := os.Stat(filepath.Join(dir, "cyrus.gosquat")); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
	if got := s.must("", "squatter", "-vs", "user.sq"); got != "Skipping mailbox user.sq: unchanged\n" {
		t.Errorf("squatter -s: %q", got)
	}
	st, closeStore := s.openStore(t)
	mb, _, err := st.Open(context.Background(), "user.sq", quota.Ignore)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := mb.Append(context.Background(), []mailbox.AppendMessage{{Body: strings.NewReader(msg.text)}}); err != nil {
		t.Fatal(err)
	}
	mb.Close()
	closeStore()
	if got := s.must("", "squatter", "-iv", "user.sq"); got != "Indexing mailbox user.sq... 1 messages indexed, 3 in the mailbox\n" {
		t.Errorf("squatter -i after an append: %q", got)
	}
}
