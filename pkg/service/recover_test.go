package service

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"log/slog"
	"net"
	"strings"
	"sync"
	"testing"
)

// syncBuffer is a log sink safe for concurrent sessions.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// panicky echoes lines, says goodbye through Recover and panics on "boom".
func panicky(log *slog.Logger, released chan<- struct{}) Handler {
	return func(ctx context.Context, c net.Conn) {
		defer func() { released <- struct{}{} }() // what the session held
		w := bufio.NewWriter(c)
		defer Recover(log, c, func() { w.WriteString("BYE server bug\n"); w.Flush() })
		r := bufio.NewReader(c)
		for {
			line, err := r.ReadString('\n')
			if err != nil {
				return
			}
			if line == "boom\n" {
				var m map[string]int
				m["x"]++ // a real runtime panic: nil map write
			}
			w.WriteString(line)
			w.Flush()
		}
	}
}

func TestRecoverEndsOnlyThePanickingSession(t *testing.T) {
	var logs syncBuffer
	log := slog.New(slog.NewTextHandler(&logs, nil))
	released := make(chan struct{}, 4)
	s := serveBg(t, panicky(log, released), Options{Logger: log})
	other := dial(t, s.addr)
	if got := roundTrip(t, other, "before"); got != "before" {
		t.Fatalf("other session: %q", got)
	}
	bad := dial(t, s.addr)
	if got := roundTrip(t, bad, "boom"); got != "BYE server bug" {
		t.Fatalf("panicking session got %q, want its farewell", got)
	}
	if _, err := bad.Read(make([]byte, 1)); err != io.EOF {
		t.Fatalf("panicking session still open: %v", err)
	}
	<-released
	if got := roundTrip(t, other, "after"); got != "after" {
		t.Fatalf("other session after the panic: %q", got)
	}
	if got := roundTrip(t, dial(t, s.addr), "new"); got != "new" {
		t.Fatalf("new session after the panic: %q", got)
	}
	out := logs.String()
	for _, want := range []string{"level=ERROR", "session panic", "assignment to entry in nil map", "goroutine ", "recover_test.go"} {
		if !strings.Contains(out, want) {
			t.Errorf("log lacks %q:\n%s", want, out)
		}
	}
}

// A handler without its own Recover still cannot take the process down.
func TestServeSurvivesHandlerPanic(t *testing.T) {
	var logs syncBuffer
	log := slog.New(slog.NewTextHandler(&logs, nil))
	h := func(ctx context.Context, c net.Conn) {
		r := bufio.NewReader(c)
		for {
			line, err := r.ReadString('\n')
			if err != nil {
				return
			}
			if line == "boom\n" {
				panic("handler bug")
			}
			io.WriteString(c, line)
		}
	}
	s := serveBg(t, h, Options{Logger: log, MaxConns: 1})
	bad := dial(t, s.addr)
	io.WriteString(bad, "boom\n")
	if _, err := bad.Read(make([]byte, 1)); err != io.EOF {
		t.Fatalf("panicking session still open: %v", err)
	}
	// MaxConns 1: the slot came back, or this would wait forever.
	if got := roundTrip(t, dial(t, s.addr), "x"); got != "x" {
		t.Fatalf("after the panic: %q", got)
	}
	if out := logs.String(); !strings.Contains(out, "handler bug") || !strings.Contains(out, "stack=") {
		t.Errorf("panic not logged with its stack:\n%s", out)
	}
}

func TestRecoverFarewellPanicIsContained(t *testing.T) {
	a, b := net.Pipe()
	defer a.Close()
	defer b.Close()
	func() {
		defer Recover(nil, a, func() { panic("farewell bug") })
		panic("session bug")
	}()
}

func TestGuard(t *testing.T) {
	var logs syncBuffer
	woke := make(chan struct{})
	go func() {
		defer Guard(slog.New(slog.NewTextHandler(&logs, nil)), "watcher", func() { close(woke) })
		panic("watcher bug")
	}()
	<-woke
	if out := logs.String(); !strings.Contains(out, "watcher bug") || !strings.Contains(out, "goroutine=watcher") {
		t.Errorf("log: %s", out)
	}
}
