package pop3server

import (
	"context"
	"crypto/tls"
	"errors"
	"log/slog"
	"net"
	"os"
	"time"

	"gocyrus/pkg/auth"
	"gocyrus/pkg/config"
	"gocyrus/pkg/logins"
	"gocyrus/pkg/procinfo"
	"gocyrus/pkg/service"
	"gocyrus/pkg/store"
	"gocyrus/pkg/userdeny"
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
	// Deny is the deny list of this service (cyr_deny); nil denies nothing.
	Deny *userdeny.Guard
	// Proc lists the open sessions for cyr_info proc; nil lists none.
	Proc   *procinfo.Registry
	Logger *slog.Logger
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
	sessions   *service.Sessions // the skeleton shared with the other protocols
	// logins counts this process's logged-in sessions for
	// maxlogins_per_user and maxlogins_per_host.
	logins      *logins.Registry
	loginLimits logins.Limits
	// provisioning is what a user without an INBOX gets at login
	// (autocreate_quota >= 0, as imapd); nil: nothing.
	provisioning *store.Provisioning
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
	if opts.Version == "" {
		opts.Version = DefaultVersion
	}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	cfg := opts.Config
	s := &Server{opts: opts, log: log, servername: cfg.Servername(), timeout: cfg.Poptimeout(), maxLine: cfg.Maxline(),
		logins:       logins.NewRegistry(),
		loginLimits:  logins.Limits{PerUser: cfg.MaxloginsPerUser(), PerHost: cfg.MaxloginsPerHost()},
		provisioning: store.ProvisioningFromConfig(cfg),
	}
	if s.servername == "" {
		s.servername, _ = os.Hostname()
	}
	sessions, err := service.NewSessions("pop3server", service.SessionOptions{TLS: opts.TLS, ImplicitTLS: opts.ImplicitTLS,
		IDBase: service.SessionIDBase(cfg.SyslogPrefix(), s.servername), Logger: log})
	if err != nil {
		return nil, err
	}
	s.sessions = sessions
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
	s.sessions.Handle(ctx, conn, func(c *service.Session) service.Protocol {
		sess := newSession(s, c)
		return service.Protocol{Run: sess.run, Farewell: sess.farewell, Close: sess.close}
	})
}
