package pop3server

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"sync/atomic"
	"time"

	"gocyrus/pkg/auth"
	"gocyrus/pkg/config"
	"gocyrus/pkg/logins"
	"gocyrus/pkg/service"
	"gocyrus/pkg/store"
)

// DefaultVersion is the version shown in the greeting and in CAPA's
// IMPLEMENTATION line when Options.Version is empty.
const DefaultVersion = "gocyrus"

// Options are what a Server needs.
type Options struct {
	// Config is the service's view of imapd.conf (cfg.ForService("pop3")).
	Config *config.Config
	Store  *store.Store
	Auth   *auth.Authenticator
	// TLS enables STLS (and is required with ImplicitTLS); nil = no TLS.
	TLS *tls.Config
	// ImplicitTLS starts every connection with a TLS handshake (pop3s, -s).
	ImplicitTLS bool
	Version     string
	Logger      *slog.Logger
}

// Server serves POP3 sessions. Safe for concurrent use: one Handle call
// per connection.
type Server struct {
	opts       Options
	log        *slog.Logger
	servername string
	timeout    time.Duration
	maxLine    int
	uidl       uidlFormat
	sessions   atomic.Uint64
	// logins counts this process's logged-in sessions for
	// maxlogins_per_user and maxlogins_per_host.
	logins      *logins.Registry
	loginLimits logins.Limits
	// testFault, set only by this package's tests, runs before each
	// command with its verb: a test makes it panic to prove that the fault
	// ends that session only. Nothing outside the package can set it.
	testFault func(verb string)
}

// New checks opts and returns a Server.
func New(opts Options) (*Server, error) {
	if opts.Config == nil || opts.Store == nil || opts.Auth == nil {
		return nil, errors.New("pop3server: Config, Store and Auth are required")
	}
	if opts.ImplicitTLS && opts.TLS == nil {
		return nil, errors.New("pop3server: implicit TLS (-s) needs tls_server_cert and tls_server_key")
	}
	if opts.Version == "" {
		opts.Version = DefaultVersion
	}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	cfg := opts.Config
	s := &Server{opts: opts, log: log, servername: cfg.Servername(), timeout: cfg.Poptimeout(), maxLine: cfg.Maxline(),
		logins:      logins.NewRegistry(),
		loginLimits: logins.Limits{PerUser: cfg.MaxloginsPerUser(), PerHost: cfg.MaxloginsPerHost()},
	}
	if s.servername == "" {
		s.servername, _ = os.Hostname()
	}
	if s.timeout < 10*time.Minute {
		s.timeout = 10 * time.Minute // Cyrus's floor
	}
	if s.maxLine <= 0 {
		s.maxLine = 65536
	}
	f, err := parseUIDLFormat(cfg.UidlFormat())
	if err != nil {
		return nil, err
	}
	s.uidl = f
	return s, nil
}

// Handle runs one POP3 session on conn and closes it. It returns when the
// client quits, the connection fails, the session idles past poptimeout,
// or ctx is cancelled (the client is then told so).
func (s *Server) Handle(ctx context.Context, conn net.Conn) {
	defer conn.Close()
	sess := newSession(ctx, s, conn)
	defer sess.close()
	defer service.Recover(sess.log, conn, sess.farewell)
	stop := context.AfterFunc(ctx, func() { conn.SetReadDeadline(time.Now()) })
	defer stop()
	if s.opts.ImplicitTLS {
		if err := sess.startTLS(); err != nil {
			s.log.Info("TLS handshake failed", "remote", conn.RemoteAddr().String(), "err", err)
			return
		}
	}
	sess.run()
}

// sessionID names a session in logs and in the login reply, as Cyrus's
// "<servername>-<pid>-<time>-<counter>".
func (s *Server) sessionID() string {
	return fmt.Sprintf("%s-%d-%d-%d", s.servername, os.Getpid(), time.Now().Unix(), s.sessions.Add(1))
}
