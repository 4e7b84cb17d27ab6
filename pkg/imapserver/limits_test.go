package imapserver

import (
	"context"
	"strings"
	"testing"
	"time"

	"gocyrus/pkg/quota"
)

// messages counts the live messages of an internal mailbox name.
func (s *testSite) messages(name string) int {
	s.t.Helper()
	mb, _, err := s.st.Open(context.Background(), name, quota.Ignore)
	if err != nil {
		s.t.Fatal(err)
	}
	defer mb.Close()
	v, err := mb.Snapshot()
	if err != nil {
		s.t.Fatal(err)
	}
	return len(v.Records)
}

// waitMessages polls until name holds want messages (a session ends in
// its own goroutine after the client hangs up).
func (s *testSite) waitMessages(name string, want int) {
	s.t.Helper()
	deadline := time.Now().Add(hangTimeout)
	for s.messages(name) != want {
		if time.Now().After(deadline) {
			s.t.Fatalf("%s holds %d messages, want %d", name, s.messages(name), want)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestAutoexpungeOnLeavingAMailbox(t *testing.T) {
	tests := []struct {
		name        string
		autoexpunge string
		leave       func(c *conv)
		want        int // messages left in INBOX of the two delivered
	}{
		{"UNSELECT", "1", func(c *conv) { c.ok("UNSELECT") }, 1},
		{"SELECT another", "1", func(c *conv) { c.ok("SELECT Work") }, 1},
		{"EXAMINE another", "1", func(c *conv) { c.ok("EXAMINE Work") }, 1},
		{"SELECT again", "1", func(c *conv) { c.ok("SELECT INBOX") }, 1},
		{"LOGOUT", "1", func(c *conv) { c.run("LOGOUT") }, 1},
		{"connection dropped", "1", func(c *conv) { c.c.Close() }, 1},
		{"CLOSE", "1", func(c *conv) { c.ok("CLOSE") }, 1},
		{"UNSELECT without autoexpunge", "0", func(c *conv) { c.ok("UNSELECT") }, 2},
		{"LOGOUT without autoexpunge", "0", func(c *conv) { c.run("LOGOUT") }, 2},
		{"CLOSE without autoexpunge", "0", func(c *conv) { c.ok("CLOSE") }, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			site := newTestSite(t, "autoexpunge", tc.autoexpunge)
			site.deliver("user.alice", testMessage("one"), testMessage("two"))
			alice := site.login("alice")
			alice.ok("SELECT INBOX")
			alice.ok("STORE 1 +FLAGS.SILENT (\\Deleted)")
			tc.leave(alice)
			site.waitMessages("user.alice", tc.want)
		})
	}
}

// An EXAMINEd mailbox is never expunged, even when another session set
// \Deleted and the examiner holds the e right.
func TestAutoexpungeNotAfterExamine(t *testing.T) {
	site := newTestSite(t, "autoexpunge", "1")
	site.deliver("user.alice", testMessage("one"), testMessage("two"))
	writer := site.login("alice")
	writer.ok("SELECT INBOX")
	writer.ok("STORE 1 +FLAGS.SILENT (\\Deleted)")
	reader := site.login("alice")
	reader.ok("EXAMINE INBOX")
	reader.ok("UNSELECT")
	reader.ok("EXAMINE INBOX")
	reader.ok("SELECT Work")
	reader.run("LOGOUT")
	if n := site.messages("user.alice"); n != 2 {
		t.Fatalf("INBOX holds %d messages after EXAMINE sessions, want 2", n)
	}
}

// Without the e right a session that may set \Deleted (t) leaves the
// messages in place.
func TestAutoexpungeNeedsExpungeRight(t *testing.T) {
	site := newTestSite(t, "autoexpunge", "1")
	site.deliver("board", testMessage("one"), testMessage("two"))
	admin := site.login("cyrus")
	admin.ok("SETACL board alice lrswit")
	alice := site.login("alice")
	u := alice.ok(`SELECT "Shared Folders/board"`)
	hasPrefix(t, u, "* OK [PERMANENTFLAGS")
	alice.ok("STORE 1 +FLAGS.SILENT (\\Deleted)")
	alice.ok("UNSELECT")
	if n := site.messages("board"); n != 2 {
		t.Fatalf("board holds %d messages without the e right, want 2", n)
	}
	admin.ok("SETACL board alice lrswite")
	alice.ok(`SELECT "Shared Folders/board"`)
	alice.ok("UNSELECT")
	if n := site.messages("board"); n != 1 {
		t.Fatalf("board holds %d messages with the e right, want 1", n)
	}
}

func TestMaxloginsPerUser(t *testing.T) {
	site := newTestSite(t, "maxlogins_per_user", "2")
	first := site.login("alice")
	site.login("alice")
	other := site.login("bob") // another user is not counted against alice

	third := site.dial()
	_, st := third.run("LOGIN alice secret")
	if st != "NO Too many open connections (2 of 2 for alice)" {
		t.Fatalf("third login: %q", st)
	}
	// The refused session stays unauthenticated and may try again.
	third.expect("SELECT INBOX", "BAD Please login first")
	first.run("LOGOUT")
	waitLogin(t, third, "alice")
	third.ok("SELECT INBOX")
	other.ok("NOOP")
}

func TestMaxloginsPerUserAuthenticate(t *testing.T) {
	site := newTestSite(t, "maxlogins_per_user", "1")
	site.login("alice")
	c := site.dial()
	_, st := c.run("AUTHENTICATE PLAIN AGFsaWNlAHNlY3JldA==") // \0alice\0secret
	if st != "NO Too many open connections (1 of 1 for alice)" {
		t.Fatalf("AUTHENTICATE over the limit: %q", st)
	}
}

func TestMaxloginsPerHost(t *testing.T) {
	site := newTestSite(t, "maxlogins_per_host", "2", "maxlogins_per_user", "5")
	a := site.login("alice")
	site.login("bob")
	c := site.dial()
	_, st := c.run("LOGIN cyrus secret")
	want := "NO Too many open connections (2 of 2 from [127.0.0.1], 0 of 5 for cyrus)"
	if st != want {
		t.Fatalf("third login from the host: %q, want %q", st, want)
	}
	// A session that is not logged in does not count: c is still open.
	a.c.Close()
	waitLogin(t, c, "cyrus")
}

// UNAUTHENTICATE gives the slot back.
func TestMaxloginsUnauthenticateReleases(t *testing.T) {
	site := newTestSite(t, "maxlogins_per_user", "1")
	admin := site.login("cyrus")
	c := site.dial()
	if _, st := c.run("LOGIN cyrus secret"); !strings.HasPrefix(st, "NO Too many open connections") {
		t.Fatalf("second admin login: %q", st)
	}
	admin.ok("UNAUTHENTICATE")
	c.ok("LOGIN cyrus secret")
}

// waitLogin retries LOGIN until the server has seen another session end.
func waitLogin(t *testing.T, c *conv, user string) {
	t.Helper()
	deadline := time.Now().Add(hangTimeout)
	for {
		_, st := c.run("LOGIN " + user + " secret")
		if strings.HasPrefix(st, "OK") {
			return
		}
		if !strings.HasPrefix(st, "NO Too many open connections") || time.Now().After(deadline) {
			t.Fatalf("LOGIN %s: %q", user, st)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
