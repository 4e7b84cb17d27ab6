package imapserver

import (
	"context"
	"os/exec"
	"strings"
	"testing"
)

// pythonUTF8Client drives UTF8=ACCEPT through CPython's imaplib, which
// sends UTF-8 once "ENABLE UTF8=ACCEPT" succeeds. Its append() is not
// used: it writes "UTF8 (" inside an ordinary literal instead of around a
// literal8, so the server can only store those bytes as the message.
const pythonUTF8Client = `
import imaplib, sys
host, port = sys.argv[1].rsplit(":", 1)
m = imaplib.IMAP4(host, int(port), timeout=20)
m.login("alice", "secret")
print("enable:", m.enable("UTF8=ACCEPT"))
print("create:", m.create('"Entwürfe"')[0])
print("list:", m.list('""', '"Entw*"'))
print("status:", m.status('"Entwürfe"', "(MESSAGES)"))
print("select:", m.select("INBOX")[0])
print("search:", m.search(None, "SUBJECT", '"Köln"'))
try:
    m._simple_command("SEARCH", "CHARSET UTF-8 ALL")
    print("charset: accepted")
except imaplib.IMAP4.error as e:
    print("charset: refused", e)
print("fetch:", m.fetch("1", "(BODY.PEEK[HEADER.FIELDS (SUBJECT)])")[1][0][1])
m.logout()
`

func TestUTF8AcceptWithPythonImaplib(t *testing.T) {
	py, err := exec.LookPath("python3")
	if err != nil {
		t.Logf("python3 not installed: the imaplib client check did not run")
		return
	}
	s := newTestSite(t)
	s.deliver("user.alice", "From: a@example.com\r\nSubject: Grüße aus Köln\r\n\r\nbody\r\n", testMessage("plain"))
	ctx, cancel := context.WithTimeout(context.Background(), hangTimeout)
	defer cancel()
	out, err := exec.CommandContext(ctx, py, "-c", pythonUTF8Client, s.addr).CombinedOutput()
	if err != nil {
		t.Fatalf("python client: %v\n%s", err, out)
	}
	got := string(out)
	for _, want := range []string{
		"enable: ('OK', [b'Completed'])",
		"create: OK",
		`list: ('OK', [(b'(\\HasNoChildren) "/" {9}', b'Entw\xc3\xbcrfe'), b''])`,
		`status: ('OK', [(b'{9}', b'Entw\xc3\xbcrfe'), b' (MESSAGES 0)'])`,
		"select: OK",
		"search: ('OK', [b'1'])",
		"charset: refused SEARCH command error: BAD",
		`fetch: b'Subject: Gr\xc3\xbc\xc3\x9fe aus K\xc3\xb6ln\r\n\r\n'`,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("missing %q in:\n%s", want, got)
		}
	}
}
