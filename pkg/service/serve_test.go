package service

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net"
	"os"
	"sync/atomic"
	"testing"
	"time"
)

func listenLocal(t *testing.T) net.Listener {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// echo answers each line with the same line until EOF or cancellation.
func echo(ctx context.Context, c net.Conn) {
	go func() { <-ctx.Done(); c.Close() }()
	io.Copy(c, c)
}

type served struct {
	addr string
	stop context.CancelFunc
	done chan error
}

func serveBg(t *testing.T, h Handler, opts Options) *served {
	t.Helper()
	l := listenLocal(t)
	ctx, cancel := context.WithCancel(context.Background())
	opts.NoSignals = true
	s := &served{addr: l.Addr().String(), stop: cancel, done: make(chan error, 1)}
	go func() { s.done <- Serve(ctx, []net.Listener{l}, h, opts) }()
	t.Cleanup(func() {
		cancel()
		select {
		case <-s.done:
		case <-time.After(5 * time.Second):
			t.Error("Serve did not return")
		}
	})
	return s
}

func (s *served) wait(t *testing.T, within time.Duration) error {
	t.Helper()
	select {
	case err := <-s.done:
		s.done <- err
		return err
	case <-time.After(within):
		t.Fatalf("Serve still running after %v", within)
		return nil
	}
}

func dial(t *testing.T, addr string) net.Conn {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr, 2*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	c.SetDeadline(time.Now().Add(5 * time.Second))
	t.Cleanup(func() { c.Close() })
	return c
}

func roundTrip(t *testing.T, c net.Conn, line string) string {
	t.Helper()
	if _, err := io.WriteString(c, line+"\n"); err != nil {
		t.Fatal(err)
	}
	got, err := bufio.NewReader(c).ReadString('\n')
	if err != nil {
		t.Fatalf("reading reply to %q: %v", line, err)
	}
	return got[:len(got)-1]
}

func TestServeEcho(t *testing.T) {
	s := serveBg(t, echo, Options{})
	for _, w := range []string{"a", "b"} {
		if got := roundTrip(t, dial(t, s.addr), w); got != w {
			t.Fatalf("echo %q = %q", w, got)
		}
	}
}

func TestServeTooBusy(t *testing.T) {
	s := serveBg(t, echo, Options{MaxConns: 1, TooBusy: func(c net.Conn) { io.WriteString(c, "busy\n") }})
	first := dial(t, s.addr)
	roundTrip(t, first, "hold") // the single slot is now taken
	if got, _ := bufio.NewReader(dial(t, s.addr)).ReadString('\n'); got != "busy\n" {
		t.Fatalf("second connection got %q, want busy", got)
	}
	first.Close()
	// The slot frees once the first handler has returned: poll for it.
	waitFor(t, "the slot to free", func() bool {
		c := dial(t, s.addr)
		defer c.Close()
		io.WriteString(c, "x\n")
		got, _ := bufio.NewReader(c).ReadString('\n')
		return got == "x\n"
	})
}

// waitFor polls cond until it holds, failing the test after a deadline.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond) // polling interval, not synchronisation
	}
}

func TestServeWaitsForSlot(t *testing.T) {
	s := serveBg(t, echo, Options{MaxConns: 1})
	first := dial(t, s.addr)
	roundTrip(t, first, "hold")
	second := dial(t, s.addr) // sits in the backlog
	io.WriteString(second, "queued\n")
	second.SetReadDeadline(time.Now().Add(200 * time.Millisecond))
	if _, err := bufio.NewReader(second).ReadString('\n'); err == nil {
		t.Fatal("second connection served beyond MaxConns")
	}
	first.Close()
	second.SetReadDeadline(time.Now().Add(3 * time.Second))
	if got, err := bufio.NewReader(second).ReadString('\n'); err != nil || got != "queued\n" {
		t.Fatalf("queued connection: %q, %v", got, err)
	}
}

