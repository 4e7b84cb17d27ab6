package test

import (
	"bytes"
	"context"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// cyradmRun runs cyradm as the admin against addr with extra args and
// stdin, the password coming from $CYRADM_PASSWORD.
func cyradmRun(t *testing.T, addr, password, stdin string, args ...string) result {
	t.Helper()
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	argv := append([]string{"--norc", "--notls", "--port", port}, args...)
	argv = append(argv, host)
	cmd := exec.CommandContext(ctx, filepath.Join(binDir, "cyradm"), argv...)
	cmd.Env = []string{"CYRADM_PASSWORD=" + password, "HOME=" + t.TempDir(), "COLUMNS=79", "PATH=/usr/bin:/bin", "USER=cyrus"}
	cmd.Stdin = strings.NewReader(stdin)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err = cmd.Run()
	code := 0
	if err != nil {
		ee, ok := err.(*exec.ExitError)
		if !ok {
			t.Fatalf("cyradm: %v", err)
		}
		code = ee.ExitCode()
	}
	return result{code: code, stdout: out.String(), stderr: errb.String()}
}

// cyradmScript exercises every command whose output does not depend on
// optional server features; the same script runs against a real Cyrus in
// TestCyradmRealCyrus.
const cyradmScript = `lm user/%
cm user/kim
cm user/kim/Sent
lm user/kim*
sam user/kim bob read anyone post
lam user/kim
lam user/kim*
dam user/kim bob
lam user/kim
sq user/kim 10000
lq user/kim
lqr user/kim/Sent
sq user/kim STORAGE 500 MESSAGE 100
lq user/kim
sq user/kim none
dm user/kim/Sent
sam user/kim/Sent cyrus all
dm user/kim/Sent
sam user/kim cyrus all
renm user/kim user/lee
lm user/lee*
lam user/nosuch
lq user/nosuch
cm user/lee
dm user/lee
sam user/lee cyrus all
dm user/lee
dm user/kim
`

// The last line is lq of a mailbox that is no quota root: an empty line, as
// Cyrus's Perl cyradm prints, with the server's reason on stderr.
const cyradmScriptOut = `user/alice (\HasChildren)  user/bob (\HasNoChildren)  
user/kim (\HasChildren)         user/kim/Sent (\HasNoChildren)  
kim lrswipkxtecdan
bob lrs
anyone lrsp
user/kim:
  kim lrswipkxtecdan
  bob lrs
  anyone lrsp
user/kim/Sent:
  kim lrswipkxtecdan
kim lrswipkxtecdan
anyone lrsp
quota:10000
 STORAGE 0/10000 (0%)
user/kim STORAGE 0/10000 (0%)
 STORAGE 0/500 (0%) MESSAGE 0/100 (0%)
remove quota

`

// As a real Cyrus 3.6.1 answers the same script (TestCyradmRealCyrus):
// renaming a user needs allowusermoves.
const cyradmScriptErr = `deletemailbox: Permission denied
renamemailbox: Operation is not supported on mailbox
Mailbox does not exist
Quota root does not exist
deletemailbox: Permission denied
`

func TestCyradmScriptStdin(t *testing.T) {
	s := newSite(t, "allowplaintext: yes")
	addr := startImapd(t, s)
	r := cyradmRun(t, addr, "secret", cyradmScript, "--user", "cyrus")
	if r.stdout != cyradmScriptOut {
		t.Errorf("stdout:\n%s\nwant:\n%s", r.stdout, cyradmScriptOut)
	}
	if r.stderr != cyradmScriptErr {
		t.Errorf("stderr:\n%s\nwant:\n%s", r.stderr, cyradmScriptErr)
	}
	// The last failing command (dm user/lee without x) sets the status.
	if r.code != 1 {
		t.Errorf("exit %d, want 1", r.code)
	}
}

func TestCyradmDashE(t *testing.T) {
	s := newSite(t, "allowplaintext: yes")
	addr := startImapd(t, s)
	pwfile := filepath.Join(t.TempDir(), "pw")
	if err := os.WriteFile(pwfile, []byte("secret\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	r := cyradmRun(t, addr, "wrong", "lm\n", "--user", "cyrus", "--password-file", pwfile,
		"-e", "lam user/bob; lam user/nosuch; server", "-e", `help lqr; help nosuch; ver >`+filepath.Join(t.TempDir(), "v")+`; exit 4; lm`)
	want := "bob lrswipkxtecdan\n127.0.0.1\nlistquotaroot mailbox\n\tshow quota roots and quotas for mailbox\nunknown command: nosuch\n"
	// help lqr is an alias: Cyrus prints "lqr, alias for ...".
	want = strings.Replace(want, "listquotaroot mailbox", "lqr, alias for listquotaroot mailbox", 1)
	if r.stdout != want || r.stderr != "Mailbox does not exist\n" || r.code != 4 {
		t.Errorf("exit %d\nstdout:\n%s\nstderr:\n%s", r.code, r.stdout, r.stderr)
	}

	// Every builtin appears in help with its aliases.
	r = cyradmRun(t, addr, "secret", "help\n", "--user", "cyrus")
	for _, line := range []string{
		"listquotaroot, lqr, lqm           show quota roots and quotas for mailbox\n",
		"authenticate, auth, login         authenticate to server\n",
		"xfermailbox, xfer                 transfer (relocate) a mailbox to a different server\n",
	} {
		if !strings.Contains(r.stdout, line) {
			t.Errorf("help lacks %q:\n%s", line, r.stdout)
		}
	}
	if n := strings.Count(r.stdout, "\n"); n != 26 {
		t.Errorf("help has %d lines, want 26", n)
	}

	// Wrong password: a clear message and status 1.
	r = cyradmRun(t, addr, "wrong", "lm\n", "--user", "cyrus")
	if r.code != 1 || !strings.HasPrefix(r.stderr, "cyradm: cannot authenticate to server with ") {
		t.Errorf("bad password: exit %d, %q", r.code, r.stderr)
	}
	// LOGIN command and SASL PLAIN both work.
	for _, mech := range []string{"login", "plain"} {
		r = cyradmRun(t, addr, "secret", "lam user/bob\n", "--user", "cyrus", "--auth", mech)
		if r.code != 0 || r.stdout != "bob lrswipkxtecdan\n" {
			t.Errorf("--auth %s: exit %d %q %q", mech, r.code, r.stdout, r.stderr)
		}
	}
}

// TestCyradmSessionCommands covers the commands that manage the session
// and the ones whose output depends on optional server features
// (metadata, RECONSTRUCT): they either work or report the server's
// answer cleanly on stderr.
func TestCyradmSessionCommands(t *testing.T) {
	s := newSite(t, "allowplaintext: yes")
	addr := startImapd(t, s)
	host, port, _ := net.SplitHostPort(addr)
	dir := t.TempDir()
	r := cyradmRun(t, addr, "secret", "version\ndisconnect\nlm\nserver -noauth "+host+":"+port+
		"\nauthenticate -mech plain cyrus\nlam user/bob\nxfer user/bob elsewhere\ncd "+dir+"\nlam user/bob >acl\necho shell $((1+1))\n", "--user", "cyrus")
	lines := strings.Split(r.stdout, "\n")
	if !strings.HasPrefix(lines[0], "name       : ") || !strings.Contains(r.stdout, "\nshell 2\n") {
		t.Errorf("stdout:\n%s", r.stdout)
	}
	wantErr := "listmailbox: no connection to server\n" +
		"xfermailbox: no murder here: this server is not part of a Cyrus Murder, so user/bob cannot be transferred to elsewhere\n"
	if r.stderr != wantErr || r.code != 1 {
		t.Errorf("exit %d stderr:\n%s\nwant:\n%s", r.code, r.stderr, wantErr)
	}
	if data, _ := os.ReadFile(filepath.Join(dir, "acl")); string(data) != "bob lrswipkxtecdan\n" {
		t.Errorf("redirected listacl: %q", data)
	}

	for _, cmd := range []string{"info", "info user/alice", "setinfo motd hello there", "mboxcfg user/alice comment hi",
		"getmd user/alice", "setmd user/alice /shared/comment x", "reconstruct user/alice"} {
		r := cyradmRun(t, addr, "secret", cmd+"\n", "--user", "cyrus")
		switch {
		case r.code == 0 && r.stderr == "":
			if r.stdout != "" && !strings.HasPrefix(r.stdout, "{Server Wide}\n") && !strings.HasPrefix(r.stdout, "{user/alice}:\n") {
				t.Errorf("%s: output %q", cmd, r.stdout)
			}
		case r.code == 1 && strings.Count(r.stderr, "\n") == 1 && r.stdout == "":
			t.Logf("%s: server said %q", cmd, strings.TrimSpace(r.stderr))
		default:
			t.Errorf("%s: exit %d stdout %q stderr %q", cmd, r.code, r.stdout, r.stderr)
		}
	}
}

// ptyTranscript accumulates what a program under `script` prints.
type ptyTranscript struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (p *ptyTranscript) Write(b []byte) (int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.buf.Write(b)
}

func (p *ptyTranscript) String() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.buf.String()
}

// waitFor waits until the transcript, from offset from, contains s, and
// returns the offset after it.
func (p *ptyTranscript) waitFor(t *testing.T, from int, s string) int {
	t.Helper()
	for deadline := time.Now().Add(hangTimeout); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		out := p.String()
		if i := strings.Index(out[min(from, len(out)):], s); i >= 0 {
			return from + i + len(s)
		}
	}
	t.Fatalf("no %q after offset %d in:\n%q", s, from, p.String())
	return 0
}

