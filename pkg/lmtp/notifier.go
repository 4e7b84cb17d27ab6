package lmtp

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"gocyrus/pkg/cyrusdb"
	"gocyrus/pkg/panics"
)

// publishTimeout bounds one change notification.
const publishTimeout = 10 * time.Second

// notifier tells sessions idling on a mailbox about deliveries without
// making the 250 wait for a database round trip: each Publish runs in the
// background, and deliveries to a mailbox whose notification is still in
// flight are coalesced into one more after it (a wake-up says "look
// again", so one per burst is enough). The message is durable before
// notify is called; only the wake-up is deferred.
type notifier struct {
	db  cyrusdb.DB
	log *slog.Logger

	mu      sync.Mutex
	again   map[string]bool // mailboxes in flight -> another publish wanted
	drained *sync.Cond      // signalled when again empties
}

func newNotifier(db cyrusdb.DB, log *slog.Logger) *notifier {
	n := &notifier{db: db, log: log, again: map[string]bool{}}
	n.drained = sync.NewCond(&n.mu)
	return n
}

// notify publishes a change of mailbox name, in the background.
func (n *notifier) notify(name string) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if _, busy := n.again[name]; busy {
		n.again[name] = true
		return
	}
	n.again[name] = false
	go n.run(name)
}

// run publishes name until no further change arrived meanwhile.
func (n *notifier) run(name string) {
	for {
		n.publish(name)
		n.mu.Lock()
		if !n.again[name] {
			delete(n.again, name)
			if len(n.again) == 0 {
				n.drained.Broadcast()
			}
			n.mu.Unlock()
			return
		}
		n.again[name] = false
		n.mu.Unlock()
	}
}

// publish sends one notification. A panic below (a bug) loses that
// wake-up only and is logged with its stack: unrecovered in this
// background goroutine it would end every session of the process.
func (n *notifier) publish(name string) {
	defer panics.Guard(func(e *panics.Error) {
		n.log.Error("panic publishing a change", "mailbox", name, "err", e)
	})
	ctx, cancel := context.WithTimeout(context.Background(), publishTimeout)
	defer cancel()
	if err := n.db.Publish(ctx, name); err != nil {
		n.log.Debug("publishing a change", "mailbox", name, "err", err)
	}
}

// wait returns once no notification is in flight (each is bounded by
// publishTimeout).
func (n *notifier) wait() {
	n.mu.Lock()
	for len(n.again) > 0 {
		n.drained.Wait()
	}
	n.mu.Unlock()
}
