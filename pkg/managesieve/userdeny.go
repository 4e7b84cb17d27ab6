package managesieve

import (
	"sync/atomic"
	"time"

	"gocyrus/pkg/auth"
)

// The deny list (cyr_deny, pkg/userdeny): a denied user's login fails
// like any other, with Cyrus's "Authentication Error" (its SASL
// authorization policy), and a logged-in session of a user denied
// afterwards ends with a BYE carrying the entry's message (Cyrus's
// timsieved has no check of its own: cyr_deny's SIGTERM closes the
// connection; docs/CYRUS-BEHAVIOUR.md §8.10).

// denyState is a session's watch on the deny list. msg is set (once) by
// the Guard's goroutine; everything else belongs to the session.
type denyState struct {
	msg     atomic.Pointer[string]
	unwatch func()
}

// denied reports whether the deny list refuses res's login.
func (s *session) denied(res auth.Result) bool {
	for _, u := range []string{res.User, res.AuthUser} {
		if u == "" {
			continue
		}
		if _, denied := s.srv.opts.Deny.Check(s.ctx, u); denied {
			s.log.Info("login denied by the deny list", "user", u)
			return true
		}
	}
	return false
}

func (s *session) watchDeny(user string) {
	s.unwatchDeny()
	conn := s.conn
	s.deny.unwatch = s.srv.opts.Deny.Watch(user, func(msg string) {
		s.deny.msg.Store(&msg)
		conn.SetReadDeadline(time.Now()) // wake a session waiting for the client
	})
}

func (s *session) unwatchDeny() {
	if s.deny.unwatch != nil {
		s.deny.unwatch()
		s.deny.unwatch = nil
	}
}

// setReadDeadline is the one way the session sets a read deadline: a kick
// that came before it must not be undone by it.
func (s *session) setReadDeadline(t time.Time) {
	s.conn.SetReadDeadline(t)
	if s.deny.msg.Load() != nil {
		s.conn.SetReadDeadline(time.Now())
	}
}

// endIfDenied says goodbye to a denied user's session and reports whether
// it did.
func (s *session) endIfDenied() bool {
	msg := s.deny.msg.Load()
	if msg == nil {
		return false
	}
	s.log.Info("session ended by the deny list")
	s.reply(response("BYE", "", *msg))
	s.flush()
	return true
}
