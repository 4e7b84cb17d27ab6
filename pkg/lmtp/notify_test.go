package lmtp

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gocyrus/pkg/sieve"
	"gocyrus/pkg/sievescripts"
)

// notifySite is lmtpd with a sendmail that records each call as
// "ARGS: <argv>", the message and "--END--", or fails when failing.
type notifySite struct {
	t    *testing.T
	srv  *Server
	addr string
	log  string
}

func newNotifySite(t *testing.T, failing bool) *notifySite {
	t.Helper()
	dir := t.TempDir()
	logPath := filepath.Join(dir, "sent")
	sm := filepath.Join(dir, "sendmail")
	script := fmt.Sprintf("#!/bin/sh\n{ echo \"ARGS: $*\"; cat; echo \"--END--\"; } >> %q\n", logPath)
	if failing {
		script = "#!/bin/sh\ncat >/dev/null\necho 'relay down' >&2\nexit 75\n"
	}
	if err := os.WriteFile(sm, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	srv, addr := newTestServer(t, []string{"user.alice"}, "sendmail: "+sm)
	return &notifySite{t: t, srv: srv, addr: addr, log: logPath}
}

func (ns *notifySite) activate(src string) {
	ns.t.Helper()
	d, err := sievescripts.FromConfig(ns.srv.store.Config()).UserDir("alice")
	if err != nil {
		ns.t.Fatal(err)
	}
	if err := d.Put("n", []byte(src)); err != nil {
		ns.t.Fatal(err)
	}
	if err := d.SetActive("n"); err != nil {
		ns.t.Fatal(err)
	}
}

// sent returns the recorded sendmail calls.
func (ns *notifySite) sent() []string {
	b, err := os.ReadFile(ns.log)
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		ns.t.Fatal(err)
	}
	var out []string
	for _, part := range strings.Split(string(b), "--END--\n") {
		if strings.TrimSpace(part) != "" {
			out = append(out, part)
		}
	}
	return out
}

func (ns *notifySite) inbox() int {
	ns.t.Helper()
	mb, _, err := ns.srv.store.Open(ns.t.Context(), "user.alice", 0)
	if err != nil {
		ns.t.Fatal(err)
	}
	defer mb.Close()
	v, err := mb.Snapshot()
	if err != nil {
		ns.t.Fatal(err)
	}
	return v.Exists()
}

func notifyMessage(id, extra string) string {
	return fmt.Sprintf("From: Carol <carol@remote.example>\r\nTo: alice@localhost\r\nSubject: lunch?\r\nMessage-ID: <%s>\r\n%s\r\nhi\r\n", id, extra)
}

func wantAll(t *testing.T, what, s string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(s, w) {
			t.Errorf("%s lacks %q:\n%s", what, w, s)
		}
	}
}

// TestNotifyDefault: a plain notify sends one mail from the null sender
// with Auto-Submitted: auto-notified, Cyrus's default subject and a body
// naming the message; the message is still kept.
func TestNotifyDefault(t *testing.T) {
	ns := newNotifySite(t, false)
	ns.activate(`require "enotify"; notify "mailto:bob@example.com";`)
	c := dialLMTP(t, ns.addr)
	if r := c.send("carol@remote.example", []string{"alice@localhost"}, notifyMessage("n1@x", "")); !strings.HasPrefix(r[0], "250 ") {
		t.Fatalf("reply %q", r)
	}
	sent := ns.sent()
	if len(sent) != 1 {
		t.Fatalf("%d mails sent, want 1: %q", len(sent), sent)
	}
	wantAll(t, "notification", sent[0],
		"ARGS: -i -f <> -- bob@example.com\n",
		"From: <alice@localhost>\r\n", "To: bob@example.com\r\n",
		"Subject: Carol <carol@remote.example>: lunch?\r\n",
		"Auto-Submitted: auto-notified; owner-email=\"alice@localhost\"\r\n",
		"X-Priority: 3 (Normal)\r\n", "Message-ID: <cmu-sieve-",
		"\r\n\r\nA new message has arrived for alice@localhost.\r\n",
		"From: Carol <carol@remote.example>\r\nSubject: lunch?\r\nMessage-ID: <n1@x>\r\n")
	if n := ns.inbox(); n != 1 {
		t.Errorf("INBOX holds %d messages, want 1", n)
	}
}

