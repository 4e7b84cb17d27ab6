package cyrusdb

import (
	"context"
	"sync"
)

// hub fans Publish out to the subscribers of one process. Wake-ups are
// coalesced in a one-slot buffer so a publisher never blocks.
type hub struct {
	mu     sync.Mutex
	topics map[string]map[*subscription]struct{}
	closed bool
}

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
	h.mu.Unlock()

	cancel := func() {
		s.once.Do(func() {
			h.mu.Lock()
			if set := h.topics[topic]; set != nil {
				delete(set, s)
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
