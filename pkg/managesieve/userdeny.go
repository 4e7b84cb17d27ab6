package managesieve

import (
	"time"

	"gocyrus/pkg/auth"
)

// The deny list (cyr_deny, pkg/userdeny): a denied user's login fails
// like any other, with Cyrus's "Authentication Error" (its SASL
// authorization policy), and a logged-in session of a user denied
// afterwards ends with a BYE carrying the entry's message (Cyrus's
// timsieved has no check of its own: cyr_deny's SIGTERM closes the
// connection; docs/CYRUS-BEHAVIOUR.md §8.10).

// denied reports whether the deny list refuses res's login.
func (s *session) denied(res auth.Result) bool {
	_, u, denied := s.srv.opts.Deny.CheckLogin(s.ctx, res.User, res.AuthUser)
	if denied {
		s.log.Info("login denied by the deny list", "user", u)
	}
	return denied
}

func (s *session) watchDeny(user string) { s.deny.Start(s.srv.opts.Deny, user, s.conn) }

func (s *session) unwatchDeny() { s.deny.Stop() }

// setReadDeadline is the one way the session sets a read deadline: a kick
// that came before it must not be undone by it.
func (s *session) setReadDeadline(t time.Time) { s.deny.SetReadDeadline(s.conn, t) }

// endIfDenied says goodbye to a denied user's session and reports whether
// it did.
func (s *session) endIfDenied() bool {
	msg, kicked := s.deny.Kicked()
	if !kicked {
		return false
	}
	s.log.Info("session ended by the deny list")
	s.reply(response("BYE", "", msg))
	s.flush()
	return true
}
