package lmtp

import (
	"context"
	"crypto/tls"
	"fmt"
	"log/slog"
	"net"
	"os"
	"sync/atomic"
	"time"

	"gocyrus/pkg/auth"
	"gocyrus/pkg/duplicate"
	"gocyrus/pkg/procinfo"
	"gocyrus/pkg/recipient"
	"gocyrus/pkg/service"
	"gocyrus/pkg/store"
	"gocyrus/pkg/userdeny"
)

const (
	// deliverTimeout bounds one DATA's delivery to all its recipients.
	deliverTimeout = 5 * time.Minute
	// commandTimeout bounds the wait for the client's next line.
	commandTimeout = 10 * time.Minute
)

// Server is lmtpd: it accepts LMTP connections and delivers into the store.
type Server struct {
	// PreauthTCP treats TCP connections like the unix socket (lmtpd -a).
	PreauthTCP bool
	// Auth serves LMTP AUTH on untrusted connections; nil offers none.
	Auth *auth.Authenticator
	// TLS enables STARTTLS (tls_server_cert/tls_server_key); nil offers none.
	TLS *tls.Config
	// Deny is the deny list of this service (cyr_deny): a recipient user
	// denied it is refused at RCPT; nil denies nothing.
	Deny *userdeny.Guard
	// Proc lists the open sessions for cyr_info proc; nil lists none.
	Proc *procinfo.Registry

	store          *store.Store
	dup            *duplicate.Store // nil when duplicatesuppression is off
	sieve          *sieveConfig     // nil: no Sieve at delivery
	boxes          *boxCache
	notifier       *notifier
	dupAnnots      *dupAnnotCache
	eightBit       eightBitPolicy
	strict2821     bool   // lmtp_strict_rfc2821: refuse 8-bit local parts, else X them
	authRequired   *reply // MAIL before AUTH on an untrusted connection (soft_noauth)
	resolver       Resolver
	parse          recipient.Options
	log            *slog.Logger
	servername     string
	greeting       string
	maxSize        int64 // 0 = unlimited
	overQuotaPerm  bool
	mode           store.QuotaMode
	singleInstance bool
	pid            int
	seq            atomic.Uint64     // generated Message-IDs
	sessions       *service.Sessions // the skeleton shared with the other protocols
}

// NewServer returns lmtpd over st, configured by st.Config().
func NewServer(st *store.Store, log *slog.Logger) *Server {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	cfg := st.Config()
	name := cfg.Servername()
	if name == "" {
		name, _ = os.Hostname()
	}
	s := &Server{
		store: st, log: log, servername: name,
		resolver: Resolver{Store: st, Opt: ResolveOptions{
			Fuzzy: cfg.LmtpFuzzyMailboxMatch(), Catchall: cfg.LmtpCatchallMailbox(),
			ExcludeSpecialUse: cfg.LmtpExcludeSpecialuse(), Autocreate: ProvisioningOnDelivery(cfg)}},
		parse:         recipient.OptionsFromConfig(cfg),
		maxSize:       int64(cfg.Maxmessagesize()),
		overQuotaPerm: cfg.LmtpOverQuotaPermFailure(), mode: store.QuotaOverflow,
		singleInstance: cfg.Singleinstancestore(), pid: os.Getpid(),
		strict2821: cfg.LmtpStrictRfc2821(), authRequired: authRequiredReply(cfg.SoftNoauth()),
	}
	switch cfg.Serverinfo() {
	case "off", "min":
		s.greeting = fmt.Sprintf("%s LMTP server ready", name)
	default:
		s.greeting = fmt.Sprintf("%s Cyrus LMTP %s server ready", name, Version)
	}
	s.sessions = s.newSessions()
	if cfg.LmtpStrictQuota() {
		s.mode = store.QuotaStrict
	}
	if cfg.Duplicatesuppression() {
		s.dup = duplicate.New(st.DB(), duplicate.DefaultTTL)
		s.dup.SetErrorHook(func(err error) {
			s.log.Warn("recording deliveries for duplicate suppression", "err", err)
		})
	}
	st.CacheQuotaRoots(true)
	s.notifier = newNotifier(st.DB(), s.log)
	s.boxes = &boxCache{st: st, notify: s.notifier.notify}
	s.dupAnnots = &dupAnnotCache{list: st}
	s.eightBit = eightBitPolicy{reject: cfg.Reject8bit(), munge: cfg.Munge8bit()}
	s.sieve = newSieveConfig(cfg, st.DB())
	return s
}

// Close sends the pending change notifications, writes the pending
// duplicate records and closes the mailboxes kept open between deliveries.
func (s *Server) Close() {
	s.notifier.wait()
	if s.dup != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := s.dup.Flush(ctx); err != nil {
			s.log.Warn("writing the pending duplicate records", "err", err)
		}
	}
	s.boxes.close()
}

// Version is what the greeting names (serverinfo: on).
const Version = "gocyrus"

// Handle runs one LMTP session on c until the client quits, the
// connection fails or ctx ends. Its signature is service.Handler's.
func (s *Server) Handle(ctx context.Context, c net.Conn) {
	s.sessions.Handle(ctx, c, func(sc *service.Session) service.Protocol {
		ss := &session{srv: s, ctx: sc.Ctx, connInfo: auth.ConnInfo{Remote: c.RemoteAddr()}}
		ss.preauth = s.PreauthTCP || c.LocalAddr().Network() == "unix"
		ss.reset()
		cn := newConn(s, sc.Conn, ss, sc.ID)
		cn.proc = s.Proc.Add(c.RemoteAddr())
		return service.Protocol{Run: cn.serve, Farewell: cn.farewell, Close: cn.proc.Remove}
	})
}

// newSessions is the session skeleton over s.log.
func (s *Server) newSessions() *service.Sessions {
	// Without implicit TLS (LMTP has none) NewSessions cannot fail.
	k, _ := service.NewSessions("lmtp", service.SessionOptions{
		IDBase: service.SessionIDBase(s.store.Config().SyslogPrefix(), s.servername), Logger: s.log})
	return k
}

// farewell is the session's last words after a server bug (a panic), in
// the form of Cyrus lmtpd's fatal(): the MTA keeps the message and retries.
func (c *conn) farewell() {
	c.replyf(421, "4.3.0", "lmtpd: Fatal error: internal server error")
	c.w.Flush()
}