// TestCyradmInteractive runs cyradm on a pseudo-terminal (util-linux
// script): password prompt without echo, the "host> " prompt, history
// (up arrow, and ~/.cyradm_history), and tab completion.
func TestCyradmInteractive(t *testing.T) {
	if _, err := exec.LookPath("script"); err != nil {
		t.Fatal("util-linux script is needed for the pseudo-terminal test")
	}
	s := newSite(t, "allowplaintext: yes")
	addr := startImapd(t, s)
	host, port, _ := net.SplitHostPort(addr)
	home := t.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	line := filepath.Join(binDir, "cyradm") + " --norc --notls --user cyrus --port " + port + " " + host
	cmd := exec.CommandContext(ctx, "script", "-qfec", line, "/dev/null")
	cmd.Env = []string{"HOME=" + home, "PATH=/usr/bin:/bin", "TERM=dumb", "USER=cyrus"}
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	out := &ptyTranscript{}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	type step struct{ expect, send string }
	steps := []step{
		{"Password: ", "secret\r"},
		{host + "> ", "lam user/bob\r"},
		{"bob lrswipkxtecdan", ""},
		{host + "> ", "\x1b[A\r"}, // up arrow: the same command again
		{"bob lrswipkxtecdan", ""},
		{host + "> ", "listac\t user/al\t\r"}, // completes to "listacl user/alice"
		{"alice lrswipkxtecdan", ""},
		// Several completions: the first Tab cannot extend "l", the second
		// lists the commands, and the line is redrawn for more typing.
		{host + "> ", "l\t\t"},
		{"listquotaroot", ""},
		{host + "> l", "q\r"}, // the redrawn line takes more typing: "lq"
		{"usage: listquota root", ""},
		// The same for mailbox names, then "b" makes it unique.
		{host + "> ", "lam user/\t\t"},
		{"user/alice/", ""},
		{host + "> lam user/", "b\t\r"},
		{"bob lrswipkxtecdan", ""},
		{host + "> ", "exit 5\r"},
	}
	pos := 0
	for _, st := range steps {
		pos = out.waitFor(t, pos, st.expect)
		if st.send != "" {
			io.WriteString(stdin, st.send)
		}
	}
	err = cmd.Wait()
	stdin.Close()
	ee, ok := err.(*exec.ExitError)
	if !ok || ee.ExitCode() != 5 {
		t.Fatalf("exit: %v\n%q", err, out.String())
	}
	if strings.Contains(out.String(), "secret") {
		t.Errorf("the password was echoed:\n%q", out.String())
	}
	if n := strings.Count(out.String(), "bob lrswipkxtecdan"); n != 3 {
		t.Errorf("history recall: %d answers for user/bob:\n%q", n, out.String())
	}
	hist, err := os.ReadFile(filepath.Join(home, ".cyradm_history"))
	if err != nil || string(hist) != "lam user/bob\nlam user/bob\nlistacl user/alice\nlq\nlam user/bob \nexit 5\n" {
		t.Errorf("history file %q %v", hist, err)
	}
}

