package imapserver

import (
	"context"
	"fmt"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"gocyrus/pkg/store"
)

// idleUntil idles until a line holding every part arrives and returns it
// with all the untagged lines of the IDLE; IDLE blocks on the change
// notification, so no polling.
func (c *conv) idleUntil(parts ...string) (string, []string) {
	c.t.Helper()
	c.n++
	tag := fmt.Sprintf("i%03d", c.n)
	c.write(tag + " IDLE\r\n")
	var got []string
	var match string
	idling := false // sync's pending responses come before the continuation
	for match == "" || !idling {
		l := c.line()
		switch {
		case strings.HasPrefix(l, "+"):
			idling = true
			continue
		case strings.HasPrefix(l, tag+" "):
			c.t.Fatalf("IDLE: %q", l)
		}
		got = append(got, l)
		all := match == ""
		for _, p := range parts {
			all = all && strings.Contains(l, p)
		}
		if all {
			match = l
		}
	}
	c.write("DONE\r\n")
	rest, st := c.until(tag)
	if !strings.HasPrefix(st, "OK") {
		c.t.Fatalf("IDLE ended with %q", st)
	}
	return match, append(got, rest...)
}

// TestNotifyOverflow: RFC 5465 §5.8 — more pending notifications than the
// bound are dropped for "* OK [NOTIFICATIONOVERFLOW]" and the session
// behaves as after NOTIFY NONE; at the bound they are all sent.
func TestNotifyOverflow(t *testing.T) {
	site := newTestSite(t)
	site.srv.testNotifyMax = 2
	ctx := context.Background()
	for _, n := range []string{"user.alice.A", "user.alice.B"} {
		if _, err := site.st.CreateMailbox(ctx, n, store.CreateOptions{Quota: store.QuotaIgnore}); err != nil {
			t.Fatal(err)
		}
	}
	a := site.login("alice")
	a.ok("NOTIFY SET (personal (MessageNew MessageExpunge))")
	// Two changes: within the bound, both told.
	site.deliver("user.alice.A", testMessage("a1"))
	site.deliver("user.alice.B", testMessage("b1"))
	_, got := a.idleUntil("* STATUS ")
	for !strings.Contains(strings.Join(got, "\n"), "* STATUS A ") || !strings.Contains(strings.Join(got, "\n"), "* STATUS B ") {
		_, more := a.idleUntil("* STATUS ")
		got = append(got, more...)
	}
	// Three at once: over the bound.
	site.deliver("user.alice.A", testMessage("a2"))
	site.deliver("user.alice.B", testMessage("b2"))
	site.deliver("user.alice.Work", testMessage("w2"))
	l, got := a.idleUntil("NOTIFICATIONOVERFLOW")
	if l != "* OK [NOTIFICATIONOVERFLOW] Too many notifications: NOTIFY NONE is in force" {
		t.Fatalf("overflow line %q", l)
	}
	for _, l := range got {
		if strings.HasPrefix(l, "* STATUS") {
			t.Fatalf("a notification was sent with the overflow: %q", got)
		}
	}
	// NOTIFY NONE is in force: nothing more comes.
	site.deliver("user.alice.A", testMessage("a3"))
	if u := a.ok("NOOP"); len(u) != 0 {
		t.Fatalf("after the overflow: %q", u)
	}
}

// TestNotifyFlagChangeStatus: RFC 5465 §5.3 — a flag change in a watched
// mailbox is told as STATUS only with FlagChange; without it, the next
// STATUS is that of a new message.
func TestNotifyFlagChangeStatus(t *testing.T) {
	site := newTestSite(t)
	site.deliver("user.alice.Work", testMessage("one"))
	a := site.login("alice")
	b := site.login("alice")
	b.ok("SELECT Work")

	a.ok("NOTIFY SET (personal (MessageNew MessageExpunge FlagChange))")
	b.ok(`STORE 1 +FLAGS (\Flagged)`)
	l, _ := a.idleUntil("* STATUS ")
	if want := "* STATUS Work (MESSAGES 1 UIDNEXT 2 UIDVALIDITY "; !strings.HasPrefix(l, want) {
		t.Fatalf("flag change: got %q, want %s...", l, want)
	}

	a.ok("NOTIFY SET (personal (MessageNew MessageExpunge))")
	b.ok(`STORE 1 -FLAGS (\Flagged)`)
	site.deliver("user.alice.Work", testMessage("two"))
	l, _ = a.idleUntil("* STATUS ")
	if st := l; !strings.Contains(st, "MESSAGES 2 UIDNEXT 3 ") {
		t.Fatalf("without FlagChange the flag change was told: %q", l)
	}
}

