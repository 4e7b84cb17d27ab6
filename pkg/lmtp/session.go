package lmtp

import (
	"context"
	"errors"
	"io"
	"time"

	"github.com/emersion/go-smtp"

	"gocyrus/pkg/acl"
	"gocyrus/pkg/quota"
)

// postman is the identity of pre-authenticated (unix socket) connections.
const postman = "postman"

// session is one LMTP connection's state.
type session struct {
	srv     *Server
	preauth bool         // unix socket: trusted, may name a sender with MAIL AUTH=
	who     acl.Identity // sender identity of the current transaction
	from    string
	size    int64 // MAIL SIZE=, for lmtp_strict_quota at RCPT
	rcpts   []*rcpt
}

// rcpt is one accepted recipient, in RCPT order.
type rcpt struct {
	raw    string // as go-smtp reports it to the StatusCollector
	target Target
	mode   quota.Mode
}

func (s *Server) newSession(c *smtp.Conn) (smtp.Session, error) {
	ss := &session{srv: s}
	if nc := c.Conn(); nc != nil {
		ss.preauth = s.PreauthTCP || nc.LocalAddr().Network() == "unix"
	}
	ss.who = ss.defaultIdentity()
	return ss, nil
}

// defaultIdentity: postman on the unix socket, anonymous on TCP.
func (ss *session) defaultIdentity() acl.Identity {
	if ss.preauth {
		return acl.Identity{User: postman}
	}
	return acl.Identity{Anonymous: true, User: "anonymous"}
}

func (ss *session) Reset() {
	ss.from, ss.size, ss.rcpts = "", 0, nil
	ss.who = ss.defaultIdentity()
}

func (ss *session) Logout() error { return nil }

// Mail starts a transaction. On a trusted connection MAIL FROM's AUTH=
// names the sender whose rights apply (AUTH=<> is anonymous), as in Cyrus.
func (ss *session) Mail(from string, opts *smtp.MailOptions) error {
	ss.from, ss.who = from, ss.defaultIdentity()
	if opts != nil {
		ss.size = opts.Size
		if opts.Auth != nil && ss.preauth {
			if *opts.Auth == "" {
				ss.who = acl.Identity{Anonymous: true, User: "anonymous"}
			} else {
				ss.who = acl.Identity{User: *opts.Auth}
			}
		}
	}
	return nil
}

// Rcpt validates a recipient at once: existence, p on shared folders and
// whether its quota root is already over its limit.
func (ss *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	s := ss.srv
	r, err := ParseRecipient(to, s.parse)
	if err != nil {
		return replyBadAddress
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	t, err := s.resolver.Resolve(ctx, r, ss.who)
	switch {
	case errors.Is(err, ErrUnknownUser):
		return replyUnknownUser
	case errors.Is(err, ErrPermission):
		return replyPermission
	case err != nil:
		s.log.Error("resolving a recipient", "rcpt", to, "err", err)
		return replyTempFail
	}
	mode := s.mode
	if _, over, err := overQuota(ctx, s.store.Quota, t.Entry.Name, ss.size, mode); err != nil {
		s.log.Error("checking quota", "mailbox", t.Entry.Name, "err", err)
		return replyTempFail
	} else if over {
		return s.overQuotaReply()
	}
	ss.rcpts = append(ss.rcpts, &rcpt{raw: to, target: t, mode: mode})
	return nil
}

// Data is SMTP's DATA; go-smtp calls LMTPData in LMTP mode.
func (ss *session) Data(r io.Reader) error {
	return errors.New("lmtp: DATA without per-recipient status")
}

// LMTPData delivers the message and reports one status per recipient.
func (ss *session) LMTPData(r io.Reader, status smtp.StatusCollector) error {
	s := ss.srv
	msg, err := io.ReadAll(r)
	if err != nil {
		return err // go-smtp's ErrDataTooLarge is 552 5.3.4 for everyone
	}
	now := time.Now()
	prefix, msgID, date, err := stamp(msg, envelope{
		from: ss.from, servername: s.servername, viaUnix: ss.preauth, auth: !ss.who.Anonymous,
		now: now, seq: s.seq.Add(1), pid: s.pid,
	})
	if err != nil {
		return replyBadMessage
	}
	full := make([]byte, 0, len(prefix)+len(msg))
	full = append(append(full, prefix...), msg...)
	ctx, cancel := context.WithTimeout(context.Background(), deliverTimeout)
	defer cancel()
	results := s.deliver(ctx, full, msgID, date, ss.rcpts)
	for i, rc := range ss.rcpts {
		status.SetStatus(rc.raw, results[i])
	}
	return nil
}
