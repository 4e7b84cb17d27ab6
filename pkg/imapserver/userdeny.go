package imapserver

import (
	"time"

	"gocyrus/pkg/auth"
	"gocyrus/pkg/imapserver/wire"
)

// The deny list (cyr_deny, pkg/userdeny): checked at login, and for a
// logged-in session by the process's Guard, which kicks the session when
// its user is denied (docs/CYRUS-BEHAVIOUR.md §8.10).

// errLoginDenied is Cyrus's answer to a login the deny list refuses (its
// SASL authorization failure).
var errLoginDenied = no("Login failed: authorization failure")

// refuseIfDenied refuses a login whose authorization or authentication
// identity is denied this service.
func (s *session) refuseIfDenied(res auth.Result) error {
	if _, u, denied := s.srv.opts.Deny.CheckLogin(s.ctx, res.User, res.AuthUser); denied {
		s.log.Info("login denied by the deny list", "user", u)
		return errLoginDenied
	}
	return nil
}

// watchDeny starts watching the logged-in user; admins are spared, as in
// Cyrus's command loop.
func (s *session) watchDeny() {
	if s.user.Admin {
		return
	}
	s.deny.Start(s.srv.opts.Deny, s.user.User, s.conn)
}

func (s *session) unwatchDeny() { s.deny.Stop() }

// setReadDeadline is the one way the session sets a read deadline: a kick
// that came before it must not be undone by it.
func (s *session) setReadDeadline(t time.Time) { s.deny.SetReadDeadline(s.conn, t) }

// byeIfDenied ends a session whose user was denied, with Cyrus's words.
func (s *session) byeIfDenied() bool {
	msg, kicked := s.deny.Kicked()
	if !kicked {
		return false
	}
	s.log.Info("session ended by the deny list")
	s.w.StatusResponse("*", wire.BYE, "ALERT", msg)
	s.w.Flush()
	s.state = stateLogout
	return true
}
