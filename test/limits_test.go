package test

import (
	"net"
	"strings"
	"testing"
)

// The imapd.conf options autoexpunge, maxlogins_per_user,
// maxlogins_per_host and lmtp_strict_rfc2821, driven with Python's
// imaplib, poplib and smtplib.LMTP against the real daemons.

// imaplibAutoexpunge leaves alice's INBOX in each way a client can and
// reports the INBOX's message count after each (alice starts with 2).
const imaplibAutoexpunge = `
import imaplib, json, socket, sys, time
host, port = sys.argv[1], int(sys.argv[2])
msg = b"From: a@example.org\r\nSubject: refill\r\n\r\nbody\r\n"
def login():
    c = imaplib.IMAP4(host, port, timeout=20)
    c.login("alice", "secret")
    return c
def count(c):
    typ, dat = c.status("INBOX", "(MESSAGES)")
    return int(dat[0].decode().split("MESSAGES ")[1].rstrip(")"))
def refill(c):
    while count(c) < 2:
        c.append("INBOX", None, None, msg)
def mark(c, box="INBOX"):
    c.select(box)
    c.store("1", "+FLAGS.SILENT", "(\\Deleted)")
out = {}
a = login()
mark(a); a.unselect()
out["unselect"] = count(a)
refill(a); mark(a); a.select("Work")
out["select_other"] = count(a)
refill(a); mark(a); a.select("Work", readonly=True)
out["examine_other"] = count(a)
a.unselect()
refill(a)
# EXAMINE never expunges: another session sets \Deleted and stays.
b = login(); mark(b)
a.select("INBOX", readonly=True); a.unselect()
out["examine"] = count(a)
b.store("1", "-FLAGS.SILENT", "(\\Deleted)"); b.logout()
# Without the e right nothing is expunged.
a.setacl("Work", "alice", "lrswit")
a.append("Work", None, None, msg)
mark(a, "Work"); a.unselect()
typ, dat = a.status("Work", "(MESSAGES)")
out["work_without_e"] = dat[0].decode()
a.setacl("Work", "alice", "lrswipkxtecda")
a.select("Work"); a.unselect()
typ, dat = a.status("Work", "(MESSAGES)")
out["work_with_e"] = dat[0].decode()
mark(a); a.logout()
c = login()
out["logout"] = count(c)
refill(c)
d = login(); mark(d)
d.sock.shutdown(socket.SHUT_RDWR); d.sock.close()
for _ in range(250):
    n = count(c)
    if n < 2:
        break
    time.sleep(0.02)
out["dropped"] = n
c.logout()
print(json.dumps(out))
`

func TestAutoexpungeImaplib(t *testing.T) {
	s := newSite(t, "allowplaintext: yes", "autoexpunge: 1")
	addr := startImapd(t, s)
	host, port, _ := net.SplitHostPort(addr)
	var out map[string]any
	runPython(t, imaplibAutoexpunge, &out, host, port)
	want := map[string]any{
		"unselect": 1.0, "select_other": 1.0, "examine_other": 1.0, "examine": 2.0,
		"work_without_e": `Work (MESSAGES 1)`, "work_with_e": `Work (MESSAGES 0)`,
		"logout": 1.0, "dropped": 1.0,
	}
	for k, v := range want {
		if out[k] != v {
			t.Errorf("%s: %v, want %v", k, out[k], v)
		}
	}
}

// imaplibUnselectKeeps: without autoexpunge UNSELECT and LOGOUT leave
// \Deleted messages in place.
const imaplibUnselectKeeps = `
import imaplib, json, sys
host, port = sys.argv[1], int(sys.argv[2])
c = imaplib.IMAP4(host, port, timeout=20)
c.login("alice", "secret")
c.select("INBOX"); c.store("1", "+FLAGS.SILENT", "(\\Deleted)"); c.unselect()
c.select("INBOX"); c.select("Work"); c.logout()
c = imaplib.IMAP4(host, port, timeout=20)
c.login("alice", "secret")
print(json.dumps(c.status("INBOX", "(MESSAGES)")[1][0].decode()))
`