// TestNotifyURIHeaders: the URI's To/Cc/subject/body are used, its unsafe
// fields (From, Received, Auto-Submitted) are not; :from, :importance and
// :message apply; each recipient gets the mail once, and a second notify
// to the same URI is dropped.
func TestNotifyURIHeaders(t *testing.T) {
	ns := newNotifySite(t, false)
	ns.activate(`require "enotify";
notify :from "Alice Pager <pager@example.com>" :importance "1" :message "Urgent mail"
  "mailto:bob@example.com?cc=carol@example.com&subject=ignored&body=Look%20now&from=evil@example.com&received=x&auto-submitted=no&in-reply-to=%3Cq@x%3E";
notify "mailto:bob@example.com?cc=carol@example.com&subject=ignored&body=Look%20now&from=evil@example.com&received=x&auto-submitted=no&in-reply-to=%3Cq@x%3E";
notify :message "second" "mailto:dave@example.com?subject=From%20URI";`)
	c := dialLMTP(t, ns.addr)
	c.send("carol@remote.example", []string{"alice@localhost"}, notifyMessage("n2@x", ""))
	sent := ns.sent()
	if len(sent) != 3 {
		t.Fatalf("%d mails sent, want 3 (bob, carol, dave): %q", len(sent), sent)
	}
	for i, to := range []string{"bob@example.com", "carol@example.com"} {
		wantAll(t, "notification", sent[i], "ARGS: -i -f <> -- "+to+"\n",
			"From: Alice Pager <pager@example.com>\r\n", "To: bob@example.com\r\n", "Cc: carol@example.com\r\n",
			"Subject: Urgent mail\r\n", "X-Priority: 1 (Highest)\r\nImportance: high\r\n", "In-Reply-To: <q@x>\r\n",
			"Auto-Submitted: auto-notified;", "\r\n\r\nLook now\r\n")
		for _, bad := range []string{"evil@example.com", "Received:", "Auto-Submitted: no"} {
			if strings.Contains(sent[i], bad) {
				t.Errorf("notification carries %q:\n%s", bad, sent[i])
			}
		}
	}
	wantAll(t, "third notification", sent[2], "ARGS: -i -f <> -- dave@example.com\n", "Subject: second\r\n", "\r\nsecond\r\n")
}

// TestNotifySuppressed: nothing about Auto-Submitted messages (but
// "Auto-Submitted: no" is a person), nothing to the recipient's own
// address; the message is delivered in every case.
func TestNotifySuppressed(t *testing.T) {
	ns := newNotifySite(t, false)
	ns.activate(`require "enotify"; notify "mailto:bob@example.com"; notify "mailto:ALICE@localhost";`)
	c := dialLMTP(t, ns.addr)
	for i, extra := range []string{"Auto-Submitted: auto-replied\r\n", "Auto-Submitted: auto-notified; owner-email=\"x@y\"\r\n", "Auto-Submitted: No\r\n"} {
		if r := c.send("carol@remote.example", []string{"alice@localhost"}, notifyMessage(fmt.Sprintf("s%d@x", i), extra)); !strings.HasPrefix(r[0], "250 ") {
			t.Fatalf("reply %q", r)
		}
	}
	sent := ns.sent()
	if len(sent) != 1 || !strings.HasPrefix(sent[0], "ARGS: -i -f <> -- bob@example.com\n") || !strings.Contains(sent[0], "<s2@x>") {
		t.Fatalf("want one notification to bob about <s2@x>, got %q", sent)
	}
	if n := ns.inbox(); n != 3 {
		t.Errorf("INBOX holds %d messages, want 3", n)
	}
}

