package smmap

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net"
	"strings"
	"time"

	"gocyrus/pkg/acl"
	"gocyrus/pkg/mboxname"
	"gocyrus/pkg/recipient"
	"gocyrus/pkg/service"
	"gocyrus/pkg/store"
)

// Cyrus's answer texts (its error_message() strings).
const (
	textNotFound   = "Mailbox does not exist"
	textPermission = "Permission denied"
	textOverQuota  = "Over quota"
	textIOError    = "System I/O error"
)

// DefaultIdleTimeout closes a connection that sends nothing for this long.
const DefaultIdleTimeout = 10 * time.Minute

// writeTimeout bounds sending one answer to a peer that does not read.
const writeTimeout = time.Minute

// lookupTimeout bounds the database reads behind one answer.
const lookupTimeout = 30 * time.Second

// Server answers socket-map requests from the mail store.
type Server struct {
	store         *store.Store
	parse         recipient.Options
	overQuotaPerm bool
	log           *slog.Logger
	sessions      *service.Sessions
	// IdleTimeout closes a connection silent for this long (0: DefaultIdleTimeout).
	IdleTimeout time.Duration
}

// NewServer returns smmapd over st, configured by st.Config().
func NewServer(st *store.Store, log *slog.Logger) *Server {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	cfg := st.Config()
	// Without implicit TLS NewSessions cannot fail.
	k, _ := service.NewSessions("smmap", service.SessionOptions{
		IDBase: service.SessionIDBase(cfg.SyslogPrefix(), cfg.Servername()), Logger: log})
	return &Server{store: st, parse: recipient.OptionsFromConfig(cfg), overQuotaPerm: cfg.LmtpOverQuotaPermFailure(),
		log: log, sessions: k}
}

// Handle serves one connection (a service.Handler).
func (s *Server) Handle(ctx context.Context, conn net.Conn) {
	s.sessions.Handle(ctx, conn, func(sess *service.Session) service.Protocol {
		return service.Protocol{Run: func() { s.serve(sess) }}
	})
}

func (s *Server) serve(sess *service.Session) {
	idle := s.IdleTimeout
	if idle <= 0 {
		idle = DefaultIdleTimeout
	}
	r := bufio.NewReaderSize(sess.Conn, 4096)
	w := bufio.NewWriter(sess.Conn)
	for {
		sess.Conn.SetReadDeadline(time.Now().Add(idle))
		req, err := readNetstring(r)
		var pe *ProtocolError
		switch {
		case errors.As(err, &pe):
			sess.Log.Info("refusing a request", "err", err)
			w.Write(appendNetstring(nil, "PERM Bad protocol ("+pe.Why+")"))
			service.Flush(sess.Conn, w, writeTimeout, sess.Log)
			return
		case err != nil:
			return
		}
		w.Write(appendNetstring(nil, s.answer(sess.Ctx, req)))
		if r.Buffered() == 0 {
			service.Flush(sess.Conn, w, writeTimeout, sess.Log)
		}
	}
}

// answer is the reply to one request's payload "<mapname> <key>".
func (s *Server) answer(ctx context.Context, req []byte) string {
	_, key, ok := bytes.Cut(req, []byte{' '})
	if !ok {
		return "PERM Bad protocol (missing key)"
	}
	ctx, cancel := context.WithTimeout(ctx, lookupTimeout)
	defer cancel()
	v := s.Verify(ctx, string(key))
	if v == "" {
		return "OK " + string(key)
	}
	return v
}

// Verify returns "" when the address key names a mailbox that anonymous
// may post to and that is not over quota, else the reply to send
// ("NOTFOUND ...", "PERM ...", "TEMP ...").
func (s *Server) Verify(ctx context.Context, key string) string {
	const notFound = "NOTFOUND " + textNotFound
	// The key is a bare address: no SMTP angle brackets or source route.
	if strings.HasPrefix(key, "<") || strings.HasPrefix(key, "@") {
		return notFound
	}
	r, err := recipient.Parse(key, s.parse)
	if err != nil {
		return notFound
	}
	name, err := s.mailboxName(r)
	if err != nil {
		return notFound
	}
	e, err := s.store.Lookup(ctx, name)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return notFound
	case err != nil:
		s.log.Error("looking up a recipient", "key", key, "err", err)
		return "TEMP " + textIOError
	}
	anonymous := acl.Identity{User: "anonymous", Anonymous: true}
	if r.Shared && !s.store.Policy().CanDeliver(e.ACL, anonymous, e.Name) {
		return "PERM " + textPermission
	}
	_, over, err := s.store.WouldExceed(ctx, e.Name, 0, store.QuotaOverflow)
	switch {
	case err != nil:
		s.log.Error("checking quota", "mailbox", e.Name, "err", err)
		return "TEMP " + textIOError
	case over && s.overQuotaPerm:
		return "PERM " + textOverQuota
	case over:
		return "TEMP " + textOverQuota
	}
	return ""
}

// errNoMailbox: the address names no mailbox that could exist.
var errNoMailbox = errors.New("no such mailbox")

// mailboxName is the internal name of the mailbox r names: the shared
// folder, the user's INBOX or, with a detail, that folder below it.
func (s *Server) mailboxName(r recipient.Recipient) (string, error) {
	ns := s.store.Namespace()
	var name string
	var err error
	switch {
	case r.Shared:
		name, err = ns.ToInternal(r.Detail, "", true)
	default:
		userid := r.UserID()
		if err := mboxname.ValidateUserID(userid); err != nil {
			return "", err
		}
		name = ns.UserInbox(userid)
		if r.Detail != "" {
			external := r.Detail // altnamespace: a user's folders sit beside INBOX
			if !ns.AltNamespace {
				external = "INBOX" + string(ns.Separator(false)) + r.Detail
			}
			sub, err := ns.ToInternal(external, userid, false)
			if err != nil || !mboxname.IsDescendant(sub, name) {
				return "", errNoMailbox
			}
			name = sub
		}
	}
	if err != nil {
		return "", err
	}
	if s.store.IsDeletedName(name) {
		// A delayed-deleted mailbox takes no mail.
		return "", errNoMailbox
	}
	return name, nil
}