func TestAutoexpungeOffByDefault(t *testing.T) {
	s := newSite(t, "allowplaintext: yes")
	addr := startImapd(t, s)
	host, port, _ := net.SplitHostPort(addr)
	var out string
	runPython(t, imaplibUnselectKeeps, &out, host, port)
	if out != `INBOX (MESSAGES 2)` {
		t.Fatalf("STATUS after UNSELECT without autoexpunge: %s", out)
	}
}

// imaplibLimits logs in the users of argv[3] (comma-separated) and keeps
// them; then tries argv[4], logs the first session out and tries argv[4]
// again on the same connection until it succeeds.
const imaplibLimits = `
import imaplib, json, sys, time
host, port = sys.argv[1], int(sys.argv[2])
held = []
for u in sys.argv[3].split(","):
    c = imaplib.IMAP4(host, port, timeout=20)
    c.login(u, "secret")
    held.append(c)
out = {}
extra = imaplib.IMAP4(host, port, timeout=20)
try:
    extra.login(sys.argv[4], "secret")
    out["refusal"] = ""
except imaplib.IMAP4.error as e:
    a = e.args[0]
    out["refusal"] = a.decode() if isinstance(a, bytes) else str(a)
out["state"] = extra.state
held[0].logout()
out["retry"] = ""
for _ in range(250):
    try:
        typ, dat = extra.login(sys.argv[4], "secret")
        out["retry"] = typ
        break
    except imaplib.IMAP4.error:
        time.sleep(0.02)
extra.logout()
print(json.dumps(out))
`

func TestLimitsIMAPPerUser(t *testing.T) {
	s := newSite(t, "allowplaintext: yes", "maxlogins_per_user: 2")
	addr := startImapd(t, s)
	host, port, _ := net.SplitHostPort(addr)
	var out struct{ Refusal, State, Retry string }
	// bob's session does not count against alice.
	runPython(t, imaplibLimits, &out, host, port, "alice,alice,bob", "alice")
	if out.Refusal != "Too many open connections (2 of 2 for alice)" {
		t.Errorf("third login: %q", out.Refusal)
	}
	if out.State != "NONAUTH" {
		t.Errorf("state after the refusal: %q", out.State)
	}
	if out.Retry != "OK" {
		t.Errorf("login after one logged out: %q", out.Retry)
	}
}

func TestLimitsIMAPPerHost(t *testing.T) {
	s := newSite(t, "allowplaintext: yes", "maxlogins_per_host: 2")
	addr := startImapd(t, s)
	host, port, _ := net.SplitHostPort(addr)
	var out struct{ Refusal, State, Retry string }
	runPython(t, imaplibLimits, &out, host, port, "alice,bob", "cyrus")
	if out.Refusal != "Too many open connections (2 of 2 from [127.0.0.1])" {
		t.Errorf("third login from the host: %q", out.Refusal)
	}
	if out.State != "NONAUTH" || out.Retry != "OK" {
		t.Errorf("state %q, retry %q", out.State, out.Retry)
	}
}

// poplibLimits is imaplibLimits for POP3 (USER/PASS).
const poplibLimits = `
import json, poplib, sys, time
host, port = sys.argv[1], int(sys.argv[2])
def login(p, u):
    p.user(u)
    return p.pass_("secret").decode()
held = []
for u in sys.argv[3].split(","):
    p = poplib.POP3(host, port, timeout=20)
    login(p, u)
    held.append(p)
out = {}
extra = poplib.POP3(host, port, timeout=20)
try:
    out["refusal"] = login(extra, sys.argv[4])
except poplib.error_proto as e:
    out["refusal"] = e.args[0].decode()
try:
    extra.stat()
    out["stat"] = "allowed"
except poplib.error_proto as e:
    out["stat"] = e.args[0].decode()
held[0].quit()
out["retry"] = ""
for _ in range(250):
    try:
        out["retry"] = login(extra, sys.argv[4])
        break
    except poplib.error_proto:
        time.sleep(0.02)
extra.quit()
print(json.dumps(out))
`

