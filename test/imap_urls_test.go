package test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// urlsScript drives CATENATE, GENURLAUTH, URLFETCH and RESETKEY with
// Python imaplib's raw commands (_simple_command, xatom), as a client
// without support for these extensions would.
const urlsScript = `
import imaplib, sys
host, port = sys.argv[1].rsplit(":", 1)
a = imaplib.IMAP4(host, int(port))
a.login("alice", "secret")
print("caps", " ".join(sorted(a.capabilities)))
a.select("INBOX")
typ, dat = a._simple_command("APPEND", "Work", 'CATENATE (URL "/INBOX/;UID=1/;SECTION=HEADER" URL ";UID=2/;SECTION=TEXT")')
print("catenate", typ, a._untagged_response(typ, dat, "APPENDUID"), dat)
typ, dat = a._simple_command("APPEND", "Work", 'CATENATE (URL "/INBOX/;UID=99")')
print("badurl", typ, dat)
typ, dat = a.xatom("GENURLAUTH", '"imap://alice@imap.test/INBOX/;uid=1/;section=TEXT;urlauth=user+bob"', "INTERNAL")
typ, dat = a._untagged_response(typ, dat, "GENURLAUTH")
url = dat[0].decode().strip('"')
print("genurlauth", typ, url)
b = imaplib.IMAP4(host, int(port))
b.login("bob", "secret")
typ, dat = b.xatom("URLFETCH", '"' + url + '"')
print("urlfetch", typ, b._untagged_response(typ, dat, "URLFETCH"))
print("resetkey", a.xatom("RESETKEY"))
typ, dat = b.xatom("URLFETCH", '"' + url + '"')
print("after reset", typ, b._untagged_response(typ, dat, "URLFETCH"))
b.logout()
a.logout()
`

// TestImapdURLsWithPythonImaplib: a real imapd serving CATENATE and
// URLAUTH to Python imaplib's raw commands.
func TestImapdURLsWithPythonImaplib(t *testing.T) {
	if _, err := exec.LookPath("python3"); err != nil {
		t.Fatal("python3 not installed")
	}
	s := newSite(t, "allowplaintext: yes", "servername: imap.test")
	addr := startImapd(t, s)
	script := filepath.Join(t.TempDir(), "urls.py")
	if err := os.WriteFile(script, []byte(urlsScript), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), hangTimeout)
	defer cancel()
	out, err := exec.CommandContext(ctx, "python3", script, addr).CombinedOutput()
	if err != nil {
		t.Fatalf("imaplib: %v\n%s", err, out)
	}
	for _, want := range []string{
		" CATENATE ", " URLAUTH ",
		"catenate OK ('OK', [b'",
		`badurl NO [b'[BADURL "/INBOX/;UID=99"] Message does not exist']`,
		"genurlauth OK imap://alice@imap.test/INBOX/;uid=1/;section=TEXT;urlauth=user+bob:internal:",
		`urlfetch OK ('OK', [(b'"imap://alice@imap.test/INBOX/;uid=1/;section=TEXT;urlauth=user+bob:internal:`,
		`" {8}', b'body 0\r\n')`,
		"resetkey ('OK'",
		`after reset OK ('OK', [b'"imap://alice@imap.test/INBOX/;uid=1/;section=TEXT;urlauth=user+bob:internal:`,
	} {
		if !strings.Contains(string(out), want) {
			t.Errorf("imaplib output lacks %q:\n%s", want, out)
		}
	}
	if !strings.Contains(string(out), `" NIL'])`) {
		t.Errorf("URLFETCH after RESETKEY not NIL:\n%s", out)
	}
}
