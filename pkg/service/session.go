package service

import (
	"bufio"
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/binary"
	"fmt"
	"log/slog"
	"net"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"gocyrus/pkg/tlsconf"
)

// Session is one connection as [Sessions.Handle] hands it to a protocol.
type Session struct {
	// Ctx is the handler's context (cancelled at the stop bound).
	Ctx context.Context
	// Conn is the connection to speak on: after implicit TLS, the TLS connection.
	Conn net.Conn
	// TLS is the TLS state after implicit TLS, nil otherwise.
	TLS *tls.ConnectionState
	// ID is the session id (see [NewSessionID]).
	ID string
	// Log names the session and the peer.
	Log *slog.Logger
}

// Protocol is one protocol's side of a session.
type Protocol struct {
	// Run greets the client and serves commands until the session ends.
	Run func()
	// Farewell writes the protocol's last words after a panic, on the
	// session's current writer (after STARTTLS, the TLS one); nil = none.
	Farewell func()
	// Close releases what the session holds (a selected mailbox, a login
	// slot); it runs after Run returns or panics, before the connection
	// closes; nil = nothing to release.
	Close func()
}

// Sessions is the skeleton every protocol server shares: implicit TLS,
// the session id, the wake-up when the service stops, panic recovery and
// the order in which a session's resources are released. The protocol
// keeps only its own part: greeting, command loop, last words.
type Sessions struct {
	tlsConfig   *tls.Config
	implicitTLS bool
	idBase      string
	log         *slog.Logger
}

// SessionOptions configure [NewSessions].
type SessionOptions struct {
	// TLS is the server's TLS configuration (required with ImplicitTLS).
	TLS *tls.Config
	// ImplicitTLS starts every connection with a TLS handshake (-s).
	ImplicitTLS bool
	// IDBase starts every session id; see [SessionIDBase].
	IDBase string
	Logger *slog.Logger
}

// NewSessions checks opts; name (the package, "imapserver") prefixes its errors.
func NewSessions(name string, opts SessionOptions) (*Sessions, error) {
	if opts.ImplicitTLS && opts.TLS == nil {
		return nil, fmt.Errorf("%s: implicit TLS (-s) needs tls_server_cert and tls_server_key", name)
	}
	return &Sessions{tlsConfig: opts.TLS, implicitTLS: opts.ImplicitTLS, idBase: opts.IDBase, log: logger(opts.Logger)}, nil
}

// NewID returns a fresh session id (LMTP starts a new one at RSET).
func (k *Sessions) NewID() string { return NewSessionID(k.idBase) }

// Handle runs one session on conn and closes it; a protocol's Handle is
// this call with its start function, which builds the protocol's session
// on the Session given (it may not be called: a failed TLS handshake ends
// the connection first). A panic in start, Run or Farewell ends this
// session only: the protocol's Farewell is sent (when start had returned),
// then Close runs, then the connection is closed.
func (k *Sessions) Handle(ctx context.Context, conn net.Conn, start func(*Session) Protocol) {
	wc := newWakeConn(conn)
	defer wc.Close()
	stop := context.AfterFunc(ctx, wc.wake)
	defer stop()

	sess := &Session{Ctx: ctx, Conn: wc, ID: k.NewID()}
	sess.Log = k.log.With("session", sess.ID, "remote", remote(conn))
	noteSessionID(ctx, sess.ID)

	var p Protocol
	defer func() {
		if p.Close != nil {
			p.Close()
		}
	}()
	defer Recover(sess.Log, wc, func() {
		if p.Farewell != nil {
			p.Farewell()
		}
	})
	if k.implicitTLS {
		tc, st, err := tlsconf.Handshake(ctx, wc, k.tlsConfig)
		if err != nil {
			sess.Log.Info("TLS handshake failed", "err", err)
			return
		}
		sess.Conn, sess.TLS = tc, st
	}
	p = start(sess)
	if p.Run != nil {
		p.Run()
	}
}

