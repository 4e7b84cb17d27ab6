package pop3server

import (
	"sync/atomic"
	"time"

	"gocyrus/pkg/auth"
)

// The deny list (cyr_deny, pkg/userdeny): checked at login, and for a
// session in the TRANSACTION state by the process's Guard, which kicks the
// session when its user is denied (docs/CYRUS-BEHAVIOUR.md §8.10). Unlike
// imapd, Cyrus's pop3d spares no admin.

// denyState is a session's watch on the deny list. msg is set (once) by
// the Guard's goroutine; everything else belongs to the session.
type denyState struct {
	msg     atomic.Pointer[string]
	unwatch func()
}

// refuseIfDenied answers a login the deny list refuses, with the entry's
// message as Cyrus's pop3d does, and reports whether it did.
func (s *session) refuseIfDenied(res auth.Result) bool {
	for _, u := range []string{res.User, res.AuthUser} {
		if u == "" {
			continue
		}
		if e, denied := s.srv.opts.Deny.Check(s.ctx, u); denied {
			s.log.Info("login denied by the deny list", "user", u)
			s.reply("-ERR [SYS/TEMP] " + e.ReplyText())
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

// endIfDenied tells a denied user's session why it ends, with Cyrus's
// command-loop words, and reports whether it did.
func (s *session) endIfDenied() bool {
	msg := s.deny.msg.Load()
	if msg == nil {
		return false
	}
	s.log.Info("session ended by the deny list")
	s.reply("-ERR [SYS/TEMP] " + *msg)
	return true
}
