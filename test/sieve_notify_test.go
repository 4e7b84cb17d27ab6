package test

import (
	"encoding/base64"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// notifyScript notifies bob about mail from carol, with Cyrus's default
// text, and about everything else with an explicit message and a URI
// that also carries unsafe header fields.
const notifyScript = `require ["enotify", "variables"];
if address :is "From" "carol@remote.example" {
  notify "mailto:bob@example.com";
  notify "mailto:bob@example.com";
} else {
  if header :matches "Subject" "*" { set :encodeurl "s" "${1}"; }
  notify :importance "1" :message "Mail about ${1}"
    "mailto:pager@example.com?cc=alice@localhost&subject=${s}&from=evil@example.com&received=forged";
}
`

// TestSieveNotifyEndToEnd: timsieved advertises enotify and NOTIFY
// "mailto", refuses a script with an unsupported method (naming line and
// column), stores and activates the notify script; lmtpd, fed by Python's
// smtplib.LMTP, sends the notifications through the configured sendmail:
// once per URI, from the null sender, Auto-Submitted: auto-notified,
// unsafe URI fields dropped, never to the recipient herself and never
// about an Auto-Submitted message. Every message is delivered.
func TestSieveNotifyEndToEnd(t *testing.T) {
	dir := t.TempDir()
	sendmailLog := filepath.Join(dir, "sendmail.log")
	sendmail := filepath.Join(dir, "sendmail")
	if err := os.WriteFile(sendmail, fmt.Appendf(nil, fakeSendmail, sendmailLog), 0o755); err != nil {
		t.Fatal(err)
	}
	ls := newLMTPSite(t, "servername: localhost", "allowplaintext: 1",
		"sievedir: "+filepath.Join(dir, "sieve"), "sendmail: "+sendmail)
	ls.must("s3cret\n", "saslpasswd", "-c", "-p", "alice")
	ls.mkbox("user.alice", "")

	m := msDial(t, startDaemon(t, ls.site, "timsieved"))
	caps := m.cmd("CAPABILITY")
	sieveLine := ""
	for _, l := range strings.Split(caps, "\r\n") {
		if strings.HasPrefix(l, `"SIEVE" `) {
			sieveLine = l
		}
	}
	if !strings.Contains(" "+strings.Trim(strings.TrimPrefix(sieveLine, `"SIEVE" `), `"`)+" ", " enotify ") || !strings.Contains(caps, "\"NOTIFY\" \"mailto\"\r\n") {
		t.Errorf("capabilities lack enotify / NOTIFY mailto:\n%s", caps)
	}
	ir := base64.StdEncoding.EncodeToString([]byte("\x00alice\x00s3cret"))
	if got := m.cmd(`AUTHENTICATE "PLAIN" "` + ir + `"`); got != "OK\r\n" {
		t.Fatalf("login: %q", got)
	}
	if got := m.put("bad", "require \"enotify\";\nnotify \"xmpp:bob@example.com\";\n"); !strings.HasPrefix(got, `NO "line 2 column 8: unsupported notification method`) {
		t.Errorf("PUTSCRIPT with an xmpp method: %q", got)
	}
	if got := m.put("bad", "require \"enotify\";\nnotify :importance \"0\" \"mailto:bob@example.com\";\n"); !strings.HasPrefix(got, `NO "line 2 column 20: :importance`) {
		t.Errorf("PUTSCRIPT with :importance 0: %q", got)
	}
	if got := m.put("notify", notifyScript); got != "OK\r\n" {
		t.Fatalf("PUTSCRIPT: %q", got)
	}
	if got := m.cmd(`SETACTIVE "notify"`); got != "OK\r\n" {
		t.Fatalf("SETACTIVE: %q", got)
	}

	ls.start()
	msg := func(id, from, subject, extra string) string {
		return fmt.Sprintf("From: %s\r\nTo: alice@localhost\r\nSubject: %s\r\nMessage-ID: <%s>\r\n%s\r\nHello.\r\n", from, subject, id, extra)
	}
	res := pySend(t, ls.unix,
		lmtpTx{From: "carol@remote.example", Rcpts: []string{"alice@localhost"}, Msg: msg("n1@x", "Carol <carol@remote.example>", "lunch?", "")},
		lmtpTx{From: "dan@remote.example", Rcpts: []string{"alice@localhost"}, Msg: msg("n2@x", "dan@remote.example", "build & test", "")},
		lmtpTx{From: "", Rcpts: []string{"alice@localhost"}, Msg: msg("n3@x", "Carol <carol@remote.example>", "out of office", "Auto-Submitted: auto-replied\r\n")},
	)
	for i, r := range res {
		if !eqInts(r.Data, []int{250}) {
			t.Errorf("message %d: DATA replies %v", i+1, r.Data)
		}
	}
	if n := len(ls.messages("user.alice")); n != 3 {
		t.Errorf("INBOX holds %d messages, want 3", n)
	}

	b, _ := os.ReadFile(sendmailLog)
	var sent []string
	for _, part := range strings.Split(string(b), "--END--\n") {
		if strings.TrimSpace(part) != "" {
			sent = append(sent, part)
		}
	}
	if len(sent) != 2 {
		t.Fatalf("%d mails sent, want 2 (bob once about n1, the pager about n2):\n%s", len(sent), b)
	}
	for _, want := range []string{"ARGS: -i -f <> -- bob@example.com\n", "From: <alice@localhost>\r\n", "To: bob@example.com\r\n",
		"Subject: Carol <carol@remote.example>: lunch?\r\n", "Auto-Submitted: auto-notified", "Subject: lunch?\r\n", "<n1@x>"} {
		if !strings.Contains(sent[0], want) {
			t.Errorf("notification to bob lacks %q:\n%s", want, sent[0])
		}
	}
	for _, want := range []string{"ARGS: -i -f <> -- pager@example.com\n", "To: pager@example.com\r\n",
		"Subject: Mail about build & test\r\n", "X-Priority: 1 (Highest)\r\n", "Auto-Submitted: auto-notified", "<n2@x>"} {
		if !strings.Contains(sent[1], want) {
			t.Errorf("notification to the pager lacks %q:\n%s", want, sent[1])
		}
	}
	for _, bad := range []string{"evil@example.com", "forged", "Cc: alice@localhost"} {
		if strings.Contains(sent[1], bad) {
			t.Errorf("notification to the pager carries %q:\n%s", bad, sent[1])
		}
	}
	if strings.Contains(string(b), "-- alice@localhost") {
		t.Errorf("a notification went to the recipient herself:\n%s", b)
	}
}

// TestSieveCheckNotify: sieve-check accepts an enotify script and names
// the line and column of a bad method.
func TestSieveCheckNotify(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.siv")
	bad := filepath.Join(dir, "bad.siv")
	os.WriteFile(good, []byte(notifyScript), 0o644)
	os.WriteFile(bad, []byte("require \"enotify\";\n\nnotify :message \"x\" \"mailto:\";\n"), 0o644)
	if r := runBin(t, "", "sieve-check", good); r.code != 0 {
		t.Errorf("good script: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if r := runBin(t, "", "sieve-check", bad); r.code != 1 || !strings.Contains(r.stdout, bad+":3:21: ") || !strings.Contains(r.stdout, "no recipient") {
		t.Errorf("bad script: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
}