// Flush sends w's buffered output to conn within timeout. A failed write
// closes conn: the peer is gone or stalled, and the session's next read
// ends the session.
func Flush(conn net.Conn, w *bufio.Writer, timeout time.Duration, log *slog.Logger) {
	conn.SetWriteDeadline(time.Now().Add(timeout))
	if err := w.Flush(); err != nil {
		logger(log).Debug("write failed", "err", err)
		conn.Close()
	}
}

// StartTLS runs the server side of a STARTTLS (STLS) handshake on conn and
// moves the session's reader and writer onto the TLS connection, which it
// returns with its state. Bytes r still buffers from before the
// handshake are dropped: a command pipelined in plaintext after STARTTLS
// must not run as if it came over TLS (the STARTTLS injection attack).
func StartTLS(ctx context.Context, conn net.Conn, cfg *tls.Config, r *bufio.Reader, w *bufio.Writer) (net.Conn, *tls.ConnectionState, error) {
	tc, st, err := tlsconf.Handshake(ctx, conn, cfg)
	if err != nil {
		return nil, nil, err
	}
	r.Reset(tc)
	w.Reset(tc)
	return tc, st, nil
}

// wakeConn is a connection whose reads end at once once the service
// stops: wake sets a read deadline in the past, and a deadline the
// session sets afterwards (before its next command) is moved to the past
// too, so no session sleeps through the stop waiting for its client. The
// session sees a timeout with its context done and says goodbye.
type wakeConn struct {
	net.Conn
	mu    sync.Mutex
	woken bool
}

func newWakeConn(c net.Conn) *wakeConn { return &wakeConn{Conn: c} }

func (c *wakeConn) wake() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.woken = true
	c.Conn.SetReadDeadline(time.Now())
}

func (c *wakeConn) SetReadDeadline(t time.Time) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.woken {
		t = time.Now()
	}
	return c.Conn.SetReadDeadline(t)
}

func (c *wakeConn) SetDeadline(t time.Time) error {
	if err := c.SetWriteDeadline(t); err != nil {
		return err
	}
	return c.SetReadDeadline(t)
}

// maxIDBase is how much of the base Cyrus keeps in a session id ("%.128s").
const maxIDBase = 128

// sessionCount numbers this process's sessions: with the pid and the
// time it makes an id unique, whatever server of the process made it.
var sessionCount atomic.Uint64

// NewSessionID returns a session id in Cyrus's form
// "<base>-<unix time>-<pid>-<n>-<random>" (session_new_id). It names the
// session in the logs, in IMAP's and POP3's login reply and in LMTP's
// replies and X-Cyrus-Session-Id header.
func NewSessionID(base string) string {
	var r [8]byte
	rand.Read(r[:])
	return fmt.Sprintf("%s-%d-%d-%d-%d", base, time.Now().Unix(), os.Getpid(), sessionCount.Add(1),
		binary.BigEndian.Uint64(r[:]))
}

// SessionIDBase is what session ids start with, as in Cyrus: syslog_prefix
// when set, else servername, else the host name; at most 128 bytes.
func SessionIDBase(syslogPrefix, servername string) string {
	base := syslogPrefix
	if base == "" {
		base = servername
	}
	if base == "" {
		base, _ = os.Hostname()
	}
	if len(base) > maxIDBase {
		base = base[:maxIDBase]
	}
	return base
}

// connRecord is what Serve knows of one running handler, to name it when
// it has to be abandoned.
type connRecord struct {
	remote  string
	started time.Time
	mu      sync.Mutex
	id      string // the session id, once Sessions.Handle made one
}

type connRecordKey struct{}

// noteSessionID tells Serve (when it runs the handler) the session's id.
func noteSessionID(ctx context.Context, id string) {
	if rec, ok := ctx.Value(connRecordKey{}).(*connRecord); ok {
		rec.mu.Lock()
		rec.id = id
		rec.mu.Unlock()
	}
}

func (r *connRecord) String() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	id := r.id
	if id == "" {
		id = "-"
	}
	return fmt.Sprintf("session %s from %s, running %v", id, r.remote, time.Since(r.started).Round(time.Millisecond))
}
