package imapserver

import (
	"context"
	"strings"
	"testing"

	"gocyrus/pkg/mailbox"
	"gocyrus/pkg/quota"
)

// flagsBefore checks that lines hold a FLAGS response listing kw, with
// PERMANENTFLAGS listing it too, before the first FETCH that shows kw.
func flagsBefore(t *testing.T, lines []string, kw string) {
	t.Helper()
	flags, perm, fetch := -1, -1, -1
	for i, l := range lines {
		switch {
		case flags < 0 && strings.HasPrefix(l, "* FLAGS (") && strings.Contains(l, " "+kw+")"):
			flags = i
		case perm < 0 && strings.HasPrefix(l, "* OK [PERMANENTFLAGS (") && strings.Contains(l, " "+kw+" \\*)]"):
			perm = i
		case fetch < 0 && strings.Contains(l, " FETCH (") && strings.Contains(l, kw):
			fetch = i
		}
	}
	if flags < 0 || perm < 0 || (fetch >= 0 && (flags > fetch || perm > fetch)) {
		t.Fatalf("want FLAGS and PERMANENTFLAGS with %s before any FETCH showing it:\n%s", kw, strings.Join(lines, "\n"))
	}
}

// TestNewKeywordAnnouncedToEverySession: RFC 3501 §7.2.6 — a keyword new
// to the mailbox, whoever introduces it (STORE, APPEND, COPY, delivery
// behind the server's back), is listed in FLAGS and PERMANENTFLAGS to
// every session with the mailbox selected before a FETCH shows it, and
// only once.
func TestNewKeywordAnnouncedToEverySession(t *testing.T) {
	s := newTestSite(t)
	s.deliver("user.alice", testMessage("one"), testMessage("two"))
	a := s.login("alice")
	a.ok("SELECT INBOX")
	b := s.login("alice")
	b.ok("SELECT INBOX")

	// STORE: the storing session hears of it before its own FETCH.
	flagsBefore(t, b.ok("STORE 1 +FLAGS (stored)"), "stored")
	// The other session, on its next command: NOOP, or a FETCH first.
	flagsBefore(t, a.ok("NOOP"), "stored")
	if u := a.ok("NOOP"); len(u) != 0 {
		t.Fatalf("told twice: %q", u)
	}
	b.ok("STORE 2 +FLAGS.SILENT (fetched)")
	flagsBefore(t, a.ok("FETCH 2 (FLAGS)"), "fetched")

	// APPEND into the selected mailbox, by this session and another.
	u := b.ok("APPEND INBOX (appended) {" + strconvItoa(len(testMessage("three"))) + "+}\r\n" + testMessage("three"))
	flagsBefore(t, u, "appended")
	flagsBefore(t, a.ok("NOOP"), "appended")

	// COPY from another mailbox into the selected one.
	c := s.login("alice")
	c.ok("SELECT Work")
	c.ok("APPEND Work (copied) {" + strconvItoa(len(testMessage("four"))) + "+}\r\n" + testMessage("four"))
	c.ok("COPY 1 INBOX")
	flagsBefore(t, a.ok("NOOP"), "copied")

	// Delivery by another process (lmtpd with a Sieve addflag).
	mb, _, err := s.st.Open(context.Background(), "user.alice", quota.Ignore)
	if err != nil {
		t.Fatal(err)
	}
	defer mb.Close()
	if _, err := mb.Append(context.Background(), []mailbox.AppendMessage{
		{Body: strings.NewReader(testMessage("five")), Keywords: []string{"sieved"}},
	}); err != nil {
		t.Fatal(err)
	}
	flagsBefore(t, a.ok("NOOP"), "sieved")

	// EXAMINE: PERMANENTFLAGS follows the session's rights (none).
	e := s.login("alice")
	e.ok("EXAMINE INBOX")
	b.ok("STORE 1 +FLAGS.SILENT (late)")
	u = e.ok("NOOP")
	hasPrefix(t, u, "* FLAGS (")
	has(t, u, "* OK [PERMANENTFLAGS ()] Ok")
}