// TestNotifySubscriptionChange: RFC 5465 §5.6 — SUBSCRIBE and UNSUBSCRIBE
// by another session are told as LIST with and without \Subscribed.
func TestNotifySubscriptionChange(t *testing.T) {
	site := newTestSite(t)
	a := site.login("alice")
	b := site.login("alice")
	a.ok("NOTIFY SET (personal (SubscriptionChange))")
	b.ok("SUBSCRIBE Work")
	l, _ := a.idleUntil("* LIST ")
	if got, want := l, `* LIST (\HasNoChildren \Subscribed) "/" Work`; got != want {
		t.Fatalf("SUBSCRIBE: got %q, want %q", got, want)
	}
	b.ok("UNSUBSCRIBE Work")
	l, _ = a.idleUntil("* LIST ")
	if got, want := l, `* LIST (\HasNoChildren) "/" Work`; got != want {
		t.Fatalf("UNSUBSCRIBE: got %q, want %q", got, want)
	}
}

// TestNotifySubscribedFollows: RFC 5465 §6 — the subscribed group covers
// a mailbox subscribed after NOTIFY SET.
func TestNotifySubscribedFollows(t *testing.T) {
	site := newTestSite(t)
	a := site.login("alice")
	b := site.login("alice")
	a.ok("NOTIFY SET (subscribed (MessageNew MessageExpunge))")
	b.ok("SUBSCRIBE Work")
	// The subscription wakes the session too (its watches change), with
	// nothing to tell: then the delivery is told.
	a.ok("NOOP")
	site.deliver("user.alice.Work", testMessage("later"))
	l, _ := a.idleUntil("* STATUS ")
	if !strings.HasPrefix(l, "* STATUS Work (MESSAGES 1 UIDNEXT 2 ") {
		t.Fatalf("got %q", l)
	}
}

// TestNotifyMetadataChange: RFC 5465 §5.7, §5.8 — SETMETADATA by another
// session is told as "* METADATA mailbox entry", server metadata under "".
func TestNotifyMetadataChange(t *testing.T) {
	site := newTestSite(t)
	a := site.login("alice")
	b := site.login("alice")
	admin := site.login("cyrus")
	a.ok("NOTIFY SET (personal (MailboxMetadataChange ServerMetadataChange))")
	b.ok(`SETMETADATA Work (/private/comment "hello")`)
	l, _ := a.idleUntil("* METADATA ")
	if got, want := l, "* METADATA Work /private/comment"; got != want {
		t.Fatalf("mailbox metadata: got %q, want %q", got, want)
	}
	admin.ok(`SETMETADATA "" (/shared/comment "motd")`)
	l, _ = a.idleUntil("* METADATA ")
	if got, want := l, `* METADATA "" /shared/comment`; got != want {
		t.Fatalf("server metadata: got %q, want %q", got, want)
	}
}

// TestNotifyMessageNewFetch: RFC 5465 §5.1 — MessageNew's fetch
// attributes for the selected mailbox come as a FETCH after the EXISTS;
// attributes that would set \Seen are refused.
func TestNotifyMessageNewFetch(t *testing.T) {
	site := newTestSite(t)
	a := site.login("alice")
	a.ok("SELECT INBOX")
	a.expect("NOTIFY SET (selected (MessageNew (UID BODY[HEADER.FIELDS (Subject)]) MessageExpunge))", "BAD")
	a.ok("NOTIFY SET (selected (MessageNew (UID BODY.PEEK[HEADER.FIELDS (Subject)]) MessageExpunge))")
	site.deliver("user.alice", testMessage("fresh"))
	_, l := a.idleUntil("FETCH")
	joined := strings.Join(l, "\n")
	if !strings.Contains(joined, "* 1 EXISTS") || !strings.Contains(joined, "* 1 FETCH (UID 1 BODY[HEADER.FIELDS (Subject)] {18}\r\nSubject: fresh\r\n\r\n)") {
		t.Fatalf("got %q", l)
	}
	// The FETCH did not set \Seen.
	has(t, a.ok("FETCH 1 FLAGS"), `* 1 FETCH (FLAGS (\Recent))`)
}

