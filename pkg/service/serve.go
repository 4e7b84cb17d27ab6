package service

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"runtime/debug"
	"slices"
	"strings"
	"sync"
	"syscall"
	"time"
)

// Handler serves one connection. ctx is cancelled when the stop bound expires (the connection
// is closed at the same moment); [Draining] tells it earlier that stopping has begun. Serve
// closes conn after the handler returns.
type Handler func(ctx context.Context, conn net.Conn)

// Options tune Serve. The zero value serves without limits and with the default bounds.
type Options struct {
	// MaxConns caps concurrent handlers (0 = unlimited).
	MaxConns int
	// TooBusy, when set, receives a connection that arrives while MaxConns handlers run, so the
	// protocol can send its "too busy" reply; the connection is closed when it returns. When nil,
	// accepting pauses until a handler finishes.
	TooBusy func(conn net.Conn)
	// NoDescriptors, when set, receives a connection that would leave fewer than fdReserve
	// descriptors free (see fdBudget), so the protocol can say goodbye (IMAP "* BYE") before
	// the connection is closed; when nil, TooBusy does, and without either the connection is
	// closed at once. Either way no session starts that could fail mid-command for lack of
	// descriptors.
	NoDescriptors func(conn net.Conn)
	// MaxUses stops the process gracefully after that many connections (0 = never); master
	// starts a fresh one (Cyrus's -U).
	MaxUses int
	// IdleTimeout stops the process after that long without any connection (0 = never).
	IdleTimeout time.Duration
	// StopTimeout bounds the wait for sessions on SIGTERM, SIGINT or ctx cancellation (default 10 s).
	StopTimeout time.Duration
	// ReloadTimeout bounds the wait for sessions on SIGHUP (default 5 min).
	ReloadTimeout time.Duration
	// OrphanTimeout bounds the wait for sessions once master has died (default 2 s).
	OrphanTimeout time.Duration
	// Lifeline is master's lifeline pipe (see Inherited.Lifeline); its EOF means master died.
	Lifeline *os.File
	// Logger receives start/stop messages (nil = discard).
	Logger *slog.Logger
	// NoSignals leaves SIGHUP/SIGTERM/SIGINT alone (for callers that handle signals themselves
	// and stop Serve through ctx).
	NoSignals bool
}

const (
	// giveBackPeak is the fewest sessions that must have ended since the peak before memory is
	// given back to the system (and at least half of the peak's): fewer leave little garbage,
	// not worth a forced collection. A fall from N sessions to none gives back about
	// log2(N/giveBackPeak)+1 times.
	giveBackPeak         = 256
	defaultStopTimeout   = 10 * time.Second
	defaultReloadTimeout = 5 * time.Minute
	defaultOrphanTimeout = 2 * time.Second
	// byeGrace is how long cancelled handlers get to tell their clients and return before
	// their connections are closed under them.
	byeGrace = time.Second
	// closeGrace is how long handlers get to return after their connections were closed.
	closeGrace = time.Second
)

type drainingKey struct{}

// Draining returns a channel closed once the server serving ctx's connection begins to stop
// (nil — never ready — for a context not from Serve).
func Draining(ctx context.Context) <-chan struct{} {
	ch, _ := ctx.Value(drainingKey{}).(chan struct{})
	return ch
}

// ErrSessionsAbandoned is returned (wrapped, with the sessions' ids and peers) by Serve when
// handlers were still running after their connections had been closed at the stop bound.
var ErrSessionsAbandoned = errors.New("service: sessions still running after the stop bound")

type server struct {
	handler  Handler
	opts     Options
	log      *slog.Logger
	slots    chan struct{} // nil when unlimited
	fds      *fdBudget     // nil when the descriptor limit is unknown
	draining chan struct{}
	drainMu  sync.Once

	hardCtx    context.Context // handlers' context: cancelled at the bound
	hardCancel context.CancelFunc

	mu       sync.Mutex
	conns    map[net.Conn]*connRecord
	uses     int
	peak     int       // most sessions at once since memory was last given back
	lastBusy time.Time // when the last connection ended (or start)
	wg       sync.WaitGroup
	stopReq  chan time.Duration
}

