package test

import (
	"fmt"
	"strings"
	"testing"
)

// waitUntagged reads lines until one contains every part (a deadline
// bounds each read), returning it; the lines before it are skipped.
func (c *rawIMAP) waitUntagged(parts ...string) string {
	c.t.Helper()
	for {
		l := c.line()
		all := true
		for _, p := range parts {
			all = all && strings.Contains(l, p)
		}
		if all {
			return l
		}
		c.t.Logf("skipping %q", l)
	}
}

// TestImapNotifyAcrossProcesses: RFC 5465 — session A (one imapd) asks
// NOTIFY for its personal mailboxes and idles; session B (another imapd
// process) changes a mailbox A has not selected, renames it, creates and
// deletes one: A is told STATUS, then LIST with OLDNAME, LIST, LIST
// \NonExistent, while idling, without polling.
func TestImapNotifyAcrossProcesses(t *testing.T) {
	s := newSite(t, "allowplaintext: yes")
	addr1 := startImapd(t, s)           // alice: INBOX (2 messages), Work
	addr2 := startDaemon(t, s, "imapd") // a second process
	a := dialRaw(t, addr1)
	a.ok("LOGIN alice secret")
	if caps := strings.Join(a.ok("CAPABILITY"), " "); !strings.Contains(caps, " NOTIFY") {
		t.Fatalf("NOTIFY not advertised: %s", caps)
	}
	a.ok("SELECT INBOX")
	got := a.ok("NOTIFY SET STATUS (selected (MessageNew (UID BODY.PEEK[HEADER.FIELDS (From Subject)]) MessageExpunge)) (personal (MessageNew MessageExpunge MailboxName))")
	if len(got) != 1 || !strings.HasPrefix(got[0], "* STATUS ") || !strings.Contains(got[0], "Work") ||
		!strings.Contains(got[0], "MESSAGES 0 UIDNEXT 1 ") {
		t.Fatalf("NOTIFY SET STATUS: want the STATUS of Work only, got %q", got)
	}
	b := dialRaw(t, addr2)
	b.ok("LOGIN alice secret")

	a.n++
	tag := fmt.Sprintf("t%d", a.n)
	a.send(tag + " IDLE")
	if l := a.line(); !strings.HasPrefix(l, "+") {
		t.Fatalf("IDLE: %q", l)
	}
	msg := "From: b@example.org\r\nSubject: notify\r\n\r\nhi\r\n"
	b.ok(fmt.Sprintf("APPEND Work {%d+}\r\n%s", len(msg), msg))
	a.waitUntagged("* STATUS ", "Work", "MESSAGES 1 UIDNEXT 2 ")

	b.ok("RENAME Work Play")
	a.waitUntagged("* LIST ", "Play", `("OLDNAME" (`, "Work")

	b.ok("CREATE Fresh")
	a.waitUntagged("* LIST ", "Fresh")
	b.ok("DELETE Fresh")
	a.waitUntagged("* LIST ", `\NonExistent`, "Fresh")

	a.send("DONE")
	a.waitUntagged(tag + " OK")

	// After NOTIFY NONE nothing more comes: B's change shows up in no
	// response of A's next command.
	a.ok("NOTIFY NONE")
	b.ok(fmt.Sprintf("APPEND Play {%d+}\r\n%s", len(msg), msg))
	if u := a.ok("NOOP"); len(u) != 0 {
		t.Fatalf("after NOTIFY NONE: %q", u)
	}
}

// TestImapNotifyRefusals: RFC 5465 §3, §5 — an unsupported event
// (AnnotationChange: no per-message annotations) is refused with
// [BADEVENT] listing what is supported; MessageNew without
// MessageExpunge and a bad filter are BAD; nothing changes the session.
func TestImapNotifyRefusals(t *testing.T) {
	s := newSite(t, "allowplaintext: yes")
	a := dialRaw(t, startImapd(t, s))
	a.ok("LOGIN alice secret")
	for _, c := range []struct{ cmd, want string }{
		{"NOTIFY SET (selected (AnnotationChange))", "NO [BADEVENT (MessageNew MessageExpunge FlagChange MailboxName SubscriptionChange MailboxMetadataChange ServerMetadataChange)]"},
		{"NOTIFY SET (personal (AnnotationChange MessageNew MessageExpunge))", "NO [BADEVENT "},
		{"NOTIFY SET (selected (MessageNew))", "BAD"},
		{"NOTIFY SET (selected (FlagChange))", "BAD"},
		{"NOTIFY SET (selected (MailboxName))", "BAD"},
		{"NOTIFY SET (nowhere (MessageNew MessageExpunge))", "BAD"},
		{"NOTIFY SET", "BAD"},
		{"NOTIFY SET (personal (MessageNew MessageExpunge)", "BAD"},
		{"NOTIFY BOGUS", "BAD"},
	} {
		a.n++
		tag := fmt.Sprintf("t%d", a.n)
		a.send(tag + " " + c.cmd)
		l := a.waitUntagged(tag + " ")
		if !strings.HasPrefix(l, tag+" "+c.want) {
			t.Errorf("%s: got %q, want %s", c.cmd, l, c.want)
		}
	}
	// RFC 5465 §3's example groups parse.
	a.ok("NOTIFY SET (selected (MessageNew (uid body.peek[header.fields (from to subject)]) MessageExpunge)) (subtree Work (MessageNew MessageExpunge)) (mailboxes (Work INBOX) (MessageNew MessageExpunge FlagChange)) (subscribed (MailboxName)) (inboxes NONE)")
	a.ok("NOTIFY NONE")
}

// TestImapNotifySubscriptionsAndMetadataAcrossProcesses: RFC 5465 §5.6–5.8
// — session A (one imapd) asks for SubscriptionChange and the metadata
// events and idles; session B (another imapd process) subscribes,
// unsubscribes and sets metadata: A is told LIST with and without
// \Subscribed and METADATA naming the entry; a mailbox subscribed after
// NOTIFY SET joins the subscribed group.
func TestImapNotifySubscriptionsAndMetadataAcrossProcesses(t *testing.T) {
	s := newSite(t, "allowplaintext: yes")
	addr1 := startImapd(t, s)
	addr2 := startDaemon(t, s, "imapd")
	a := dialRaw(t, addr1)
	a.ok("LOGIN alice secret")
	a.ok("NOTIFY SET (personal (SubscriptionChange MailboxMetadataChange)) (subscribed (MessageNew MessageExpunge))")
	b := dialRaw(t, addr2)
	b.ok("LOGIN alice secret")

	a.n++
	tag := fmt.Sprintf("t%d", a.n)
	a.send(tag + " IDLE")
	if l := a.line(); !strings.HasPrefix(l, "+") {
		t.Fatalf("IDLE: %q", l)
	}
	b.ok("SUBSCRIBE Work")
	a.waitUntagged("* LIST (", `\Subscribed)`, "Work")
	msg := "From: b@example.org\r\nSubject: notify\r\n\r\nhi\r\n"
	b.ok(fmt.Sprintf("APPEND Work {%d+}\r\n%s", len(msg), msg))
	a.waitUntagged("* STATUS ", "Work", "MESSAGES 1 ")
	b.ok(`SETMETADATA Work (/private/comment "hello")`)
	a.waitUntagged("* METADATA ", "Work", "/private/comment")
	b.ok("UNSUBSCRIBE Work")
	if l := a.waitUntagged("* LIST (", "Work"); strings.Contains(l, `\Subscribed`) {
		t.Fatalf("UNSUBSCRIBE told as %q", l)
	}
	a.send("DONE")
	a.waitUntagged(tag + " OK")
}
