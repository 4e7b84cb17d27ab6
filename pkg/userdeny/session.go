package userdeny

import (
	"context"
	"net"
	"sync/atomic"
	"time"
)

// CheckLogin checks each identity of a login (the authorization and the
// authentication identity; empty ones are skipped) and returns the first
// that is denied this service, with its entry.
func (g *Guard) CheckLogin(ctx context.Context, identities ...string) (e Entry, user string, denied bool) {
	for _, u := range identities {
		if u == "" {
			continue
		}
		if e, denied := g.Check(ctx, u); denied {
			return e, u, true
		}
	}
	return Entry{}, "", false
}

// SessionWatch is one session's watch on the deny list: the part every
// protocol shares. The Guard's goroutine records the entry's message and
// wakes the session's read; the session sets its read deadlines through
// SetReadDeadline so a wake-up is never undone, and between commands asks
// Kicked whether to end, with its own protocol's words. The zero value
// watches nothing.
type SessionWatch struct {
	msg     atomic.Pointer[string] // set once, by the Guard's goroutine
	unwatch func()
}

// Start watches user for the session reading from conn, ending any
// earlier watch. A nil Guard watches nothing.
func (w *SessionWatch) Start(g *Guard, user string, conn net.Conn) {
	w.Stop()
	w.unwatch = g.Watch(user, func(msg string) {
		w.msg.Store(&msg)
		conn.SetReadDeadline(time.Now()) // wake a session waiting for the client
	})
}

// Stop ends the watch (a no-op when none runs).
func (w *SessionWatch) Stop() {
	if w.unwatch != nil {
		w.unwatch()
		w.unwatch = nil
	}
}

// SetReadDeadline is how a watched session sets conn's read deadline: a
// kick that came before it must not be undone by it.
func (w *SessionWatch) SetReadDeadline(conn net.Conn, t time.Time) {
	conn.SetReadDeadline(t)
	if w.msg.Load() != nil {
		conn.SetReadDeadline(time.Now())
	}
}

// Kicked returns the message of a deny that came for the watched user.
func (w *SessionWatch) Kicked() (string, bool) {
	if m := w.msg.Load(); m != nil {
		return *m, true
	}
	return "", false
}
