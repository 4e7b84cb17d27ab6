package userdeny

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"gocyrus/pkg/cyrusdb"
)

// RecheckInterval is how often a Guard re-reads the entries of its watched
// users without a wake-up, the bound on a lost one.
const RecheckInterval = time.Minute

// Guard enforces the list for one service in one process. A nil *Guard
// denies nothing (a server built without the databases' list).
type Guard struct {
	db      cyrusdb.DB
	service string
	log     *slog.Logger
	recheck time.Duration

	mu      sync.Mutex
	watched map[*watch]struct{}
	stop    context.CancelFunc // ends the re-check goroutine; nil when none runs
}

type watch struct {
	user string
	kick func(message string)
	done bool // kicked already: each session is told once
}

// NewGuard returns the Guard of service (the cyrus.conf entry name, Cyrus's
// config_ident) over db; log may be nil.
func NewGuard(db cyrusdb.DB, service string, log *slog.Logger) *Guard {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Guard{db: db, service: service, log: log, recheck: RecheckInterval, watched: map[*watch]struct{}{}}
}

// Service is the service name the Guard checks.
func (g *Guard) Service() string {
	if g == nil {
		return ""
	}
	return g.service
}

// Check tells whether user is denied this service now, and with which
// entry (its ReplyText is what the user is told). A database error is
// logged and allows, as in Cyrus: the list never locks everybody out.
func (g *Guard) Check(ctx context.Context, user string) (Entry, bool) {
	if g == nil {
		return Entry{}, false
	}
	e, found, err := Lookup(ctx, g.db, user)
	if err != nil {
		g.log.Warn("DENYDB_ERROR", "user", user, "err", err)
		return Entry{}, false
	}
	if !found || !e.Denies(g.service) {
		return Entry{}, false
	}
	return e, true
}

// Watch has kick called, once, from another goroutine, when user becomes
// denied this service; the returned function ends the watch (call it when
// the session ends). kick must not block: it records the message and wakes
// the session, which ends itself with its protocol's words.
func (g *Guard) Watch(user string, kick func(message string)) (unwatch func()) {
	if g == nil {
		return func() {}
	}
	w := &watch{user: user, kick: kick}
	g.mu.Lock()
	g.watched[w] = struct{}{}
	if g.stop == nil {
		ctx, cancel := context.WithCancel(context.Background())
		g.stop = cancel
		go g.run(ctx)
	}
	g.mu.Unlock()
	return func() {
		g.mu.Lock()
		defer g.mu.Unlock()
		delete(g.watched, w)
		if len(g.watched) == 0 && g.stop != nil {
			g.stop()
			g.stop = nil
		}
	}
}

// run re-checks the watched users on every change of the list and every
// recheck interval, until ctx ends (no session left).
func (g *Guard) run(ctx context.Context) {
	tick := time.NewTicker(g.recheck)
	defer tick.Stop()
	var wake <-chan struct{}
	var cancel func()
	defer func() {
		if cancel != nil {
			cancel()
		}
	}()
	for {
		if wake == nil {
			ch, c, err := g.db.Subscribe(ctx, Topic)
			if err != nil {
				g.log.Warn("userdeny: no change notifications, re-checking every interval", "err", err)
			} else {
				wake, cancel = ch, c
			}
		}
		select {
		case <-ctx.Done():
			return
		case _, ok := <-wake:
			if ctx.Err() != nil {
				return
			}
			if !ok { // the subscription ended (db service reconnect): subscribe again
				wake, cancel = nil, nil
			}
		case <-tick.C:
		}
		g.enforce(ctx)
	}
}

// enforce kicks every watched session whose user is now denied.
func (g *Guard) enforce(ctx context.Context) {
	g.mu.Lock()
	users := map[string][]*watch{}
	for w := range g.watched {
		if !w.done {
			users[w.user] = append(users[w.user], w)
		}
	}
	g.mu.Unlock()
	for user, ws := range users {
		e, denied := g.Check(ctx, user)
		if !denied {
			continue
		}
		g.mu.Lock()
		for _, w := range ws {
			if _, live := g.watched[w]; live && !w.done {
				w.done = true
				w.kick(e.ReplyText())
			}
		}
		g.mu.Unlock()
	}
}
