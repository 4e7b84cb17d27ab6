package lmtp

import (
	"bytes"
	"context"
	"net"
	"strings"
	"sync"
	"testing"

	"gocyrus/internal/faulttest"
)

// faultConn is the test's fault hook: the session's read of a line
// holding "PANIC" panics inside the session goroutine, as a bug in
// command handling would. Only a test can build one.
type faultConn struct{ net.Conn }

func (c faultConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	if bytes.Contains(p[:n], []byte("PANIC")) {
		faulttest.Panic()
	}
	return n, err
}

// A panic in one LMTP session ends it with "421 4.3.0", is logged with its
// stack, and leaves the server delivering on its other sessions.
func TestPanicEndsOnlyThatSession(t *testing.T) {
	var logs faulttest.Log
	srv, addr := newTestServerWith(t, []string{"user.alice"}, func(s *Server) {
		s.log = logs.Logger()
		s.sessions = s.newSessions()
	})
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
			wg.Go(func() { srv.Handle(ctx, faultConn{c}) })
		}
	})
	t.Cleanup(func() { cancel(); l.Close(); wg.Wait() })

	other := dialLMTP(t, addr)
	bad := dialLMTP(t, l.Addr().String())
	bad.tp.PrintfLine("MAIL FROM:<PANIC@example.org>")
	code, msg, err := bad.tp.ReadResponse(421)
	if err != nil || msg != "4.3.0 lmtpd: Fatal error: internal server error" {
		t.Fatalf("farewell = %d %q, %v", code, msg, err)
	}
	if _, err := bad.tp.ReadLine(); err == nil {
		t.Fatal("connection still open after the panic")
	}
	replies := other.send("bob@example.org", []string{"alice"}, "Subject: hi\r\n\r\nhello\r\n")
	if len(replies) != 1 || !strings.HasPrefix(replies[0], "250 2.1.5") {
		t.Fatalf("delivery on the other session: %q", replies)
	}
	faulttest.WantPanicLogged(t, &logs, "session panic", "remote=127.0.0.1:")
}
