package quota

import (
	"context"
	"sync"
	"time"
)

// rootCacheSize bounds the mailboxes whose root is remembered; past it
// the cache starts afresh.
const rootCacheSize = 4096

// rootCache remembers which root governs a mailbox for a short time, so
// that a busy delivery agent does not walk the hierarchy in the databases
// (one read per level) at every message.
type rootCache struct {
	ttl time.Duration

	mu      sync.Mutex
	entries map[string]cachedRoot // by mailbox name
}

type cachedRoot struct {
	root string
	ok   bool
	read time.Time
}

// CacheRoots makes RootOf remember its answers for ttl (0 turns caching
// off again). Set and Remove through this Store forget them at once; a
// root set or removed by another process is seen after at most ttl, and
// changes charged meanwhile to the former root are usage drift that
// `quota -f` corrects. Call it before the Store is shared.
func (s *Store) CacheRoots(ttl time.Duration) {
	if ttl <= 0 {
		s.roots = nil
		return
	}
	s.roots = &rootCache{ttl: ttl}
}

func (c *rootCache) get(mailbox string, now time.Time) (cachedRoot, bool) {
	if c == nil {
		return cachedRoot{}, false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[mailbox]
	if !ok || now.Sub(e.read) >= c.ttl || now.Before(e.read) {
		return cachedRoot{}, false
	}
	return e, true
}

func (c *rootCache) put(mailbox string, e cachedRoot) {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.entries == nil || len(c.entries) >= rootCacheSize {
		c.entries = map[string]cachedRoot{}
	}
	c.entries[mailbox] = e
}

// forget drops every remembered answer (a root was set or removed).
func (c *rootCache) forget() {
	if c == nil {
		return
	}
	c.mu.Lock()
	c.entries = nil
	c.mu.Unlock()
}

// cachedRootOf is RootOf through the cache.
func (s *Store) cachedRootOf(ctx context.Context, mailbox string) (string, bool, error) {
	now := time.Now()
	if e, ok := s.roots.get(mailbox, now); ok {
		return e.root, e.ok, nil
	}
	root, ok, err := s.lookupRoot(ctx, mailbox)
	if err == nil {
		s.roots.put(mailbox, cachedRoot{root: root, ok: ok, read: now})
	}
	return root, ok, err
}
