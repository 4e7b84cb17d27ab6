package test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"gocyrus/pkg/store"
)

// postfixDomain is the mail domain the private Postfix delivers locally.
const postfixDomain = "example.test"

// privatePostfix is a Postfix instance with its own configuration, queue
// and log under a temporary directory, listening for SMTP on one loopback
// port and handing local mail to lmtpd.
type privatePostfix struct {
	t       *testing.T
	confDir string
	smtp    string // host:port of its smtpd
	maillog string
}

// postfixMainCf: local delivery through local(8) with mailbox_transport
// to lmtpd, as Cyrus's documentation sets Postfix up; every local
// recipient is accepted at SMTP time, so lmtpd decides who exists.
const postfixMainCf = `compatibility_level = 3.6
queue_directory = {{dir}}/queue
data_directory = {{dir}}/data
mail_owner = postfix
setgid_group = postdrop
myhostname = mx.example.test
mydomain = example.test
myorigin = example.test
mydestination = example.test
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
alias_maps =
alias_database =
local_recipient_maps =
mailbox_transport = lmtp:unix:{{lmtp}}
default_transport = error:no mail leaves the test
relayhost =
biff = no
smtputf8_enable = no
maillog_file = {{dir}}/maillog
maillog_file_prefixes = {{dir}}
`

// postfixMasterCf: the services local delivery needs, none chrooted.
const postfixMasterCf = `{{smtp}} inet n - n - - smtpd
pickup    unix  n - n 60    1 pickup
cleanup   unix  n - n -     0 cleanup
qmgr      unix  n - n 300   1 qmgr
rewrite   unix  - - n -     - trivial-rewrite
bounce    unix  - - n -     0 bounce
defer     unix  - - n -     0 bounce
trace     unix  - - n -     0 bounce
verify    unix  - - n -     1 verify
flush     unix  n - n 1000? 0 flush
proxymap  unix  - - n -     - proxymap
showq     unix  n - n -     - showq
error     unix  - - n -     - error
retry     unix  - - n -     - error
discard   unix  - - n -     - discard
local     unix  - n n -     - local
lmtp      unix  - - n -     - lmtp
anvil     unix  - - n -     1 anvil
scache    unix  - - n -     1 scache
postlog   unix-dgram n - n - 1 postlogd
`

