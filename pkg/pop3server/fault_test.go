package pop3server

import (
	"context"
	"io"
	"net"
	"strings"
	"sync"
	"testing"

	"gocyrus/internal/faulttest"
)

// A panic in one session's command ends that session with
// "-ERR [SYS/TEMP]", is logged with its stack, releases the maildrop lock
// without applying its DELEs, and leaves the other sessions serving.
func TestPanicEndsOnlyThatSession(t *testing.T) {
	site := newTestSite(t, false)
	site.appendMessages("Subject: one\r\n\r\nbody\r\n")
	var logs faulttest.Log
	opts := site.opts
	opts.Logger = logs.Logger()
	srv, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	srv.testFault = func(verb string) {
		if verb == "STAT" {
			faulttest.Panic()
		}
	}
	site.addr = serveOnLoopback(t, srv.Handle)

	other, _ := site.dial()
	if r := other.cmd("CAPA"); r != "+OK List of capabilities follows" {
		t.Fatalf("CAPA: %q", r)
	}
	other.multi()

	bad, _ := site.dial()
	bad.login()
	if r := bad.cmd("DELE 1"); !strings.HasPrefix(r, "+OK") {
		t.Fatalf("DELE: %q", r)
	}
	if r := bad.cmd("STAT"); r != "-ERR [SYS/TEMP] Fatal error: internal server error" {
		t.Fatalf("farewell = %q", r)
	}
	if _, err := bad.r.ReadByte(); err != io.EOF {
		t.Fatalf("connection not closed after the panic: %v", err)
	}

	// The other session goes on, and the maildrop lock is free again.
	other.login()
	if r := other.cmd("LIST"); !strings.HasPrefix(r, "+OK") {
		t.Fatalf("LIST after the panic: %q", r)
	}
	if got := other.multi(); !strings.HasPrefix(got, "1 ") {
		t.Fatalf("listing %q: the DELE of the dead session was applied", got)
	}
	if r := other.cmd("QUIT"); !strings.HasPrefix(r, "+OK") {
		t.Fatalf("QUIT: %q", r)
	}
	faulttest.WantPanicLogged(t, &logs, "session panic", "remote=127.0.0.1:")
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
