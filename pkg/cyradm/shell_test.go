package cyradm

import (
	"bufio"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeServer answers each command line with canned responses and records
// what it received (tags stripped).
type fakeServer struct {
	mu       sync.Mutex
	received []string
	answers  map[string][]string // command (without tag) -> untagged lines; tagged OK follows
	fail     map[string]string   // command -> tagged NO text
	caps     string              // greeting capabilities; empty: the default set
}

func (f *fakeServer) serve(conn net.Conn) {
	defer conn.Close()
	br := bufio.NewReader(conn)
	caps := f.caps
	if caps == "" {
		caps = "IMAP4rev1 LITERAL+ AUTH=PLAIN SASL-IR LIST-EXTENDED SPECIAL-USE"
	}
	conn.Write([]byte("* OK [CAPABILITY " + caps + "] fake ready\r\n"))
	for {
		line, err := br.ReadString('\n')
		if err != nil {
			return
		}
		line = strings.TrimRight(line, "\r\n")
		tag, cmd, _ := strings.Cut(line, " ")
		f.mu.Lock()
		f.received = append(f.received, cmd)
		f.mu.Unlock()
		var out strings.Builder
		for _, u := range f.answers[cmd] {
			out.WriteString(u + "\r\n")
		}
		if text, ok := f.fail[cmd]; ok {
			out.WriteString(tag + " NO " + text + "\r\n")
		} else if strings.HasPrefix(cmd, "LOGOUT") {
			out.WriteString("* BYE bye\r\n" + tag + " OK done\r\n")
		} else {
			out.WriteString(tag + " OK Completed\r\n")
		}
		conn.Write([]byte(out.String()))
	}
}

func newFakeShell(t *testing.T, f *fakeServer) (*Shell, *strings.Builder, *strings.Builder) {
	t.Helper()
	cli, srv := net.Pipe()
	go f.serve(srv)
	c, err := NewClient(cli, 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	var out, errb strings.Builder
	sh := NewShell(&Connector{User: "cyrus", Password: func(string) (string, error) { return "pw", nil }})
	sh.Stdout, sh.Stderr, sh.Stdin = &out, &errb, strings.NewReader("")
	sh.Getenv = func(k string) string { return map[string]string{"COLUMNS": "40"}[k] }
	sh.Attach(c, "fake")
	t.Cleanup(sh.Close)
	return sh, &out, &errb
}

func TestShellWire(t *testing.T) {
	f := &fakeServer{
		answers: map[string][]string{
			`ID NIL`:                         {`* ID ("name" "Cyrus IMAPD" "version" "3.6.1" "environment" "Built w/Cyrus SASL 2.1.28; Running w/zlib")`},
			`GETACL "board"`:                 {`* ACL board anyone lrs "group:staff" lrswipkxtecd -bob w`},
			`GETQUOTAROOT "user/alice/Work"`: {`* QUOTAROOT user/alice/Work user/alice`, `* QUOTA user/alice (STORAGE 1234 10000 MESSAGE 2 500)`},
			`GETMETADATA (DEPTH infinity) "" ("/shared" "/private")`:           {`* METADATA "" (/shared/motd "hi there" /shared/comment {4}`, `test)`},
			`GETMETADATA (DEPTH infinity) "user/alice" ("/shared" "/private")`: {`* METADATA user/alice (/shared/vendor/cmu/cyrus-imapd/partition default /shared/comment NIL)`},
		},
		fail: map[string]string{
			`RECONSTRUCT "user/alice"`:      "Unrecognized command",
			`GETACL "user/nosuch"`:          "Mailbox does not exist",
			`CREATE "user/bad"`:             "Mailbox already exists",
			`SETQUOTA "user/x" (STORAGE 5)`: "Permission denied",
		},
	}
	sh, out, errb := newFakeShell(t, f)
	script := []string{
		"cm --partition p2 user/a",
		"cm user/b p3",
		"create -specialuse Sent user/alice/Sent",
		"cm --partition p2 user/c p3",
		"renm user/a user/z p4",
		"rename --partition p5 user/z user/y",
		"reconstruct -r user/b",
		"sam board anyone read bob none",
		"dam board anyone bob",
		"sq user/alice STORAGE 100 message none",
		"sq user/alice 42",
		"sq user/alice none",
		"mboxcfg user/alice expire 30",
		"mboxcfg --private user/alice /explicit/x none",
		"mboxcfg user/alice bogus 1",
		"setinfo motd hello  world",
		"setmd user/alice /shared/comment 'a b'",
		"sub user/alice; unsub user/alice",
		"lm -specialuse",
		"lm -subscribed user/% base",
		"lm -sub -spec",
		"dam board *",
	}
	for _, l := range script {
		sh.Exec(l)
	}
	wantSent := []string{
		`CREATE "user/a" "p2"`,
		`CREATE "user/b" "p3"`,
		`CREATE "user/alice/Sent" (USE (\Sent))`,
		`RENAME "user/a" "user/z" "p4"`,
		`RENAME "user/z" "user/y" "p5"`,
		`RECONSTRUCT "user/b" RECURSIVE`,
		`SETACL "board" "anyone" "lrs"`,
		`SETACL "board" "bob" ""`,
		`DELETEACL "board" "anyone"`,
		`DELETEACL "board" "bob"`,
		`SETQUOTA "user/alice" (STORAGE 100)`,
		`SETQUOTA "user/alice" (STORAGE 42)`,
		`SETQUOTA "user/alice" ()`,
		`SETMETADATA "user/alice" ("/shared/vendor/cmu/cyrus-imapd/expire" "30")`,
		`SETMETADATA "user/alice" ("/private/explicit/x" NIL)`,
		`SETMETADATA "" ("/shared/motd" "hello world")`,
		`SETMETADATA "user/alice" ("/shared/comment" "a b")`,
		`SUBSCRIBE "user/alice"`,
		`UNSUBSCRIBE "user/alice"`,
		`LIST (SPECIAL-USE) "" "*" RETURN (SUBSCRIBED SPECIAL-USE)`,
		`LSUB "base" "user/%"`,
		`LIST (SUBSCRIBED SPECIAL-USE) "" "*" RETURN (SUBSCRIBED SPECIAL-USE)`,
		// "dam mailbox *" removes every entry.
		`GETACL "board"`,
		`DELETEACL "board" "anyone"`,
		`DELETEACL "board" "group:staff"`,
		`DELETEACL "board" "-bob"`,
	}
	f.mu.Lock()
	got := strings.Join(f.received, "\n")
	f.mu.Unlock()
	if got != strings.Join(wantSent, "\n") {
		t.Errorf("sent:\n%s\nwant:\n%s", got, strings.Join(wantSent, "\n"))
	}
	if want := "quota:42\nremove quota\n"; out.String() != want {
		t.Errorf("stdout %q, want %q", out.String(), want)
	}
	wantErr := "usage: createmailbox [--partition partition] [--specialuse specialuse] mailbox [partition]\n" +
		"mboxconfig: Unknown parameter bogus\n"
	if errb.String() != wantErr {
		t.Errorf("stderr %q, want %q", errb.String(), wantErr)
	}

	out.Reset()
	errb.Reset()
	for _, l := range []string{"version", "lam board", "lam user/nosuch", "lqr user/alice/Work", "info", "info user/alice", "cm user/bad", "reconstruct user/alice", "xfer user/alice other"} {
		sh.Exec(l)
	}
	wantOut := "name       : Cyrus IMAPD\nversion    : 3.6.1\nenvironment: Built w/Cyrus SASL 2.1.28\n             Running w/zlib\n" +
		"anyone lrs\ngroup:staff lrswipkxtecd\n-bob w\n" +
		"user/alice STORAGE 1234/10000 (12.34%) MESSAGE 2/500 (0.4%)\n" +
		// Cyrus's layout: "{Server Wide}" without a colon, scope groups, NIL.
		"{Server Wide}\n  shared:\n    comment: test\n    motd: hi there\n" +
		"{user/alice}:\n  shared:\n    comment: NIL\n    partition: default\n"
	if out.String() != wantOut {
		t.Errorf("stdout:\n%s\nwant:\n%s", out.String(), wantOut)
	}
	wantErr = "Mailbox does not exist\ncreatemailbox: Mailbox already exists\nreconstruct: Unrecognized command\n" +
		"xfermailbox: no murder here: this server is not part of a Cyrus Murder, so user/alice cannot be transferred to other\n"
	if errb.String() != wantErr {
		t.Errorf("stderr:\n%s\nwant:\n%s", errb.String(), wantErr)
	}
	if sh.Status() != 1 {
		t.Errorf("status %d, want 1", sh.Status())
	}
}

func TestShellRedirectionAndExit(t *testing.T) {
	f := &fakeServer{answers: map[string][]string{
		`LIST "" "*" RETURN (SUBSCRIBED SPECIAL-USE)`: {`* LIST (\HasNoChildren) "/" b`, `* LIST (\HasChildren) "/" a`},
	}, fail: map[string]string{`GETACL "x"`: "Mailbox does not exist"}}
	sh, out, errb := newFakeShell(t, f)
	dir := t.TempDir()
	file := filepath.Join(dir, "out")
	sh.Exec("lm >" + file + "; lm >>" + file + "; lam x 2>" + filepath.Join(dir, "err") + "; lam x 2>&1 >" + filepath.Join(dir, "o2"))
	data, _ := os.ReadFile(file)
	want := "a (\\HasChildren)    b (\\HasNoChildren)  \n"
	if string(data) != want+want {
		t.Errorf("redirected %q", data)
	}
	e, _ := os.ReadFile(filepath.Join(dir, "err"))
	if string(e) != "Mailbox does not exist\n" {
		t.Errorf("2> got %q", e)
	}
	// "2>&1 >file": stderr goes where stdout was (the shell's stdout).
	if out.String() != "Mailbox does not exist\n" || errb.String() != "" {
		t.Errorf("stdout %q stderr %q", out.String(), errb.String())
	}
	if rc := sh.Run(NewScriptReader(strings.NewReader("lam x\nlm\nexit\nlm\n"))); rc != 1 {
		t.Errorf("exit after failure: %d, want 1", rc)
	}
	sh2, _, _ := newFakeShell(t, f)
	if rc := sh2.Run(NewScriptReader(strings.NewReader("lm; exit 7; lm\n"))); rc != 7 {
		t.Errorf("exit 7: %d", rc)
	}
	sh3, _, errb3 := newFakeShell(t, f)
	if rc := sh3.Run(NewScriptReader(strings.NewReader("disconnect\nlm\n"))); rc != 1 || errb3.String() != "listmailbox: no connection to server\n" {
		t.Errorf("after disconnect: %d %q", rc, errb3.String())
	}
}

// setaclmailbox expands Cyrus 3.6 cyradm's shortcut words (any case) before
// SETACL and sends every other rights argument as typed
// (docs/CYRUS-BEHAVIOUR.md §3.2).
func TestSetACLShortcuts(t *testing.T) {
	f := &fakeServer{}
	sh, _, errb := newFakeShell(t, f)
	sh.Exec("sam board a none b read c post d append e write f delete g all h ALL i Read j lrs k +w l -a m reader n ''")
	want := []string{
		`SETACL "board" "a" ""`,
		`SETACL "board" "b" "lrs"`,
		`SETACL "board" "c" "lrsp"`,
		`SETACL "board" "d" "lrsip"`,
		`SETACL "board" "e" "lrswipkxte"`,
		`SETACL "board" "f" "lrxte"`,
		`SETACL "board" "g" "lrswipkxtea"`,
		`SETACL "board" "h" "lrswipkxtea"`,
		`SETACL "board" "i" "lrs"`,
		`SETACL "board" "j" "lrs"`,
		`SETACL "board" "k" "+w"`,
		`SETACL "board" "l" "-a"`,
		`SETACL "board" "m" "reader"`,
		`SETACL "board" "n" ""`,
	}
	f.mu.Lock()
	got := strings.Join(f.received, "\n")
	f.mu.Unlock()
	if got != strings.Join(want, "\n") || errb.Len() != 0 {
		t.Errorf("sent:\n%s\nwant:\n%s\nstderr %q", got, strings.Join(want, "\n"), errb.String())
	}
}