// startPostfix writes the configuration into dir and starts Postfix,
// handing mail for postfixDomain to the LMTP socket lmtpSock. It is
// stopped in t.Cleanup.
func startPostfix(t *testing.T, postfix, dir, lmtpSock string) *privatePostfix {
	t.Helper()
	pf := &privatePostfix{t: t, confDir: filepath.Join(dir, "etc"), smtp: freeLoopback(t), maillog: filepath.Join(dir, "maillog")}
	owner, err := user.Lookup("postfix")
	if err != nil {
		t.Fatalf("the postfix package made no postfix user: %v", err)
	}
	uid, _ := strconv.Atoi(owner.Uid)
	for _, d := range []string{pf.confDir, filepath.Join(dir, "queue"), filepath.Join(dir, "data")} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	// master takes its lock in data_directory as the mail owner; the queue
	// directory's subdirectories are made by postfix-script at start.
	if err := os.Chown(filepath.Join(dir, "data"), uid, -1); err != nil {
		t.Fatal(err)
	}
	expand := strings.NewReplacer("{{dir}}", dir, "{{lmtp}}", lmtpSock, "{{smtp}}", pf.smtp)
	for name, text := range map[string]string{"main.cf": postfixMainCf, "master.cf": postfixMasterCf} {
		if err := os.WriteFile(filepath.Join(pf.confDir, name), []byte(expand.Replace(text)), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if out, err := exec.Command(postfix, "-c", pf.confDir, "start").CombinedOutput(); err != nil {
		t.Fatalf("postfix start: %v\n%s\n%s", err, out, pf.log())
	}
	t.Cleanup(pf.stop)
	return pf
}

func (pf *privatePostfix) log() string {
	b, _ := os.ReadFile(pf.maillog)
	return string(b)
}

// stop stops Postfix and waits until its master is gone, so the temporary
// directory can be removed.
func (pf *privatePostfix) stop() {
	postfix := postfixBinary()
	exec.Command(postfix, "-c", pf.confDir, "stop").Run()
	for deadline := time.Now().Add(hangTimeout); ; {
		if exec.Command(postfix, "-c", pf.confDir, "status").Run() != nil {
			break
		}
		if time.Now().After(deadline) {
			exec.Command(postfix, "-c", pf.confDir, "abort").Run()
			pf.t.Errorf("postfix did not stop within %v", hangTimeout)
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if pf.t.Failed() {
		pf.t.Logf("postfix maillog:\n%s", pf.log())
	}
}

// sendmail submits msg with Postfix's own sendmail (through postdrop and
// pickup, the path local programs take).
func (pf *privatePostfix) sendmail(from, msg string, rcpts ...string) {
	pf.t.Helper()
	sendmail := filepath.Join(filepath.Dir(postfixBinary()), "sendmail")
	cmd := exec.Command(sendmail, append([]string{"-C", pf.confDir, "-f", from}, rcpts...)...)
	cmd.Stdin = strings.NewReader(msg)
	if out, err := cmd.CombinedOutput(); err != nil {
		pf.t.Fatalf("sendmail: %v\n%s", err, out)
	}
}

// pySMTP submits messages to an SMTP server with Python's smtplib and
// prints, per message, the recipients it refused ({} when none).
const pySMTP = `
import json, smtplib, sys
spec = json.load(sys.stdin)
c = smtplib.SMTP(spec["host"], spec["port"], timeout=30)
c.ehlo("client.example.test")
out = []
for m in spec["msgs"]:
    out.append({r: v[0] for r, v in c.sendmail(m["from"], m["rcpts"], m["msg"].encode()).items()})
c.quit()
print(json.dumps(out))
`

type smtpSubmission struct {
	From  string   `json:"from"`
	Rcpts []string `json:"rcpts"`
	Msg   string   `json:"msg"`
}

// smtpSubmit hands the messages to Postfix's smtpd in one session.
func (pf *privatePostfix) smtpSubmit(msgs ...smtpSubmission) []map[string]int {
	pf.t.Helper()
	host, port, _ := strings.Cut(pf.smtp, ":")
	p, _ := strconv.Atoi(port)
	spec, _ := json.Marshal(map[string]any{"host": host, "port": p, "msgs": msgs})
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "python3", "-c", pySMTP)
	cmd.Stdin = bytes.NewReader(spec)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		pf.t.Fatalf("python smtplib: %v\n%s", err, errb.String())
	}
	var refused []map[string]int
	if err := json.Unmarshal(out.Bytes(), &refused); err != nil {
		pf.t.Fatalf("python output %q: %v", out.String(), err)
	}
	return refused
}

func postfixBinary() string {
	if p, err := exec.LookPath("postfix"); err == nil {
		return p
	}
	return "/usr/sbin/postfix"
}

// postfixMessage is a message from bob in postfixDomain.
func postfixMessage(id, to, subject string) string {
	return fmt.Sprintf("From: Bob <bob@%[1]s>\r\nTo: <%[2]s>\r\nSubject: %[3]s\r\n"+
		"Date: Tue, 07 Jan 2025 09:00:01 +0000\r\nMessage-ID: <%[4]s>\r\n\r\nHello through Postfix.\r\n.a leading dot\r\n",
		postfixDomain, to, subject, id)
}

// waitForMessages polls until each mailbox holds at least the given number
// of messages, returning their contents.
func waitForMessages(t *testing.T, s *site, want map[string]int, timeout time.Duration) map[string][]string {
	t.Helper()
	for deadline := time.Now().Add(timeout); ; {
		got := map[string][]string{}
		done := true
		withSiteStore(t, s, func(st *store.Store) {
			for box, n := range want {
				got[box] = storedMessages(t, st, box)
				done = done && len(got[box]) >= n
			}
		})
		if done {
			return got
		}
		if time.Now().After(deadline) {
			for box, n := range want {
				t.Errorf("%s holds %d messages, want %d", box, len(got[box]), n)
			}
			t.FailNow()
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// TestLMTPThroughPostfix runs Debian's Postfix as a private instance with
// mailbox_transport = lmtp:unix:<lmtpd socket>: mail submitted over SMTP
// and with Postfix's sendmail lands in the users' INBOXes, and mail for an
// unknown user is refused by lmtpd (550 5.1.1) and bounced to the sender.
func TestLMTPThroughPostfix(t *testing.T) {
	postfix := postfixBinary()
	if _, err := os.Stat(postfix); err != nil {
		t.Skip("needs Debian package postfix")
	}
	if os.Geteuid() != 0 {
		t.Skip("a private Postfix instance needs root (its daemons switch to the postfix user)")
	}
	if _, err := exec.LookPath("python3"); err != nil {
		t.Skip("needs python3")
	}
	// Postfix's lmtp client runs as the postfix user: it must reach the
	// socket through the temporary directories.
	base := t.TempDir()
	for _, d := range []string{filepath.Dir(base), base} {
		if err := os.Chmod(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	sockDir := filepath.Join(base, "lmtp")
	if err := os.Mkdir(sockDir, 0o755); err != nil {
		t.Fatal(err)
	}
	sock := filepath.Join(sockDir, "lmtp.sock")

	s := newSite(t, "servername: mx."+postfixDomain)
	serveDatabases(t, s)
	createMailboxes(t, s, "user.alice", "user.bob", "user.carol")
	runLMTPD(t, s, sock)
	if err := os.Chmod(sock, 0o666); err != nil {
		t.Fatal(err)
	}
	pf := startPostfix(t, postfix, filepath.Join(base, "postfix"), sock)

	bob := "bob@" + postfixDomain
	refused := pf.smtpSubmit(
		smtpSubmission{From: bob, Rcpts: []string{"alice@" + postfixDomain},
			Msg: postfixMessage("smtp.1@example.test", "alice@"+postfixDomain, "over SMTP")},
		smtpSubmission{From: bob, Rcpts: []string{"alice@" + postfixDomain, "carol@" + postfixDomain},
			Msg: postfixMessage("smtp.2@example.test", "alice, carol", "two recipients")},
		smtpSubmission{From: bob, Rcpts: []string{"nosuch@" + postfixDomain},
			Msg: postfixMessage("unknown.1@example.test", "nosuch@"+postfixDomain, "nobody home")},
	)
	for i, r := range refused {
		if len(r) != 0 {
			t.Errorf("smtpd refused recipients of message %d: %v", i, r)
		}
	}
	pf.sendmail(bob, strings.ReplaceAll(postfixMessage("sendmail.1@example.test", "alice@"+postfixDomain, "with sendmail"), "\r\n", "\n"),
		"alice@"+postfixDomain)

	got := waitForMessages(t, s, map[string]int{"user.alice": 3, "user.carol": 1, "user.bob": 1}, 60*time.Second)

	ids := map[string]int{}
	for _, raw := range got["user.alice"] {
		ids[messageID(raw)]++
		if !strings.HasPrefix(raw, "Return-Path: <"+bob+">\r\n") ||
			!strings.Contains(raw, "by mx.example.test (Postfix") ||
			!strings.Contains(raw, "\r\n.a leading dot\r\n") {
			t.Errorf("stored in alice's INBOX:\n%s", raw)
		}
	}
	for _, id := range []string{"<smtp.1@example.test>", "<smtp.2@example.test>", "<sendmail.1@example.test>"} {
		if ids[id] != 1 {
			t.Errorf("alice's INBOX holds %s %d times", id, ids[id])
		}
	}
	if len(got["user.alice"]) != 3 {
		t.Errorf("alice's INBOX holds %d messages, want 3", len(got["user.alice"]))
	}
	if len(got["user.carol"]) != 1 || messageID(got["user.carol"][0]) != "<smtp.2@example.test>" {
		t.Errorf("carol's INBOX: %q", got["user.carol"])
	}

	// The bounce: Postfix's DSN to bob quotes lmtpd's reply and the
	// original message's headers.
	if len(got["user.bob"]) != 1 {
		t.Fatalf("bob's INBOX holds %d messages, want the bounce", len(got["user.bob"]))
	}
	dsn := got["user.bob"][0]
	for _, want := range []string{"Content-Type: multipart/report; report-type=delivery-status",
		"Final-Recipient: rfc822; nosuch@example.test", "Status: 5.1.1", "550 5.1.1", "Message-ID: <unknown.1@example.test>"} {
		if !strings.Contains(dsn, want) {
			t.Errorf("bounce lacks %q:\n%s", want, dsn)
		}
	}
	if log := pf.log(); !strings.Contains(log, "status=bounced") || strings.Contains(log, "status=deferred") {
		t.Errorf("postfix log:\n%s", log)
	}
}
