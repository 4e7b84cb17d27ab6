package managesieve

import (
	"context"
	"io"
	"testing"
	"time"

	"gocyrus/pkg/cyrusdb"
	"gocyrus/pkg/userdeny"
)

// TestDenySieve: a denied user's login fails with Cyrus's "Authentication
// Error"; an open session of a user denied afterwards ends unprompted,
// within a bound, with a BYE carrying the message; another user's session
// and an entry for other services leave sessions alone.
func TestDenySieve(t *testing.T) {
	db, err := cyrusdb.Open(t.TempDir(), cyrusdb.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ts := startServer(t, serverOpts{deny: userdeny.NewGuard(db, "sieve", nil)})
	ctx := context.Background()
	alice, _ := ts.dial(t)
	alice.login("alice")
	bob, _ := ts.dial(t)
	bob.login("bob")
	if err := userdeny.Set(ctx, db, "bob", "imap,pop3", ""); err != nil {
		t.Fatal(err)
	}
	if err := userdeny.Set(ctx, db, "alice", "si*", "Scripts frozen"); err != nil {
		t.Fatal(err)
	}
	alice.conn.SetReadDeadline(time.Now().Add(30 * time.Second))
	line, err := alice.r.ReadString('\n')
	if err != nil || line != "BYE \"Scripts frozen\"\r\n" {
		t.Fatalf("alice's open session got %q, %v", line, err)
	}
	if rest, err := io.ReadAll(alice.r); err != nil || len(rest) != 0 {
		t.Fatalf("after the BYE: %q, %v; want the connection closed", rest, err)
	}
	bob.expect("NOOP", "OK \"Done\"\n")
	c, _ := ts.dial(t)
	c.expect(`AUTHENTICATE "PLAIN" "AGFsaWNlAHB3"`, "NO \"Authentication Error\"\n")
	c.login("bob")
}
