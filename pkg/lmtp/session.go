package lmtp

import (
	"context"
	"errors"
	"io"
	"strconv"
	"strings"
	"time"

	"gocyrus/pkg/acl"
	"gocyrus/pkg/auth"
	"gocyrus/pkg/mboxname"
	"gocyrus/pkg/recipient"
	"gocyrus/pkg/store"
)

// postman is the identity AUTH EXTERNAL gives on a trusted connection
// when the client names no authorization id.
const postman = "postman"

// session is one LMTP connection's transaction state.
type session struct {
	srv *Server
	// ctx is the connection's: it ends when the service stops. STARTTLS,
	// AUTH and RCPT lookups run under it, each with its own deadline too.
	// DATA's delivery does not: once the message is read, it is either
	// delivered whole or not at all, and the reply says which.
	ctx      context.Context
	preauth  bool          // unix socket (or lmtpd -a): needs no AUTH, may name the sender with MAIL AUTH=
	authed   *acl.Identity // after AUTH
	connInfo auth.ConnInfo
	who      acl.Identity // sender identity of the current transaction
	inMail   bool
	from     string
	size     int64 // MAIL SIZE=
	rcpts    []*rcpt
}

// rcpt is one accepted recipient, in RCPT order.
type rcpt struct {
	target Target
	mode   store.QuotaMode
	addr   string // the envelope address, for Sieve's envelope "to"
	user   string // the user whose Sieve script runs; "" for shared folders
}

// defaultIdentity is whose rights apply when MAIL FROM names no AUTH=:
// the AUTH command's identity, else anonymous. A trusted connection (the
// unix socket, lmtpd -a) is trusted to name the sender, not to lend its
// own rights to one that names none: Cyrus checks p on "+board" for the
// AUTH= identity or anonymous (the 3.6.1 transcript, session 1 and 3).
func (ss *session) defaultIdentity() acl.Identity {
	if ss.authed != nil {
		return *ss.authed
	}
	return acl.Identity{Anonymous: true, User: "anonymous"}
}

// authenticated reports whether the client may open a transaction: the
// connection is trusted or the client passed AUTH.
func (ss *session) authenticated() bool { return ss.preauth || ss.authed != nil }

func (ss *session) reset() {
	ss.inMail, ss.from, ss.size, ss.rcpts = false, "", 0, nil
	ss.who = ss.defaultIdentity()
}

// mail starts a transaction. On a trusted connection MAIL FROM's AUTH=
// names the sender whose rights apply (AUTH=<> is anonymous), as in Cyrus.
func (ss *session) mail(from string, params map[string]string) error {
	if !ss.authenticated() {
		return ss.srv.authRequired
	}
	if ss.inMail {
		return replyNested
	}
	who := ss.defaultIdentity()
	var size int64
	for k, v := range params {
		switch k {
		case "AUTH":
			id := decodeXtext(v)
			switch {
			case hasControl(id):
				return replyBadAddress
			case !ss.preauth && !who.Admin:
			case v == "<>" || v == "":
				who = acl.Identity{Anonymous: true, User: "anonymous"}
			default:
				who = acl.Identity{User: id}
			}
		case "SIZE":
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil || n < 0 {
				return replyBadAddress
			}
			size = n
		case "BODY":
		default:
			return replyBadAddress
		}
	}
	if max := ss.srv.maxSize; max > 0 && size > max {
		return sizeParamTooBig(max)
	}
	ss.inMail, ss.from, ss.size, ss.who = true, from, size, who
	return nil
}

// rcpt validates a recipient at once: existence, p on shared folders and
// whether its quota root is already over its limit.
func (ss *session) rcpt(to string, ignoreQuota bool) error {
	s := ss.srv
	if !ss.inMail {
		return replyNeedMail
	}
	r, err := recipient.Parse(to, s.parse)
	if err != nil {
		s.log.Info("refusing a recipient", "rcpt", to, "err", err)
		return replyBadAddress
	}
	ctx, cancel := context.WithTimeout(ss.ctx, time.Minute)
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
	var user string
	if !r.Shared {
		user, _ = mboxname.UserOf(t.Entry.Name)
		// Cyrus's verify_user: the deny list of the lmtp service
		// (docs/CYRUS-BEHAVIOUR.md §8.10).
		if _, denied := s.Deny.Check(ctx, user); denied {
			s.log.Info("recipient denied by the deny list", "rcpt", to, "user", user)
			return replyDisabled
		}
	}
	mode := s.mode
	if ignoreQuota {
		mode = store.QuotaIgnore
	}
	if _, over, err := s.store.WouldExceed(ctx, t.Entry.Name, ss.size, mode); err != nil {
		s.log.Error("checking quota", "mailbox", t.Entry.Name, "err", err)
		return replyTempFail
	} else if over {
		return s.overQuotaReply()
	}
	rc := &rcpt{target: t, mode: mode, addr: strings.Trim(strings.TrimSpace(to), "<>"), user: user}
	ss.rcpts = append(ss.rcpts, rc)
	return nil
}

// data delivers the staged message (staged holds it as dataReader wrote
// it, described by st) and returns one result per recipient. Only the
// header block is in memory: the trace headers and the 8-bit policy apply
// to it, and every copy is that header followed by the staged body.
func (ss *session) data(staged io.ReaderAt, st dataStats, sessionID string) []error {
	s := ss.srv
	now := time.Now()
	header, err := s.eightBit.apply(st.header)
	if err != nil {
		return repeat(err, len(ss.rcpts))
	}
	prefix, msgID, date, err := stamp(header, envelope{
		from: ss.from, servername: s.servername, viaUnix: ss.preauth, auth: ss.authenticated(),
		sessionID: sessionID, now: now, seq: s.seq.Add(1), pid: s.pid,
	})
	if err != nil {
		return repeat(replyBadMessage, len(ss.rcpts))
	}
	head := make([]byte, 0, len(prefix)+len(header))
	head = append(append(head, prefix...), header...)
	hl := int64(len(st.header))
	body := io.NewSectionReader(staged, hl, st.size-hl)
	d := &delivery{orig: newContent(head, body), msgID: msgID, date: date, from: ss.from, now: now,
		sender: ss.who, sieveMsg: newSieveMessage(head, body)}
	if !ss.who.Anonymous {
		d.auth = ss.who.User
	}
	ctx, cancel := context.WithTimeout(context.Background(), deliverTimeout)
	defer cancel()
	return s.deliver(ctx, d, ss.rcpts)
}

func repeat(err error, n int) []error {
	out := make([]error, n)
	for i := range out {
		out[i] = err
	}
	return out
}

// decodeXtext undoes RFC 3461 xtext ("+2B" is '+'); bad escapes stay as is.
func decodeXtext(s string) string {
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		if s[i] == '+' && i+2 < len(s) {
			if v, err := strconv.ParseUint(s[i+1:i+3], 16, 8); err == nil {
				b = append(b, byte(v))
				i += 2
				continue
			}
		}
		b = append(b, s[i])
	}
	return string(b)
}
