package pop3server

import (
	"time"

	"gocyrus/pkg/auth"
)

// The deny list (cyr_deny, pkg/userdeny): checked at login, and for a
// session in the TRANSACTION state by the process's Guard, which kicks the
// session when its user is denied (docs/CYRUS-BEHAVIOUR.md §8.10). Unlike
// imapd, Cyrus's pop3d spares no admin.

// refuseIfDenied answers a login the deny list refuses, with the entry's
// message as Cyrus's pop3d does, and reports whether it did.
func (s *session) refuseIfDenied(res auth.Result) bool {
	e, u, denied := s.srv.opts.Deny.CheckLogin(s.ctx, res.User, res.AuthUser)
	if denied {
		s.log.Info("login denied by the deny list", "user", u)
		s.reply("-ERR [SYS/TEMP] " + e.ReplyText())
	}
	return denied
}

func (s *session) watchDeny(user string) { s.deny.Start(s.srv.opts.Deny, user, s.conn) }

func (s *session) unwatchDeny() { s.deny.Stop() }

// setReadDeadline is the one way the session sets a read deadline: a kick
// that came before it must not be undone by it.
func (s *session) setReadDeadline(t time.Time) { s.deny.SetReadDeadline(s.conn, t) }

// endIfDenied tells a denied user's session why it ends, with Cyrus's
// command-loop words, and reports whether it did.
func (s *session) endIfDenied() bool {
	msg, kicked := s.deny.Kicked()
	if !kicked {
		return false
	}
	s.log.Info("session ended by the deny list")
	s.reply("-ERR [SYS/TEMP] " + msg)
	return true
}
