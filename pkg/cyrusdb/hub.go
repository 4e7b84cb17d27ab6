package cyrusdb

import (
	"context"
	"strings"
	"sync"
)

// hub fans Publish out to the subscribers of one process. Wake-ups are
// coalesced in a one-slot buffer so a publisher never blocks. A topic
// ending in '*' (PrefixTopic) subscribes to every topic with that prefix:
// one subscription watches a whole subtree of mailboxes (IMAP NOTIFY)
// instead of one per mailbox, and a publish costs one map lookup per
// byte of its topic only while such subscriptions exist.
type hub struct {
	mu     sync.Mutex
	topics map[string]map[*subscription]struct{}
	wild   int // subscriptions to a prefix topic
	closed bool
}

// PrefixTopic is the topic whose subscribers are woken by every Publish
// of a topic beginning with prefix.
func PrefixTopic(prefix string) string { return prefix + "*" }

type subscription struct {
	ch   chan struct{}
	once sync.Once
}

func newHub() *hub { return &hub{topics: map[string]map[*subscription]struct{}{}} }

func (s *subscription) wake() {
	select {
	case s.ch <- struct{}{}:
	default:
	}
}

func (h *hub) publish(topic string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for s := range h.topics[topic] {
		s.wake()
	}
	if h.wild == 0 {
		return
	}
	for i := 0; i <= len(topic); i++ {
		for s := range h.topics[topic[:i]+"*"] {
			s.wake()
		}
	}
}

// subscribe registers a subscriber; the returned cancel (also run when ctx
// ends) unregisters it and closes its channel.
func (h *hub) subscribe(ctx context.Context, topic string) (<-chan struct{}, func(), error) {
	s := &subscription{ch: make(chan struct{}, 1)}
	h.mu.Lock()
	if h.closed {
		h.mu.Unlock()
		return nil, nil, ErrClosed
	}
	set := h.topics[topic]
	if set == nil {
		set = map[*subscription]struct{}{}
		h.topics[topic] = set
	}
	set[s] = struct{}{}
	wild := strings.HasSuffix(topic, "*")
	if wild {
		h.wild++
	}
	h.mu.Unlock()

	cancel := func() {
		s.once.Do(func() {
			h.mu.Lock()
			if set := h.topics[topic]; set != nil {
				delete(set, s)
				if wild {
					h.wild--
				}
				if len(set) == 0 {
					delete(h.topics, topic)
				}
			}
			h.mu.Unlock()
			close(s.ch)
		})
	}
	stop := context.AfterFunc(ctx, cancel)
	return s.ch, func() { stop(); cancel() }, nil
}

// close ends every subscription.
func (h *hub) close() {
	h.mu.Lock()
	var all []*subscription
	for _, set := range h.topics {
		for s := range set {
			all = append(all, s)
		}
	}
	h.topics = map[string]map[*subscription]struct{}{}
	h.closed = true
	h.mu.Unlock()
	for _, s := range all {
		s.once.Do(func() { close(s.ch) })
	}
}
