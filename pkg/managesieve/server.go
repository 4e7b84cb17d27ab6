package managesieve

import (
	"context"
	"crypto/tls"
	"errors"
	"log/slog"
	"net"
	"slices"
	"time"

	"gocyrus/pkg/auth"
	"gocyrus/pkg/config"
	"gocyrus/pkg/procinfo"
	"gocyrus/pkg/service"
	"gocyrus/pkg/sievescripts"
	"gocyrus/pkg/userdeny"
)

// DefaultVersion is shown in the IMPLEMENTATION capability when
// Options.Version is empty.
const DefaultVersion = "gocyrus"

// IncludeFunc resolves Sieve's include (RFC 6609) while compiling.
type IncludeFunc func(name string, global bool) ([]byte, error)

// CheckFunc compiles src with only the given extensions allowed and returns
// the compiler's error, whose text is sent to the client (the line and
// column included). include resolves included scripts of the session's
// user.
type CheckFunc func(src []byte, extensions []string, include IncludeFunc) error

// Options are what a Server needs.
type Options struct {
	// Config is the service's view of imapd.conf (cfg.ForService("sieve")).
	Config *config.Config
	Auth   *auth.Authenticator
	// Scripts is the script store; it must not be in sieveusehomedir mode.
	Scripts *sievescripts.Store
	// Extensions is everything the Sieve implementation offers
	// (sieve.Extensions()); sieve_extensions restricts it.
	Extensions []string
	// Check compiles scripts for PUTSCRIPT and CHECKSCRIPT.
	Check CheckFunc
	// TLS enables STARTTLS (and is required with ImplicitTLS); nil = no TLS.
	TLS         *tls.Config
	ImplicitTLS bool
	// IdleTimeout ends a silent session; 0 means the timeout option.
	IdleTimeout time.Duration
	Version     string
	// Deny is the deny list of this service (cyr_deny); nil denies nothing.
	Deny *userdeny.Guard
	// Proc lists the open sessions for cyr_info proc; nil lists none.
	Proc   *procinfo.Registry
	Logger *slog.Logger
}

// Server serves ManageSieve sessions. Safe for concurrent use: one Handle
// call per connection.
type Server struct {
	opts       Options
	log        *slog.Logger
	extensions []string // advertised and allowed at upload
	timeout    time.Duration
	maxLine    int
	maxLiteral int64
	sessions   *service.Sessions // the skeleton shared with the other protocols
	// testFault, set only by this package's tests, runs before each
	// command with its name: a test makes it panic to prove that the fault
	// ends that session only. Nothing outside the package can set it.
	testFault func(command string)
}

// minLiteral keeps SASL messages and names readable whatever the script
// size limit; unlimitedLiteral bounds literals when scripts are unlimited.
const (
	minLiteral       = 64 << 10
	unlimitedLiteral = 1 << 20
)

// New checks opts and returns a Server.
func New(opts Options) (*Server, error) {
	if opts.Config == nil || opts.Auth == nil || opts.Scripts == nil || opts.Check == nil {
		return nil, errors.New("managesieve: Config, Auth, Scripts and Check are required")
	}
	if opts.Scripts.Options().UseHomeDir {
		return nil, sievescripts.ErrHomeDir
	}
	if opts.Version == "" {
		opts.Version = DefaultVersion
	}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	cfg := opts.Config
	s := &Server{opts: opts, log: log, timeout: opts.IdleTimeout, maxLine: cfg.Maxline()}
	if s.timeout <= 0 {
		s.timeout = cfg.Timeout()
	}
	if s.maxLine <= 0 {
		s.maxLine = 65536
	}
	s.maxLiteral = unlimitedLiteral
	if size := opts.Scripts.Options().MaxSize; size > 0 {
		s.maxLiteral = int64(max(size, minLiteral))
	}
	s.extensions = allowedExtensions(opts.Extensions, cfg.SieveExtensions())
	sessions, err := service.NewSessions("managesieve", service.SessionOptions{TLS: opts.TLS, ImplicitTLS: opts.ImplicitTLS,
		IDBase: service.SessionIDBase(cfg.SyslogPrefix(), cfg.Servername()), Logger: log})
	if err != nil {
		return nil, err
	}
	s.sessions = sessions
	return s, nil
}

// allowedExtensions keeps the offered extensions sieve_extensions names, in
// the offered order; an empty sieve_extensions allows them all.
func allowedExtensions(offered, configured []string) []string {
	// Never nil: to a compiler nil would mean "every extension".
	if len(configured) == 0 {
		return append([]string{}, offered...)
	}
	out := []string{}
	for _, e := range offered {
		if slices.Contains(configured, e) {
			out = append(out, e)
		}
	}
	return out
}

// Handle runs one session on conn and closes it. It returns when the client
// logs out, the connection fails, the session idles past the timeout, or
// ctx is cancelled (the client is then told so).
func (s *Server) Handle(ctx context.Context, conn net.Conn) {
	s.sessions.Handle(ctx, conn, func(c *service.Session) service.Protocol {
		sess := newSession(s, c)
		return service.Protocol{Run: sess.run, Farewell: sess.farewell, Close: sess.close}
	})
}