// TestNotifySendmailFails: a notification that cannot be sent does not
// fail the delivery.
func TestNotifySendmailFails(t *testing.T) {
	ns := newNotifySite(t, true)
	ns.activate(`require "enotify"; notify "mailto:bob@example.com";`)
	c := dialLMTP(t, ns.addr)
	if r := c.send("carol@remote.example", []string{"alice@localhost"}, notifyMessage("f1@x", "")); !strings.HasPrefix(r[0], "250 ") {
		t.Fatalf("reply %q", r)
	}
	if n := ns.inbox(); n != 1 {
		t.Errorf("INBOX holds %d messages, want 1", n)
	}
}

// TestNotifyWithReject: the notification goes out and the message is refused.
func TestNotifyWithReject(t *testing.T) {
	ns := newNotifySite(t, false)
	ns.activate(`require ["enotify", "reject"]; notify "mailto:bob@example.com"; reject "no";`)
	c := dialLMTP(t, ns.addr)
	if r := c.send("carol@remote.example", []string{"alice@localhost"}, notifyMessage("rj@x", "")); !strings.HasPrefix(r[0], "550 5.7.1 no") {
		t.Fatalf("reply %q", r)
	}
	if sent := ns.sent(); len(sent) != 1 {
		t.Errorf("%d notifications, want 1", len(sent))
	}
	if n := ns.inbox(); n != 0 {
		t.Errorf("rejected message stored")
	}
}

// TestNotifyRuntimeInvalidMethod: a computed method that is not a mailto
// URI fails the script: the message is kept with $SieveFailed, nothing sent.
func TestNotifyRuntimeInvalidMethod(t *testing.T) {
	ns := newNotifySite(t, false)
	ns.activate(`require ["enotify", "variables"]; set "m" "xmpp:bob@example.com"; notify "${m}"; discard;`)
	c := dialLMTP(t, ns.addr)
	if r := c.send("carol@remote.example", []string{"alice@localhost"}, notifyMessage("rt@x", "")); !strings.HasPrefix(r[0], "250 ") {
		t.Fatalf("reply %q", r)
	}
	if sent := ns.sent(); len(sent) != 0 {
		t.Errorf("sent %q", sent)
	}
	if n := ns.inbox(); n != 1 {
		t.Errorf("INBOX holds %d messages, want the failed script's keep", n)
	}
}

func TestOwnAddresses(t *testing.T) {
	s := &Server{servername: "mx.example"}
	mine := s.ownAddresses(&rcpt{addr: "Alice+box@Example.org"}, sieveOwner{id: "alice"})
	for a, want := range map[string]bool{"alice+box@example.org": true, "alice@example.org": true, "alice@mx.example": true, "bob@example.org": false} {
		if mine[a] != want {
			t.Errorf("%s own: %v", a, mine[a])
		}
	}
	if got := s.notSelf([]string{"ALICE@example.org", "bob@example.org"}, mine); len(got) != 1 || got[0] != "bob@example.org" {
		t.Errorf("notSelf = %q", got)
	}
}

func TestNotificationSubject(t *testing.T) {
	m := &sieve.Mailto{Subject: "uri", HasSubject: true}
	for _, tc := range []struct {
		n    sieve.NotifyAction
		want string
	}{
		{sieve.NotifyAction{Mailto: m, Message: "explicit", HasMessage: true}, "explicit"},
		{sieve.NotifyAction{Mailto: m, Message: "default"}, "uri"},
		{sieve.NotifyAction{Mailto: &sieve.Mailto{}, Message: "default"}, "default"},
	} {
		if got := notificationSubject(&tc.n); got != tc.want {
			t.Errorf("subject %q, want %q", got, tc.want)
		}
	}
}
