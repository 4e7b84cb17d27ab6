package imapserver

import (
	"context"
	"io"
	"testing"
	"time"

	"gocyrus/pkg/userdeny"
)

func denySite(t *testing.T) *testSite {
	t.Helper()
	site := newTestSite(t)
	site.srv.opts.Deny = userdeny.NewGuard(site.st.DB(), "imap", nil)
	return site
}

// kickBound is how long a kicked session may take to end: the Guard acts
// on the published change at once; the bound only absorbs a busy machine.
const kickBound = 30 * time.Second

// expectByeThenEOF reads, within kickBound, the BYE a kicked session gets
// and then the end of the connection.
func expectByeThenEOF(t *testing.T, cv *conv, want string) {
	t.Helper()
	cv.c.SetReadDeadline(time.Now().Add(kickBound))
	got, err := cv.br.ReadString('\n')
	if err != nil || got != want+"\r\n" {
		t.Fatalf("kicked session got %q, %v; want %q", got, err, want)
	}
	if rest, err := io.ReadAll(cv.br); err != nil || len(rest) != 0 {
		t.Fatalf("after the BYE: %q, %v; want the connection closed", rest, err)
	}
}

// TestDenyEndsOpenSessions: cyr_deny's entry ends the open sessions of the
// user for this service — idle between commands and inside IDLE — with
// Cyrus's command-loop BYE, within a bounded wait and without the client
// sending anything; another user's session and an admin's go on.
func TestDenyEndsOpenSessions(t *testing.T) {
	site := denySite(t)
	ctx := context.Background()
	waiting := site.login("alice")
	idling := site.login("alice")
	idling.ok("SELECT INBOX")
	idling.write("i1 IDLE\r\n")
	if l := idling.line(); l != "+ idling" {
		t.Fatalf("IDLE: %q", l)
	}
	other := site.login("bob")
	admin := site.login("cyrus")
	if err := userdeny.Set(ctx, site.st.DB(), "alice", "pop3,imap*", "[Account closed"); err != nil {
		t.Fatal(err)
	}
	if err := userdeny.Set(ctx, site.st.DB(), "cyrus", "*", ""); err != nil {
		t.Fatal(err)
	}
	expectByeThenEOF(t, waiting, "* BYE [ALERT] Account closed")
	expectByeThenEOF(t, idling, "* BYE [ALERT] Account closed")
	other.ok("NOOP")
	admin.ok("NOOP") // Cyrus spares admins' open sessions
	// A new login is refused with Cyrus's words, bob's is not.
	cv := site.dial()
	cv.expect("LOGIN alice secret", "NO Login failed: authorization failure")
	cv.expect(`AUTHENTICATE PLAIN AGFsaWNlAHNlY3JldA==`, "NO Login failed: authorization failure")
	site.login("bob").ok("NOOP")
}

// TestDenyOtherServiceKeepsSession: an entry for other services, and an
// entry allowing imap by "!imap" first, leave the IMAP session alone.
func TestDenyOtherServiceKeepsSession(t *testing.T) {
	site := denySite(t)
	ctx := context.Background()
	cv := site.login("alice")
	canary := site.login("bob")
	if err := userdeny.Set(ctx, site.st.DB(), "alice", "!imap,*", ""); err != nil {
		t.Fatal(err)
	}
	if err := userdeny.Set(ctx, site.st.DB(), "alice", "pop3", ""); err != nil {
		t.Fatal(err)
	}
	// bob, denied last, is kicked by a Guard pass that read alice's entry
	// too: once he is gone, alice's fate is decided.
	if err := userdeny.Set(ctx, site.st.DB(), "bob", "imap", "bye bob"); err != nil {
		t.Fatal(err)
	}
	expectByeThenEOF(t, canary, "* BYE [ALERT] bye bob")
	cv.ok("NOOP")
	site.login("alice").ok("NOOP")
	if err := userdeny.Set(ctx, site.st.DB(), "alice", "!imap,*", ""); err != nil {
		t.Fatal(err)
	}
	site.login("alice").ok("NOOP")
	if err := userdeny.Delete(ctx, site.st.DB(), "alice"); err != nil {
		t.Fatal(err)
	}
	cv.ok("NOOP")
}
