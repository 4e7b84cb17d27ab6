package cyrusdb

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"runtime/debug"
	"strconv"
	"sync"
	"time"
)

const (
	// closeGrace is how long Close lets in-flight requests finish before
	// aborting streams.
	closeGrace = 10 * time.Second
	// maxConnRequests bounds concurrently executing requests per connection.
	maxConnRequests = 64
)

// Server owns the badger store of a configdirectory and serves it on the
// unix socket <configdir>/socket/db.
type Server struct {
	dbDir, sockPath string
	db              *local
	ln              *net.UnixListener
	log             *slog.Logger

	ctx    context.Context // parent of every request; cancelled on Close
	cancel context.CancelFunc

	mu       sync.Mutex
	closing  bool
	conns    map[*serverConn]struct{}
	inflight sync.WaitGroup // requests other than subscriptions
	connWG   sync.WaitGroup

	closeOnce sync.Once
	closeErr  error

	// faultHook, set only by tests, runs at each fault point so a test
	// can inject a panic where a bug would cause one.
	faultHook func(point string, kind byte, payload []byte)
}

// Fault points (see faultHook).
const (
	faultDispatch = "dispatch" // the connection's reader, per frame
	faultRequest  = "request"  // a request's goroutine, before it runs
)

func (s *Server) fault(point string, f frame) {
	if s.faultHook != nil {
		s.faultHook(point, f.kind, f.payload)
	}
}

// logPanic logs a recovered panic with its stack at error level.
func (s *Server) logPanic(where string, v any, args ...any) {
	args = append([]any{"where", where, "panic", fmt.Sprint(v), "stack", string(debug.Stack())}, args...)
	s.log.Error("cyrusdb: db service panic: server bug", args...)
}

// DBPath and SocketPath name the badger directory and service socket of a
// configdirectory.
func DBPath(configdir string) string     { return filepath.Join(configdir, "db") }
func SocketPath(configdir string) string { return filepath.Join(configdir, "socket", "db") }

// OpenServer opens badger in <configdir>/db (taking its lock) and listens
// on <configdir>/socket/db. Call Serve to accept clients.
func OpenServer(configdir string, opts Options) (*Server, error) {
	if opts.ReadOnly {
		return nil, fmt.Errorf("%w: the db service cannot be read-only", ErrInvalid)
	}
	dbDir, sockPath := DBPath(configdir), SocketPath(configdir)
	if err := os.MkdirAll(dbDir, 0o700); err != nil {
		return nil, fmt.Errorf("cyrusdb: %w", err)
	}
	if err := lockFree(dbDir, false); err != nil {
		if probe(sockPath, opts.dialTimeout()) == nil {
			return nil, fmt.Errorf("cyrusdb: a db service already serves %s on %s", dbDir, sockPath)
		}
		return nil, fmt.Errorf("cyrusdb: databases in %s are locked by another process", dbDir)
	}
	db, err := openLocal(dbDir, opts)
	if err != nil {
		return nil, err
	}
	ln, err := listen(sockPath, opts.dialTimeout())
	if err != nil {
		db.Close()
		return nil, err
	}
	s := &Server{dbDir: dbDir, sockPath: sockPath, db: db, ln: ln, log: opts.logger(),
		conns: map[*serverConn]struct{}{}}
	s.ctx, s.cancel = context.WithCancel(context.Background())
	return s, nil
}

// listen creates the socket under a temporary name, restricts it to
// mode 0600 and renames it into place, so it is never reachable with
// looser permissions. An existing socket is removed only when nothing
// answers on it.
func listen(sockPath string, timeout time.Duration) (*net.UnixListener, error) {
	dir := filepath.Dir(sockPath)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("cyrusdb: %w", err)
	}
	if err := checkSocketDir(dir); err != nil {
		return nil, err
	}
	if _, err := os.Lstat(sockPath); err == nil {
		if probe(sockPath, timeout) == nil {
			return nil, fmt.Errorf("cyrusdb: another db service answers on %s", sockPath)
		}
		if err := os.Remove(sockPath); err != nil {
			return nil, fmt.Errorf("cyrusdb: removing stale socket: %w", err)
		}
	}
	tmp := sockPath + ".tmp" + strconv.Itoa(os.Getpid())
	os.Remove(tmp)
	ln, err := net.ListenUnix("unix", &net.UnixAddr{Name: tmp, Net: "unix"})
	if err != nil {
		return nil, fmt.Errorf("cyrusdb: listen: %w", err)
	}
	ln.SetUnlinkOnClose(false)
	if err := os.Chmod(tmp, 0o600); err == nil {
		err = os.Rename(tmp, sockPath)
	}
	if err != nil {
		ln.Close()
		os.Remove(tmp)
		return nil, fmt.Errorf("cyrusdb: socket: %w", err)
	}
	return ln, nil
}

// checkSocketDir refuses a world-writable socket directory without the
// sticky bit: any local user could replace the socket with their own and
// receive every process's requests. (A group-writable one is left to the
// administrator: the MTA's group may share it for the lmtp socket.)
func checkSocketDir(dir string) error {
	fi, err := os.Stat(dir)
	if err != nil {
		return fmt.Errorf("cyrusdb: %w", err)
	}
	if m := fi.Mode(); m.Perm()&0o002 != 0 && m&os.ModeSticky == 0 {
		return fmt.Errorf("cyrusdb: socket directory %s is writable by every user (mode %04o): make it 0700 or 0750", dir, m.Perm())
	}
	return nil
}

// DB returns the server's own view of the store, for use inside the
// serving process: no socket round trip, and its Publish reaches every
// client. Its Close is a no-op; close the Server instead.
func (s *Server) DB() DB { return serverDB{s.db} }

type serverDB struct{ *local }

func (serverDB) Online() bool { return true }
func (serverDB) Close() error { return nil }

// SocketPath returns the path the server listens on.
func (s *Server) SocketPath() string { return s.sockPath }

// Serve accepts clients until Close; it returns nil after Close.
func (s *Server) Serve() error {
	for {
		nc, err := s.ln.AcceptUnix()
		if err != nil {
			s.mu.Lock()
			closing := s.closing
			s.mu.Unlock()
			if closing {
				return nil
			}
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				continue
			}
			return fmt.Errorf("cyrusdb: accept: %w", err)
		}
		s.mu.Lock()
		if s.closing {
			s.mu.Unlock()
			nc.Close()
			return nil
		}
		c := newServerConn(s, nc)
		s.conns[c] = struct{}{}
		s.connWG.Add(1)
		s.mu.Unlock()
		go func() {
			defer s.connWG.Done()
			c.serve()
			s.mu.Lock()
			delete(s.conns, c)
			s.mu.Unlock()
		}()
	}
}

// Close stops accepting, lets in-flight requests finish (aborting streams
// after a grace period), disconnects clients and closes badger.
func (s *Server) Close() error {
	s.closeOnce.Do(func() {
		s.mu.Lock()
		s.closing = true
		s.mu.Unlock()
		s.ln.Close()
		os.Remove(s.sockPath)

		done := make(chan struct{})
		go func() { s.inflight.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(closeGrace):
			s.log.Warn("cyrusdb: aborting requests still running at shutdown")
		}
		s.cancel()
		<-done

		s.mu.Lock()
		for c := range s.conns {
			c.nc.Close()
		}
		s.mu.Unlock()
		s.connWG.Wait()
		s.closeErr = s.db.Close()
	})
	return s.closeErr
}

// startRequest registers one in-flight request unless the server is
// closing.
func (s *Server) startRequest() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closing {
		return false
	}
	s.inflight.Add(1)
	return true
}
