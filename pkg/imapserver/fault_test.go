package imapserver

import (
	"context"
	"io"
	"net"
	"sync"
	"testing"
	"time"

	"gocyrus/internal/faulttest"
)

// A panic in one session's command ends that session with
// "* BYE [SERVERBUG]", is logged with its stack and session id, frees the
// session's login slot and selected mailbox, and leaves the other sessions
// of the process serving.
func TestPanicEndsOnlyThatSession(t *testing.T) {
	site := newTestSite(t, "maxlogins_per_user", "1")
	var logs faulttest.Log
	opts := site.srv.opts
	opts.Logger = logs.Logger()
	srv, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	srv.testFault = func(cmd string) {
		if cmd == "CHECK" {
			faulttest.Panic()
		}
	}
	site.addr = serveOnLoopback(t, srv.Handle)
	other := site.login("bob")
	other.ok("SELECT INBOX")

	bad := site.login("alice")
	bad.ok("SELECT INBOX")
	bad.write("f1 CHECK\r\n")
	if got := bad.line(); got != "* BYE [SERVERBUG] Fatal error: internal server error" {
		t.Fatalf("farewell = %q", got)
	}
	bad.c.SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, err := bad.br.ReadByte(); err != io.EOF {
		t.Fatalf("connection not closed after the panic: %v", err)
	}

	other.ok("NOOP")
	other.ok("STATUS INBOX (MESSAGES)")
	// maxlogins_per_user 1: alice can log in again only if the dead
	// session's slot was released.
	again := site.login("alice")
	again.ok("SELECT INBOX")

	faulttest.WantPanicLogged(t, &logs, "session panic", "session=imap.test-", "remote=127.0.0.1:")
}

// serveOnLoopback serves h on a fresh loopback listener until the test ends.
func serveOnLoopback(t *testing.T, h func(context.Context, net.Conn)) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Go(func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			wg.Go(func() { h(ctx, c) })
		}
	})
	t.Cleanup(func() { cancel(); l.Close(); wg.Wait() })
	return l.Addr().String()
}
