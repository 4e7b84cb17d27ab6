package imapserver

import (
	"context"
	"crypto/tls"
	"errors"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"
	"time"

	"gocyrus/pkg/acl"
	"gocyrus/pkg/auth"
	"gocyrus/pkg/config"
	"gocyrus/pkg/logins"
	"gocyrus/pkg/procinfo"
	"gocyrus/pkg/service"
	"gocyrus/pkg/squat"
	"gocyrus/pkg/store"
	"gocyrus/pkg/userdeny"
)

// Version is the implementation version shown in the greeting and in ID.
const Version = "0.1"

// Options are what a Server needs.
type Options struct {
	// Config is the service's view of imapd.conf (cfg.ForService("imap")).
	Config *config.Config
	Store  *store.Store
	Auth   *auth.Authenticator
	// TLS enables STARTTLS (and is required with ImplicitTLS); nil = none.
	TLS *tls.Config
	// ImplicitTLS starts every connection with a TLS handshake (imaps, -s).
	ImplicitTLS bool
	// Groups answers group membership for ACL "group:" entries; nil reads
	// /etc/group.
	Groups *acl.GroupReader
	// Deny is the deny list of this service (cyr_deny); nil denies nothing.
	Deny *userdeny.Guard
	// Proc lists the open sessions for cyr_info proc; nil lists none.
	Proc   *procinfo.Registry
	Logger *slog.Logger
}

// Server serves IMAP sessions: one Handle call (one goroutine) per
// connection. Safe for concurrent use.
type Server struct {
	opts        Options
	cfg         *config.Config
	st          *store.Store
	log         *slog.Logger
	servername  string
	timeout     time.Duration // autologout of an idle client
	idlePoll    time.Duration // IDLE re-check when no notification comes
	maxLine     int
	maxMessage  int64
	maxMetadata int // annotation_maxsize, at most mboxlist.MaxMetadataSize
	deleteRt    byte
	groups      *acl.GroupReader
	sessions    *service.Sessions // the skeleton shared with the other protocols
	// quotaWarned rate-limits the quota alerts of SELECT per root.
	quotaWarned quotaWarnLog
	// logins counts this process's logged-in sessions for
	// maxlogins_per_user and maxlogins_per_host.
	logins      *logins.Registry
	loginLimits logins.Limits
	autoexpunge bool // expunge \Deleted on leaving a mailbox (closeMailbox)
	// squat maps squatter's full-text indexes once for all sessions
	// (textindex.go).
	squat *squat.Shared
	// provisioning is what a user without an INBOX gets at login
	// (autocreate_quota >= 0); nil: nothing.
	provisioning *store.Provisioning
	// testFault, set only by this package's tests, runs before each
	// command with its name (and at "REPLACE appended", between REPLACE's
	// two steps): a test makes it panic to prove that the fault ends that
	// session only. Nothing outside the package can set it.
	testFault func(command string)
	progress  progressTiming // INPROGRESS reports (inprogress.go)
	// testNotifyMax, set only by this package's tests, lowers the NOTIFY
	// overflow bound (notifyMaxPending).
	testNotifyMax int
}

// notifyMaxPending is how many notifications one NOTIFY report may hold
// before they are dropped for [NOTIFICATIONOVERFLOW].
func (s *Server) notifyMaxPending() int {
	if s.testNotifyMax > 0 {
		return s.testNotifyMax
	}
	return defaultNotifyMaxPending
}

// New checks opts and returns a Server.
func New(opts Options) (*Server, error) {
	if opts.Config == nil || opts.Store == nil || opts.Auth == nil {
		return nil, errors.New("imapserver: Config, Store and Auth are required")
	}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	cfg := opts.Config
	s := &Server{
		opts: opts, cfg: cfg, st: opts.Store, log: log, progress: defaultProgressTiming,
		servername:  cfg.Servername(),
		timeout:     cfg.Timeout(),
		idlePoll:    cfg.Imapidlepoll(),
		maxLine:     cfg.Maxline(),
		maxMessage:  int64(cfg.Maxmessagesize()),
		maxMetadata: min(max(cfg.AnnotationMaxsize(), 0), store.MaxMetadataSize),
		deleteRt:    acl.DeleteRightFromConfig(cfg),
		groups:      opts.Groups,
		logins:      logins.NewRegistry(),
		loginLimits: logins.Limits{PerUser: cfg.MaxloginsPerUser(), PerHost: cfg.MaxloginsPerHost()},
		autoexpunge: cfg.Autoexpunge(),
		squat:       squat.NewShared(),
	}
	s.provisioning = store.ProvisioningFromConfig(cfg)
	if s.servername == "" {
		s.servername, _ = os.Hostname()
	}
	sessions, err := service.NewSessions("imapserver", service.SessionOptions{TLS: opts.TLS, ImplicitTLS: opts.ImplicitTLS,
		IDBase: service.SessionIDBase(cfg.SyslogPrefix(), s.servername), Logger: log})
	if err != nil {
		return nil, err
	}
	s.sessions = sessions
	// RFC 3501 §5.4: the autologout timer is at least 30 minutes.
	if s.timeout < 30*time.Minute {
		s.timeout = 30 * time.Minute
	}
	if s.idlePoll <= 0 {
		s.idlePoll = time.Minute
	}
	if s.maxMessage <= 0 || s.maxMessage > 1<<32-1 {
		s.maxMessage = 1<<32 - 1
	}
	if s.groups == nil {
		s.groups = &acl.GroupReader{}
	}
	return s, nil
}

// Handle runs one IMAP session on conn and closes it. It returns when the
// client logs out, the connection fails or idles past the timeout, or ctx
// is cancelled (the client then gets "* BYE").
func (s *Server) Handle(ctx context.Context, conn net.Conn) {
	s.sessions.Handle(ctx, conn, func(c *service.Session) service.Protocol {
		sess := newSession(s, c)
		return service.Protocol{Run: sess.run, Farewell: sess.farewell, Close: sess.close}
	})
}

// message reads the first line of configdirectory/msg/<name> (motd,
// shutdown); "" when absent.
func (s *Server) message(name string) string {
	b, err := os.ReadFile(filepath.Join(s.cfg.Configdirectory(), "msg", name))
	if err != nil {
		return ""
	}
	line, _, _ := strings.Cut(string(b), "\n")
	return strings.TrimRight(line, "\r")
}