func TestServeGracefulStop(t *testing.T) {
	release := make(chan struct{})
	var finished atomic.Bool
	drained := make(chan struct{})
	h := func(ctx context.Context, c net.Conn) {
		io.WriteString(c, "hi\n")
		<-Draining(ctx)
		close(drained)
		<-release
		finished.Store(true)
	}
	s := serveBg(t, h, Options{StopTimeout: 5 * time.Second})
	c := dial(t, s.addr)
	bufio.NewReader(c).ReadString('\n')
	s.stop()
	select {
	case <-drained:
	case <-time.After(5 * time.Second):
		t.Fatal("Draining not signalled")
	}
	waitFor(t, "the listener to close", func() bool {
		c, err := net.DialTimeout("tcp", s.addr, time.Second)
		if err == nil {
			c.Close()
		}
		return err != nil
	})
	close(release)
	if err := s.wait(t, 3*time.Second); err != nil || !finished.Load() {
		t.Fatalf("Serve = %v, session finished = %v", err, finished.Load())
	}
}

func TestServeStopBound(t *testing.T) {
	h := func(ctx context.Context, c net.Conn) {
		io.WriteString(c, "hi\n")
		<-ctx.Done() // only the bound ends this session
	}
	s := serveBg(t, h, Options{StopTimeout: 200 * time.Millisecond})
	c := dial(t, s.addr)
	bufio.NewReader(c).ReadString('\n')
	start := time.Now()
	s.stop()
	if err := s.wait(t, 3*time.Second); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d < 150*time.Millisecond {
		t.Fatalf("stopped after %v, before the bound", d)
	}
	if _, err := c.Read(make([]byte, 1)); err == nil {
		t.Fatal("connection still open after the bound")
	}
}

func TestServeAbandoned(t *testing.T) {
	block := make(chan struct{})
	defer close(block)
	started := make(chan struct{})
	h := func(ctx context.Context, c net.Conn) { close(started); <-block } // ignores ctx
	s := serveBg(t, h, Options{StopTimeout: 50 * time.Millisecond})
	dial(t, s.addr)
	<-started
	s.stop()
	if err := s.wait(t, 3*time.Second); !errors.Is(err, ErrSessionsAbandoned) {
		t.Fatalf("Serve = %v, want ErrSessionsAbandoned", err)
	}
}

func TestServeIdleAndMaxUses(t *testing.T) {
	s := serveBg(t, echo, Options{IdleTimeout: 100 * time.Millisecond})
	if err := s.wait(t, 3*time.Second); err != nil {
		t.Fatalf("idle exit: %v", err)
	}
	s = serveBg(t, echo, Options{MaxUses: 2})
	for _, w := range []string{"1", "2"} {
		c := dial(t, s.addr)
		roundTrip(t, c, w)
		c.Close()
	}
	if err := s.wait(t, 3*time.Second); err != nil {
		t.Fatalf("max uses exit: %v", err)
	}
}

func TestServeLifeline(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	s := serveBg(t, echo, Options{Lifeline: r, OrphanTimeout: 100 * time.Millisecond})
	c := dial(t, s.addr)
	roundTrip(t, c, "x")
	w.Close() // master "dies"
	if err := s.wait(t, 2*time.Second); err != nil {
		t.Fatalf("orphaned Serve = %v", err)
	}
}

func TestServeNoListeners(t *testing.T) {
	if err := Serve(context.Background(), nil, echo, Options{}); err == nil {
		t.Fatal("Serve without listeners succeeded")
	}
}

func BenchmarkServeConnect(b *testing.B) {
	l, _ := net.Listen("tcp", "127.0.0.1:0")
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- Serve(ctx, []net.Listener{l}, echo, Options{NoSignals: true}) }()
	buf := make([]byte, 2)
	for b.Loop() {
		c, err := net.Dial("tcp", l.Addr().String())
		if err != nil {
			b.Fatal(err)
		}
		c.Write([]byte("x\n"))
		io.ReadFull(c, buf)
		c.Close()
	}
	cancel()
	<-done
}

func TestTighterLimit(t *testing.T) {
	for _, c := range []struct{ a, b, want int }{
		{0, 0, 0}, {5, 0, 5}, {0, 7, 7}, {5, 7, 5}, {9, 7, 7}, {-1, 3, 3}, {3, -1, 3},
	} {
		if got := tighterLimit(c.a, c.b); got != c.want {
			t.Errorf("tighterLimit(%d, %d) = %d, want %d", c.a, c.b, got, c.want)
		}
	}
}
