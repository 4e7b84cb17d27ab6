package imapserver

import (
	"sync/atomic"
	"time"

	"gocyrus/pkg/auth"
	"gocyrus/pkg/imapserver/wire"
)

// The deny list (cyr_deny, pkg/userdeny): checked at login, and for a
// logged-in session by the process's Guard, which kicks the session when
// its user is denied (docs/CYRUS-BEHAVIOUR.md §8.10).

// denyState is a session's watch on the deny list. msg is set (once) by
// the Guard's goroutine; everything else belongs to the session.
type denyState struct {
	msg     atomic.Pointer[string]
	unwatch func()
}

// errLoginDenied is Cyrus's answer to a login the deny list refuses (its
// SASL authorization failure).
var errLoginDenied = no("Login failed: authorization failure")

// refuseIfDenied refuses a login whose authorization or authentication
// identity is denied this service.
func (s *session) refuseIfDenied(res auth.Result) error {
	for _, u := range []string{res.User, res.AuthUser} {
		if u == "" {
			continue
		}
		if _, denied := s.srv.opts.Deny.Check(s.ctx, u); denied {
			s.log.Info("login denied by the deny list", "user", u)
			return errLoginDenied
		}
	}
	return nil
}

// watchDeny starts watching the logged-in user; admins are spared, as in
// Cyrus's command loop.
func (s *session) watchDeny() {
	if s.user.Admin {
		return
	}
	conn := s.conn
	s.deny.unwatch = s.srv.opts.Deny.Watch(s.user.User, func(msg string) {
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

// byeIfDenied ends a session whose user was denied, with Cyrus's words.
func (s *session) byeIfDenied() bool {
	msg := s.deny.msg.Load()
	if msg == nil {
		return false
	}
	s.log.Info("session ended by the deny list")
	s.w.StatusResponse("*", wire.BYE, "ALERT", *msg)
	s.w.Flush()
	s.state = stateLogout
	return true
}
