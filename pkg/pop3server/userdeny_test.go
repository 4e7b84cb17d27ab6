package pop3server

import (
	"context"
	"io"
	"net"
	"testing"
	"time"

	"gocyrus/pkg/sasldb"
	"gocyrus/pkg/store"
	"gocyrus/pkg/userdeny"
)

// denySite is a test site whose server has the deny list, with a second
// user bob (password "secret").
func denySite(t *testing.T) *testSite {
	t.Helper()
	site := newTestSite(t, false)
	ctx := context.Background()
	if err := sasldb.New(site.st.DB()).SetPassword(ctx, "bob", "secret", true); err != nil {
		t.Fatal(err)
	}
	if _, err := site.st.CreateMailbox(ctx, "user.bob", store.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	opts := site.opts
	opts.Deny = userdeny.NewGuard(site.st.DB(), "pop3", nil)
	srv, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	sctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			go srv.Handle(sctx, c)
		}
	}()
	t.Cleanup(func() { cancel(); l.Close(); <-done })
	site.addr = l.Addr().String()
	return site
}

func (s *testSite) loginAs(user string) *client {
	s.t.Helper()
	c, _ := s.dial()
	c.cmd("USER " + user)
	if r := c.cmd("PASS secret"); r[:3] != "+OK" {
		s.t.Fatalf("login %s: %q", user, r)
	}
	return c
}

// TestDenyPOP3: a denied user's open session ends, unprompted and within
// a bound, with Cyrus's command-loop reply; a new login gets Cyrus's PASS
// reply; another user and other services are unaffected.
func TestDenyPOP3(t *testing.T) {
	site := denySite(t)
	ctx := context.Background()
	alice := site.loginAs("alice")
	bob := site.loginAs("bob")
	if err := userdeny.Set(ctx, site.st.DB(), "bob", "imap,lmtp", ""); err != nil {
		t.Fatal(err)
	}
	if err := userdeny.Set(ctx, site.st.DB(), "alice", "pop3", "[Mailbox moved"); err != nil {
		t.Fatal(err)
	}
	alice.conn.SetReadDeadline(time.Now().Add(30 * time.Second))
	if got := alice.line(); got != "-ERR [SYS/TEMP] Mailbox moved" {
		t.Fatalf("alice's open session got %q", got)
	}
	if rest, err := io.ReadAll(alice.r); err != nil || len(rest) != 0 {
		t.Fatalf("after the reply: %q, %v; want the connection closed", rest, err)
	}
	if r := bob.cmd("NOOP"); r != "+OK" {
		t.Fatalf("bob, denied other services: %q", r)
	}
	c, _ := site.dial()
	c.cmd("USER alice")
	if r := c.cmd("PASS secret"); r != "-ERR [SYS/TEMP] Mailbox moved" {
		t.Fatalf("login while denied: %q, want Cyrus's reply", r)
	}
	if err := userdeny.Set(ctx, site.st.DB(), "alice", "*", ""); err != nil {
		t.Fatal(err)
	}
	c, _ = site.dial()
	if r := c.cmd("AUTH PLAIN AGFsaWNlAHNlY3JldA=="); r != "-ERR [SYS/TEMP] "+userdeny.DefaultMessage {
		t.Fatalf("AUTH while denied: %q, want Cyrus's reply", r)
	}
	if err := userdeny.Delete(ctx, site.st.DB(), "alice"); err != nil {
		t.Fatal(err)
	}
	site.loginAs("alice").cmd("QUIT")
}