func TestLimitsPOP3(t *testing.T) {
	tests := []struct {
		name, conf, held, extra, refusal string
	}{
		{"per user", "maxlogins_per_user: 2", "alice,alice,bob", "alice", "-ERR Too many open connections (2 of 2 for alice)"},
		{"per host", "maxlogins_per_host: 2", "alice,bob", "alice", "-ERR Too many open connections (2 of 2 from [127.0.0.1])"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := newSite(t, "allowplaintext: 1", tc.conf)
			popFixture(t, s, popMessages)
			popFixtureFor(t, s, "bob", popMessages[:1])
			addr := startPop3d(t, s)
			host, port, _ := net.SplitHostPort(addr)
			var out struct{ Refusal, Stat, Retry string }
			runPython(t, poplibLimits, &out, host, port, tc.held, tc.extra)
			if out.Refusal != tc.refusal {
				t.Errorf("refusal %q, want %q", out.Refusal, tc.refusal)
			}
			if !strings.HasPrefix(out.Stat, "-ERR") {
				t.Errorf("STAT after the refusal: %q", out.Stat)
			}
			if !strings.HasPrefix(out.Retry, "+OK Mailbox locked and ready") {
				t.Errorf("login after one quit: %q", out.Retry)
			}
		})
	}
}

// lmtp8bit sends MAIL FROM (from bob@example.org instead when refused)
// and RCPT TO with an 8-bit (UTF-8) local part and, when the recipient is
// taken, a message.
const lmtp8bit = `
import json, smtplib, sys
host, port = sys.argv[1], int(sys.argv[2])
c = smtplib.LMTP(host, port)
c.command_encoding = "utf-8"
c.ehlo("client.example")
out = {}
out["mail8"] = list(c.mail("b\u00e9a@example.org"))
if out["mail8"][0] != 250:
    c.rset()
    c.command_encoding = "utf-8"  # rset sets it back to ascii
    c.mail("bob@example.org")
out["rcpt"] = list(c.rcpt("j\u00f6rg@localhost"))
if out["rcpt"][0] == 250:
    out["data"] = c.data(b"Subject: umlaut\r\n\r\nhello\r\n")[0]
c.quit()
for k in ("mail8", "rcpt"):
    out[k] = [out[k][0], out[k][1].decode()]
print(json.dumps(out))
`

func TestStrictRFC2821LMTP(t *testing.T) {
	type reply struct {
		Mail8, Rcpt []any
		Data        int
	}
	t.Run("strict by default", func(t *testing.T) {
		ls := newLMTPSite(t, "servername: localhost")
		ls.mkbox("user.jxxrg", "")
		ls.start()
		host, port, _ := net.SplitHostPort(ls.tcp)
		var out reply
		runPython(t, lmtp8bit, &out, host, port)
		for name, r := range map[string][]any{"MAIL": out.Mail8, "RCPT": out.Rcpt} {
			if len(r) != 2 || r[0] != 501.0 || r[1] != "5.5.4 Syntax error in parameters" {
				t.Errorf("%s with an 8-bit local part: %v", name, r)
			}
		}
		if n := len(ls.messages("user.jxxrg")); n != 0 {
			t.Errorf("user.jxxrg got %d messages", n)
		}
	})
	t.Run("rewritten with lmtp_strict_rfc2821 0", func(t *testing.T) {
		// 8-bit bytes become X, and lmtp_downcase_rcpt then makes jXXrg jxxrg.
		ls := newLMTPSite(t, "servername: localhost", "lmtp_strict_rfc2821: 0")
		ls.mkbox("user.jxxrg", "")
		ls.start()
		host, port, _ := net.SplitHostPort(ls.tcp)
		var out reply
		runPython(t, lmtp8bit, &out, host, port)
		if len(out.Mail8) != 2 || out.Mail8[0] != 250.0 {
			t.Errorf("MAIL with an 8-bit local part: %v", out.Mail8)
		}
		if len(out.Rcpt) != 2 || out.Rcpt[0] != 250.0 || out.Data != 250 {
			t.Fatalf("RCPT %v, DATA %d", out.Rcpt, out.Data)
		}
		msgs := ls.messages("user.jxxrg")
		if len(msgs) != 1 || !strings.Contains(msgs[0], "Subject: umlaut") {
			t.Fatalf("user.jxxrg: %q", msgs)
		}
		if !strings.Contains(msgs[0], "Return-Path: <bXXa@example.org>") {
			t.Errorf("the sender's 8-bit local part is not rewritten: %q", msgs[0])
		}
	})
}