// TestNotifyRefusalsAndHostile: unsupported and malformed NOTIFY SET are
// answered NO [BADEVENT] / BAD, bounded, and the session goes on.
func TestNotifyRefusalsAndHostile(t *testing.T) {
	site := newTestSite(t)
	a := site.login("alice")
	many := make([]string, 1001)
	for i := range many {
		many[i] = fmt.Sprintf("m%d", i)
	}
	for _, c := range []struct{ cmd, want string }{
		{"NOTIFY SET (selected (AnnotationChange))", "NO [BADEVENT (MessageNew MessageExpunge FlagChange MailboxName SubscriptionChange MailboxMetadataChange ServerMetadataChange)]"},
		{"NOTIFY SET (selected (SubscriptionChange))", "BAD"},
		{"NOTIFY SET (selected (MessageNew " + strings.Repeat("(", 5000) + " MessageExpunge))", "BAD"},
		{"NOTIFY SET (selected (MessageNew (" + strings.Repeat("BODY.PEEK[HEADER.FIELDS (", 100) + ")) MessageExpunge))", "BAD"},
		{"NOTIFY SET (mailboxes (" + strings.Join(many, " ") + ") (MessageNew MessageExpunge))", "BAD"},
		{"NOTIFY SET " + strings.Repeat("(mailboxes (a b c d e f g h i j) (MessageNew MessageExpunge)) ", 101), "BAD"},
		{"NOTIFY SET (mailboxes " + strings.Repeat("x", 60000) + " (MessageNew MessageExpunge))", "NO"},
	} {
		u, st := a.run(c.cmd)
		if !strings.HasPrefix(st, c.want) {
			t.Errorf("%.60s...: got %q, want %s", c.cmd, st, c.want)
		}
		if len(u) != 0 {
			t.Errorf("%.60s...: untagged %q", c.cmd, u)
		}
	}
	a.ok("NOOP")
}

// FuzzNotifySet feeds arbitrary NOTIFY SET arguments to a session: it
// answers the command (OK, NO or BAD) and goes on, never panicking.
func FuzzNotifySet(f *testing.F) {
	for _, s := range []string{
		"(selected (MessageNew (uid body.peek[header.fields (from to subject)]) MessageExpunge)) (subtree Work (MessageNew MessageExpunge)) (mailboxes (Work INBOX) (MessageNew MessageExpunge FlagChange)) (subscribed (MailboxName)) (inboxes NONE)",
		"STATUS (personal (MessageNew MessageExpunge FlagChange MailboxName SubscriptionChange MailboxMetadataChange ServerMetadataChange))",
		"(selected (AnnotationChange))", "(selected (MessageNew ((((", "(mailboxes {3+}\r\nabc (MessageNew MessageExpunge))",
		"(subtree (INBOX Work) NONE)", "(selected-delayed (MessageNew (BINARY.PEEK[1]<0.5>) MessageExpunge))", "",
	} {
		f.Add(s)
	}
	site := newTestSite(f)
	f.Fuzz(func(t *testing.T, input string) {
		c, err := net.Dial("tcp", site.addr)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		c.SetDeadline(time.Now().Add(hangTimeout))
		io.WriteString(c, "p1 LOGIN alice secret\r\np2 SELECT INBOX\r\nn NOTIFY SET "+input+"\r\nz LOGOUT\r\n")
		c.(*net.TCPConn).CloseWrite()
		out, err := io.ReadAll(c)
		if err != nil && !strings.Contains(err.Error(), "reset") {
			t.Fatalf("reading the session's output: %v (got %q)", err, out)
		}
		if !strings.Contains(string(out), "\r\nn ") && !strings.Contains(string(out), "* BYE") {
			t.Fatalf("NOTIFY SET %q was not answered: %q", input, out)
		}
	})
}

// TestNotifySelectedMetadataFollowsSelect: MailboxMetadataChange in the
// selected group reports the mailbox selected now, not the one selected
// at NOTIFY SET.
func TestNotifySelectedMetadataFollowsSelect(t *testing.T) {
	site := newTestSite(t)
	a := site.login("alice")
	b := site.login("alice")
	a.ok("NOTIFY SET (selected (MailboxMetadataChange))")
	a.ok("SELECT Work")
	b.ok(`SETMETADATA Work (/private/comment "one")`)
	if l, _ := a.idleUntil("* METADATA "); l != "* METADATA Work /private/comment" {
		t.Fatalf("selected Work: %q", l)
	}
	a.ok("SELECT INBOX")
	b.ok(`SETMETADATA Work (/private/comment "two")`)
	b.ok(`SETMETADATA INBOX (/private/comment "three")`)
	l, got := a.idleUntil("* METADATA ")
	if l != "* METADATA INBOX /private/comment" {
		t.Fatalf("selected INBOX: %q", got)
	}
	for _, x := range got {
		if strings.Contains(x, "Work") {
			t.Fatalf("a mailbox no longer selected was told: %q", got)
		}
	}
}
