package lmtp

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/emersion/go-smtp"

	"gocyrus/pkg/duplicate"
	"gocyrus/pkg/quota"
	"gocyrus/pkg/store"
)

// deliverTimeout bounds one DATA's delivery to all its recipients.
const deliverTimeout = 5 * time.Minute

// Server is lmtpd: it accepts LMTP connections and delivers into the store.
type Server struct {
	// PreauthTCP treats TCP connections like the unix socket (lmtpd -a).
	PreauthTCP bool

	store          *store.Store
	dup            *duplicate.Store // nil when duplicatesuppression is off
	resolver       Resolver
	parse          ParseOptions
	log            *slog.Logger
	servername     string
	overQuotaPerm  bool
	mode           quota.Mode
	singleInstance bool
	pid            int
	seq            atomic.Uint64

	smtp      *smtp.Server
	conns     chan net.Conn
	startOnce sync.Once
}

// NewServer returns lmtpd over st, configured by st.Cfg.
func NewServer(st *store.Store, log *slog.Logger) *Server {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	cfg := st.Cfg
	name := cfg.Servername()
	if name == "" {
		name, _ = os.Hostname()
	}
	s := &Server{
		store: st, log: log, servername: name,
		resolver: Resolver{Store: st, Opt: ResolveOptions{
			Fuzzy: cfg.LmtpFuzzyMailboxMatch(), Catchall: cfg.LmtpCatchallMailbox()}},
		parse: ParseOptions{Postuser: cfg.Postuser(), Downcase: cfg.LmtpDowncaseRcpt(),
			VirtDomains: st.NS.VirtDomains != "" && st.NS.VirtDomains != "off", DefaultDomain: cfg.Defaultdomain()},
		overQuotaPerm: cfg.LmtpOverQuotaPermFailure(), mode: quota.Overflow,
		singleInstance: cfg.Singleinstancestore(), pid: os.Getpid(),
		conns: make(chan net.Conn),
	}
	if cfg.LmtpStrictQuota() {
		s.mode = quota.Strict
	}
	if cfg.Duplicatesuppression() {
		s.dup = duplicate.New(st.DB, duplicate.DefaultTTL)
	}
	srv := smtp.NewServer(smtp.BackendFunc(s.newSession))
	srv.LMTP = true
	srv.Domain = name
	srv.MaxMessageBytes = int64(cfg.Maxmessagesize())
	srv.MaxRecipients = 0
	srv.ReadTimeout = 10 * time.Minute
	srv.WriteTimeout = 5 * time.Minute
	srv.ErrorLog = slogPrinter{log}
	s.smtp = srv
	return s
}

// ServeConn runs one LMTP session on c and returns when it ends (or ctx
// does). Its signature is service.Handler's.
func (s *Server) ServeConn(ctx context.Context, c net.Conn) {
	s.startOnce.Do(func() {
		go s.smtp.Serve(chanListener{conns: s.conns, addr: c.LocalAddr()})
	})
	tc := &trackedConn{Conn: c, done: make(chan struct{})}
	select {
	case s.conns <- tc:
	case <-ctx.Done():
		c.Close()
		return
	}
	select {
	case <-tc.done:
	case <-ctx.Done():
		c.Close()
		<-tc.done
	}
}

// trackedConn tells ServeConn when go-smtp is done with a connection.
type trackedConn struct {
	net.Conn
	once sync.Once
	done chan struct{}
}

func (t *trackedConn) Close() error {
	err := t.Conn.Close()
	t.once.Do(func() { close(t.done) })
	return err
}

// chanListener feeds connections accepted elsewhere (by pkg/service) to
// go-smtp's accept loop.
type chanListener struct {
	conns chan net.Conn
	addr  net.Addr
}

func (l chanListener) Accept() (net.Conn, error) {
	c, ok := <-l.conns
	if !ok {
		return nil, net.ErrClosed
	}
	return c, nil
}

func (l chanListener) Close() error   { return nil }
func (l chanListener) Addr() net.Addr { return l.addr }

// slogPrinter adapts the logger to go-smtp's Printf/Println interface.
type slogPrinter struct{ log *slog.Logger }

func (p slogPrinter) Printf(format string, v ...any) {
	p.log.Warn("smtp", "msg", fmt.Sprintf(format, v...))
}
func (p slogPrinter) Println(v ...any) { p.log.Warn("smtp", "msg", fmt.Sprint(v...)) }
