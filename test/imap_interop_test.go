package test

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"

	"gocyrus/pkg/cyrusdb"
	"gocyrus/pkg/sasldb"
)

// imapdProc is an imapd started by startImapdProc.
type imapdProc struct {
	addr string
	port string
	pid  int
	log  string // path of its combined output
}

// startImapdProc serves the site's databases from the test process, gives
// each user the password "secret" and runs imapd on a free loopback port.
// Unlike startImapd it creates no mailboxes: the caller populates first.
func startImapdProc(t testing.TB, s *site, users ...string) imapdProc {
	t.Helper()
	serveDatabases(t, s, users...)
	return startImapdDaemon(t, s, "imapd.log")
}

// serveDatabases serves the site's databases from the test process (as
// master would) and gives each user the password "secret".
func serveDatabases(t testing.TB, s *site, users ...string) {
	t.Helper()
	srv, err := cyrusdb.OpenServer(s.configdir, cyrusdb.Options{})
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve()
	t.Cleanup(func() { srv.Close() })
	db, err := cyrusdb.Open(s.configdir, cyrusdb.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range users {
		if err := sasldb.New(db).SetPassword(context.Background(), u, "secret", true); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()
}

// startImapdDaemon runs one more imapd on the site, logging to logName in
// the site directory; the databases must be served already.
func startImapdDaemon(t testing.TB, s *site, logName string) imapdProc {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	logPath := filepath.Join(s.dir, logName)
	logf, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(filepath.Join(binDir, "imapd"), "-C", s.imapdConf, "-l", addr)
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Signal(os.Interrupt)
		done := make(chan struct{})
		go func() { cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			cmd.Process.Kill()
			<-done
		}
		logf.Close()
		if t.Failed() {
			b, _ := os.ReadFile(logPath)
			t.Logf("imapd log:\n%s", b)
		}
	})
	for deadline := time.Now().Add(hangTimeout); ; {
		c, err := net.Dial("tcp", addr)
		if err == nil {
			c.Close()
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("imapd did not listen on %s: %v", addr, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
	_, port, _ := net.SplitHostPort(addr)
	return imapdProc{addr: addr, port: port, pid: cmd.Process.Pid, log: logPath}
}

// runTool runs an external client with a deadline and returns its output.
func runTool(t *testing.T, name string, args ...string) (string, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, name, args...).CombinedOutput()
	return string(out), err
}

func TestImapdCurl(t *testing.T) {
	curl, err := exec.LookPath("curl")
	if err != nil {
		t.Skip("needs Debian package curl")
	}
	s := newSite(t, "allowplaintext: 1")
	s.populate(map[string]int{"user.carol": 2, "user.carol.Lists": 1})
	p := startImapdProc(t, s, "carol")
	base := "imap://" + p.addr
	do := func(args ...string) string {
		t.Helper()
		out, err := runTool(t, curl, append([]string{"-sS", "--max-time", "20", "-u", "carol:secret"}, args...)...)
		if err != nil {
			t.Fatalf("curl %v: %v\n%s", args, err, out)
		}
		return out
	}

	if out := do(base + "/"); !strings.Contains(out, `"/" INBOX`) || !strings.Contains(out, `"/" Lists`) {
		t.Errorf("curl LIST:\n%s", out)
	}
	if out := do(base + "/INBOX;UID=1"); out != "From: a@example.org\r\nSubject: user.carol 0\r\n\r\nbody 0\r\n" {
		t.Errorf("curl FETCH UID 1 = %q", out)
	}
	if out := do(base + "/Lists;UID=1;SECTION=HEADER.FIELDS%20(SUBJECT)"); !strings.Contains(out, "Subject: user.carol.Lists 0") {
		t.Errorf("curl FETCH section = %q", out)
	}

	msg := "From: curl@example.org\r\nSubject: uploaded by curl\r\n\r\nvia APPEND\r\n"
	file := filepath.Join(t.TempDir(), "msg.eml")
	if err := os.WriteFile(file, []byte(msg), 0o644); err != nil {
		t.Fatal(err)
	}
	do("-T", file, base+"/INBOX")
	if out := do(base + "/INBOX;UID=3"); out != msg {
		t.Errorf("message appended by curl reads back as %q", out)
	}

	out := do("-X", "EXAMINE INBOX", base+"/")
	for _, want := range []string{"* 3 EXISTS", "UIDVALIDITY", "UIDNEXT 4", "PERMANENTFLAGS"} {
		if !strings.Contains(out, want) {
			t.Errorf("curl EXAMINE lacks %q:\n%s", want, out)
		}
	}
	if out := do("-X", "UID SEARCH SUBJECT curl", base+"/INBOX"); !strings.Contains(out, "* SEARCH 3") {
		t.Errorf("curl UID SEARCH:\n%s", out)
	}
	if out, err := runTool(t, curl, "-sS", "--max-time", "20", "-u", "carol:wrong", base+"/"); err == nil {
		t.Errorf("curl with a wrong password succeeded:\n%s", out)
	}
}

// mbsyncConfig is filled with the port and the Maildir root (twice).
// mbsync turns on COMPRESS=DEFLATE, ending each command with zlib's
// Z_PARTIAL_FLUSH (Huffman blocks only).
const mbsyncConfig = `IMAPAccount gocyrus
Host 127.0.0.1
Port %s
User carol
Pass secret
SSLType None
AuthMechs LOGIN
Timeout 20

IMAPStore remote
Account gocyrus

MaildirStore local
Path %s/
Inbox %s/INBOX
SubFolders Verbatim

Channel tree
Far :remote:
Near :local:
Patterns *
Create Both
Remove None
Expunge Both
SyncState *
`

// maildirFiles lists the message files of a Maildir folder (cur and new).
func maildirFiles(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	for _, sub := range []string{"cur", "new"} {
		ents, err := os.ReadDir(filepath.Join(dir, sub))
		if err != nil {
			t.Fatalf("maildir %s: %v", dir, err)
		}
		for _, e := range ents {
			out = append(out, filepath.Join(dir, sub, e.Name()))
		}
	}
	slices.Sort(out)
	return out
}

// maildirFind returns the file of the message whose text (LF line ends)
// contains needle.
func maildirFind(t *testing.T, dir, needle string) string {
	t.Helper()
	for _, f := range maildirFiles(t, dir) {
		b, err := os.ReadFile(f)
		// mbsync stores messages with LF line ends.
		if err == nil && strings.Contains(strings.ReplaceAll(string(b), "\r\n", "\n"), needle) {
			return f
		}
	}
	t.Fatalf("no message with %q in %s", needle, dir)
	return ""
}

// serverSubjects lists the subjects and flags of a mailbox's messages.
func serverSubjects(t *testing.T, c *imapclient.Client, mbox string) map[string][]imap.Flag {
	t.Helper()
	sel, err := c.Select(mbox, &imap.SelectOptions{ReadOnly: true}).Wait()
	if err != nil {
		t.Fatalf("EXAMINE %s: %v", mbox, err)
	}
	out := map[string][]imap.Flag{}
	if sel.NumMessages == 0 {
		return out
	}
	var all imap.SeqSet
	all.AddRange(1, 0) // 1:*
	msgs, err := c.Fetch(all, &imap.FetchOptions{Envelope: true, Flags: true}).Collect()
	if err != nil {
		t.Fatalf("FETCH %s: %v", mbox, err)
	}
	for _, m := range msgs {
		out[m.Envelope.Subject] = m.Flags
	}
	return out
}

// hasSubjects reports whether got holds n messages including those subjects.
func hasSubjects(got map[string][]imap.Flag, n int, subjects ...string) bool {
	for _, s := range subjects {
		if _, ok := got[s]; !ok {
			return false
		}
	}
	return len(got) == n
}

func TestImapdMbsyncFolderTree(t *testing.T) {
	mbsync, err := exec.LookPath("mbsync")
	if err != nil {
		t.Skip("needs Debian package isync")
	}
	s := newSite(t, "allowplaintext: 1")
	s.populate(map[string]int{"user.carol": 3, "user.carol.Lists": 2, "user.carol.Lists.Go": 1, "user.carol.Archive": 0})
	p := startImapdProc(t, s, "carol")

	home := t.TempDir()
	mail := filepath.Join(home, "mail")
	if err := os.MkdirAll(mail, 0o700); err != nil {
		t.Fatal(err)
	}
	rc := filepath.Join(home, "mbsyncrc")
	if err := os.WriteFile(rc, []byte(fmt.Sprintf(mbsyncConfig, p.port, mail, mail)), 0o600); err != nil {
		t.Fatal(err)
	}
	sync := func(what string) {
		t.Helper()
		out, err := runTool(t, mbsync, "-c", rc, "-V", "tree")
		if err != nil {
			b, _ := os.ReadFile(p.log)
			t.Fatalf("mbsync (%s): %v\n%s\nimapd log:\n%s", what, err, out, b)
		}
	}

	// Down: the tree arrives with every message.
	sync("down")
	for dir, n := range map[string]int{"INBOX": 3, "Lists": 2, "Lists/Go": 1, "Archive": 0} {
		if got := len(maildirFiles(t, filepath.Join(mail, dir))); got != n {
			t.Errorf("maildir %s has %d messages, want %d", dir, got, n)
		}
	}
	if t.Failed() {
		t.FailNow()
	}

	// Local changes: a new message in a subfolder, a new local folder, a
	// flag, a deletion.
	newMsg := "From: near@example.org\r\nSubject: written locally\r\n\r\nlocal\r\n"
	if err := os.WriteFile(filepath.Join(mail, "Lists", "new", "1700000000.local1.host"), []byte(newMsg), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, sub := range []string{"cur", "new", "tmp"} {
		if err := os.MkdirAll(filepath.Join(mail, "Lists", "Rust", sub), 0o700); err != nil {
			t.Fatal(err)
		}
	}
	rustMsg := strings.ReplaceAll(newMsg, "written locally", "in a new folder")
	if err := os.WriteFile(filepath.Join(mail, "Lists", "Rust", "new", "1700000001.local2.host"), []byte(rustMsg), 0o600); err != nil {
		t.Fatal(err)
	}
	flagged := maildirFind(t, filepath.Join(mail, "INBOX"), "Subject: user.carol 1\n")
	base, _, _ := strings.Cut(filepath.Base(flagged), ":2,")
	if err := os.Rename(flagged, filepath.Join(mail, "INBOX", "cur", base+":2,FS")); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(maildirFind(t, filepath.Join(mail, "Lists", "Go"), "Subject: user.carol.Lists.Go 0\n")); err != nil {
		t.Fatal(err)
	}

	// Up: the server shows every local change.
	sync("up")
	c, err := imapclient.DialInsecure(p.addr, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.Login("carol", "secret").Wait(); err != nil {
		t.Fatal(err)
	}
	boxes, err := c.List("", "*", nil).Collect()
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, b := range boxes {
		names = append(names, b.Mailbox)
	}
	slices.Sort(names)
	if got := strings.Join(names, " "); got != "Archive INBOX Lists Lists/Go Lists/Rust" {
		t.Errorf("server folders after the sync: %s", got)
	}
	inbox := serverSubjects(t, c, "INBOX")
	if f := inbox["user.carol 1"]; !slices.Contains(f, imap.FlagFlagged) || !slices.Contains(f, imap.FlagSeen) {
		t.Errorf("flags set locally did not reach the server: %v", inbox)
	}
	if f := inbox["user.carol 0"]; slices.Contains(f, imap.FlagFlagged) {
		t.Errorf("an untouched message got flagged: %v", inbox)
	}
	if lists := serverSubjects(t, c, "Lists"); !hasSubjects(lists, 3, "written locally") {
		t.Errorf("INBOX.Lists after the sync: %v", lists)
	}
	if gone := serverSubjects(t, c, "Lists/Go"); len(gone) != 0 {
		t.Errorf("the message deleted locally is still on the server: %v", gone)
	}
	if rust := serverSubjects(t, c, "Lists/Rust"); !hasSubjects(rust, 1, "in a new folder") {
		t.Errorf("the folder created locally: %v", rust)
	}

	// A server-side change flows down again, and a second run is a no-op.
	msg := "From: far@example.org\r\nSubject: from the server\r\n\r\nfar\r\n"
	ap := c.Append("Archive", int64(len(msg)), nil)
	ap.Write([]byte(msg))
	ap.Close()
	if _, err := ap.Wait(); err != nil {
		t.Fatal(err)
	}
	c.Logout().Wait()
	sync("down again")
	maildirFind(t, filepath.Join(mail, "Archive"), "Subject: from the server")
	sync("idempotent")
	if got := len(maildirFiles(t, filepath.Join(mail, "Lists"))); got != 3 {
		t.Errorf("Lists has %d messages after a repeated sync, want 3", got)
	}
}