// Serve accepts on every listener and runs handler for each connection in its own goroutine
// until it is told to stop (see the package comment); then it closes the listeners and waits for
// the sessions within the bound. It returns nil once every handler has returned. At the bound it
// cancels the handlers and closes their connections; a handler still running closeGrace later
// is abandoned: Serve logs each such session and returns [ErrSessionsAbandoned] naming them.
func Serve(ctx context.Context, listeners []net.Listener, handler Handler, opts Options) error {
	if len(listeners) == 0 {
		return errors.New("service: no listeners")
	}
	s := newServer(handler, opts)
	defer s.hardCancel()

	var sigc chan os.Signal
	if !opts.NoSignals {
		sigc = make(chan os.Signal, 4)
		signal.Notify(sigc, syscall.SIGHUP, syscall.SIGTERM, syscall.SIGINT)
		defer signal.Stop(sigc)
	}
	orphaned := watchLifeline(opts.Lifeline)

	var acceptors sync.WaitGroup
	for _, l := range listeners {
		acceptors.Go(func() { s.acceptLoop(l) })
	}
	done := make(chan struct{})
	go func() { acceptors.Wait(); s.wg.Wait(); close(done) }()

	var idle <-chan time.Time
	if opts.IdleTimeout > 0 {
		t := time.NewTicker(max(opts.IdleTimeout/4, 10*time.Millisecond))
		defer t.Stop()
		idle = t.C
	}

	var deadline <-chan time.Time
	var deadlineAt time.Time
	begin := func(reason string, bound time.Duration) {
		at := time.Now().Add(bound)
		if deadline != nil && !at.Before(deadlineAt) {
			return
		}
		if deadline == nil {
			s.log.Info("stopping", "reason", reason, "sessions", s.active(), "bound", bound)
			s.beginDrain(listeners)
		}
		deadlineAt = at
		deadline = time.After(bound)
	}

	ctxDone := ctx.Done()
	for {
		select {
		case <-ctxDone:
			ctxDone = nil
			begin("context cancelled", s.opts.StopTimeout)
		case sig := <-sigc:
			if sig == syscall.SIGHUP {
				begin("SIGHUP", s.opts.ReloadTimeout)
			} else {
				begin(sig.String(), s.opts.StopTimeout)
			}
		case <-orphaned:
			orphaned = nil
			begin("master exited", s.opts.OrphanTimeout)
		case bound := <-s.stopReq:
			begin("maximum uses reached", bound)
		case <-idle:
			if s.idleFor() >= opts.IdleTimeout {
				idle = nil
				begin("idle", s.opts.StopTimeout)
			}
		case <-deadline:
			return s.abandon(done)
		case <-done:
			if deadline == nil { // every listener failed on its own
				return errors.New("service: all listeners closed")
			}
			s.log.Info("stopped")
			return nil
		}
	}
}

func newServer(handler Handler, opts Options) *server {
	if opts.StopTimeout <= 0 {
		opts.StopTimeout = defaultStopTimeout
	}
	if opts.ReloadTimeout <= 0 {
		opts.ReloadTimeout = defaultReloadTimeout
	}
	if opts.OrphanTimeout <= 0 {
		opts.OrphanTimeout = defaultOrphanTimeout
	}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	s := &server{
		handler:  handler,
		opts:     opts,
		log:      log,
		draining: make(chan struct{}),
		conns:    make(map[net.Conn]*connRecord),
		lastBusy: time.Now(),
		stopReq:  make(chan time.Duration, 1),
	}
	if opts.MaxConns > 0 {
		s.slots = make(chan struct{}, opts.MaxConns)
	}
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err == nil && lim.Cur < 1<<30 {
		s.fds = newFDBudget(int(lim.Cur), openFDs)
	}
	s.hardCtx, s.hardCancel = context.WithCancel(context.WithValue(context.Background(), drainingKey{}, s.draining))
	return s
}

func (s *server) beginDrain(listeners []net.Listener) {
	s.drainMu.Do(func() {
		close(s.draining)
		for _, l := range listeners {
			l.Close()
		}
	})
}

func (s *server) stopping() bool {
	select {
	case <-s.draining:
		return true
	default:
		return false
	}
}

// abandon is the end of the bound: cancel the handlers and give them byeGrace to say goodbye
// and return, then close their connections and give them closeGrace more. Those still running
// then are logged one by one and named in the error.
func (s *server) abandon(done <-chan struct{}) error {
	s.hardCancel()
	select {
	case <-done:
		s.log.Info("stopped")
		return nil
	case <-time.After(byeGrace):
	}
	s.mu.Lock()
	n := len(s.conns)
	for c := range s.conns {
		c.Close()
	}
	s.mu.Unlock()
	if n > 0 {
		s.log.Warn("stop bound reached, closing sessions", "sessions", n)
	}
	select {
	case <-done:
		s.log.Info("stopped")
		return nil
	case <-time.After(closeGrace):
	}
	s.mu.Lock()
	var still []string
	for _, rec := range s.conns {
		still = append(still, rec.String())
	}
	s.mu.Unlock()
	slices.Sort(still)
	for _, r := range still {
		s.log.Error("session abandoned: its handler ignored the stop", "which", r)
	}
	if len(still) == 0 { // only refused (too busy) connections were left
		return fmt.Errorf("%w: a too-busy reply still being written", ErrSessionsAbandoned)
	}
	return fmt.Errorf("%w: %s", ErrSessionsAbandoned, strings.Join(still, "; "))
}