// TestCyradmMetadataSubscriptionsReconstruct: the commands backed by our
// server's METADATA, subscriptions and RECONSTRUCT all succeed, and what
// they set is what the server then reports.
func TestCyradmMetadataSubscriptionsReconstruct(t *testing.T) {
	s := newSite(t, "allowplaintext: yes")
	addr := startImapd(t, s)
	script := "mboxcfg user/alice comment hello\n" +
		"info user/alice\n" +
		"setinfo motd welcome\n" +
		"info\n" +
		"setmd user/alice /shared/vendor/test/x value\n" +
		"getmd user/alice /shared/vendor/test/x\n" +
		"sub user/bob\n" +
		"lm -subscribed user/*\n" +
		"unsub user/bob\n" +
		"reconstruct user/alice\n" +
		"lm -subscribed user/*\n"
	r := cyradmRun(t, addr, "secret", script, "--user", "cyrus")
	// The last command lists no subscription: lm's status 1, as Cyrus's cyradm.
	if r.code != 1 || r.stderr != "" {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", r.code, r.stdout, r.stderr)
	}
	for _, want := range []string{"{user/alice}:\n", "comment: hello\n", "{Server Wide}\n", "motd: welcome\n",
		"x: value\n", "user/bob  \n"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("output lacks %q:\n%s", want, r.stdout)
		}
	}
	if strings.Count(r.stdout, "user/bob") != 1 {
		t.Errorf("user/bob must be listed once (subscribed), then not (unsubscribed):\n%s", r.stdout)
	}
}
