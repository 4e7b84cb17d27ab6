package lmtp

import (
	"context"
	"testing"

	"gocyrus/pkg/userdeny"
)

// TestDenyLMTPRecipient: a user denied the lmtp service is refused at
// RCPT with Cyrus's 451 4.2.1 (captured, test/compat/fixtures/cyr_deny.txt);
// an entry for other services is not.
func TestDenyLMTPRecipient(t *testing.T) {
	srv, addr := newTestServerWith(t, []string{"user.alice", "user.bob", "user.carol"}, func(s *Server) {
		s.Deny = userdeny.NewGuard(s.store.DB(), "lmtp", nil)
	})
	ctx := context.Background()
	db := srv.store.DB()
	for _, e := range [][3]string{{"alice", "*", "gone"}, {"bob", "pop3,sieve", ""}, {"carol", "lmt?", ""}} {
		if err := userdeny.Set(ctx, db, e[0], e[1], e[2]); err != nil {
			t.Fatal(err)
		}
	}
	c := dialLMTP(t, addr)
	c.cmd(250, "MAIL FROM:<a@example.org>")
	for _, rcpt := range []string{"alice", "alice+detail", "carol"} {
		if got := c.cmd(451, "RCPT TO:<%s>", rcpt); got != "4.2.1 Delivery to mailbox is disabled" {
			t.Errorf("RCPT %s: %q", rcpt, got)
		}
	}
	c.cmd(250, "RCPT TO:<bob>")
	c.cmd(250, "RSET")
	if err := userdeny.Delete(ctx, db, "alice"); err != nil {
		t.Fatal(err)
	}
	if got := c.send("a@example.org", []string{"alice"}, "Subject: x\r\n\r\nhi\r\n"); got[0][:3] != "250" {
		t.Fatalf("delivery after allowing: %q", got)
	}
}