func (s *server) acceptLoop(l net.Listener) {
	var delay time.Duration
	for {
		if s.slots != nil && s.opts.TooBusy == nil {
			select { // wait for a free slot before taking the next connection
			case s.slots <- struct{}{}:
			case <-s.draining:
				return
			}
		}
		conn, err := l.Accept()
		if err != nil {
			if s.slots != nil && s.opts.TooBusy == nil {
				<-s.slots
			}
			if s.stopping() {
				return
			}
			if ne, ok := err.(net.Error); ok && ne.Timeout() || isTemporary(err) {
				delay = min(max(2*delay, 5*time.Millisecond), time.Second)
				s.log.Warn("accept failed, retrying", "err", err, "delay", delay)
				select {
				case <-time.After(delay):
				case <-s.draining:
					return
				}
				continue
			}
			s.log.Error("accept failed, listener closed", "addr", l.Addr().String(), "err", err)
			return
		}
		delay = 0
		if s.slots != nil && s.opts.TooBusy != nil {
			select {
			case s.slots <- struct{}{}:
			default:
				s.refuse(conn, s.opts.TooBusy)
				continue
			}
		}
		if !s.admit() {
			if s.slots != nil {
				<-s.slots
			}
			reply := s.opts.NoDescriptors
			if reply == nil {
				reply = s.opts.TooBusy
			}
			s.refuse(conn, reply)
			continue
		}
		s.start(conn)
	}
}

// isTemporary reports accept errors worth retrying: out of descriptors or memory, or an aborted
// connection.
func isTemporary(err error) bool {
	for _, e := range []error{syscall.EMFILE, syscall.ENFILE, syscall.ENOBUFS, syscall.ENOMEM, syscall.ECONNABORTED, syscall.EINTR} {
		if errors.Is(err, e) {
			return true
		}
	}
	return false
}

// admit asks the descriptor budget whether one more session may start, logging when the
// answer changes.
func (s *server) admit() bool {
	if s.fds == nil {
		return true
	}
	ok, changed := s.fds.admit(s.active() + 1)
	if changed && !ok {
		s.log.Warn("refusing connections: too few file descriptors left", "sessions", s.active(), "nofile", s.fds.limit, "reserve", fdReserve)
	} else if changed {
		s.log.Info("accepting connections again", "sessions", s.active())
	}
	return ok
}

// refuse gives conn to reply (nil: none), then closes it.
func (s *server) refuse(conn net.Conn, reply func(net.Conn)) {
	if reply == nil {
		conn.Close()
		return
	}
	s.wg.Go(func() {
		defer conn.Close()
		defer Recover(s.log.With("remote", remote(conn)), nil, nil)
		conn.SetDeadline(time.Now().Add(5 * time.Second))
		reply(conn)
	})
}

func (s *server) start(conn net.Conn) {
	rec := &connRecord{remote: remote(conn), started: time.Now()}
	ctx := context.WithValue(s.hardCtx, connRecordKey{}, rec)
	s.mu.Lock()
	s.conns[conn] = rec
	s.peak = max(s.peak, len(s.conns))
	s.uses++
	reachedMax := s.opts.MaxUses > 0 && s.uses == s.opts.MaxUses
	s.mu.Unlock()
	if reachedMax {
		select {
		case s.stopReq <- s.opts.ReloadTimeout:
		default:
		}
	}
	s.wg.Go(func() {
		defer func() {
			conn.Close()
			s.mu.Lock()
			delete(s.conns, conn)
			if len(s.conns) == 0 {
				s.lastBusy = time.Now()
				s.conns = make(map[net.Conn]*connRecord) // a map never shrinks: drop the peak's
			}
			giveBack := s.peak-len(s.conns) >= giveBackPeak && len(s.conns) <= s.peak/2
			if giveBack {
				s.peak = len(s.conns)
			}
			s.mu.Unlock()
			if s.slots != nil {
				<-s.slots
			}
			if giveBack {
				// What the ended sessions used (buffers, stacks, TLS state) is garbage
				// the runtime would hand back to the system only slowly, over minutes;
				// a collection and a scavenge now return it while the process idles.
				debug.FreeOSMemory()
			}
		}()
		// The protocol's own Recover sends its farewell; this one only keeps
		// a handler without it from taking the process down.
		defer Recover(s.log.With("remote", remote(conn)), nil, nil)
		s.handler(ctx, injectFaults(conn))
	})
}

func remote(c net.Conn) string {
	if a := c.RemoteAddr(); a != nil {
		return a.String()
	}
	return ""
}

func (s *server) active() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.conns)
}

func (s *server) idleFor() time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.conns) > 0 {
		return 0
	}
	return time.Since(s.lastBusy)
}

// watchLifeline returns a channel closed when the lifeline pipe reaches EOF or fails; master
// never writes to it. A nil lifeline gives a nil channel.
func watchLifeline(f *os.File) <-chan struct{} {
	if f == nil {
		return nil
	}
	ch := make(chan struct{})
	go func() {
		var b [16]byte
		for {
			_, err := f.Read(b[:])
			if err == nil {
				continue
			}
			if !errors.Is(err, os.ErrClosed) { // closed by its owner: not a death
				close(ch)
			}
			return
		}
	}()
	return ch
}
