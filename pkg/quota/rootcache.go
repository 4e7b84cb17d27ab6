package quota

import (
	"sync"
)

// rootCacheSize bounds the mailboxes whose root is remembered; past it
// the cache starts afresh.
const rootCacheSize = 4096

// rootCache remembers which root governs a mailbox for as long as the root
// set does not change: every answer is tagged with the version of the
// generation key it was read under, and a charge made with a cached answer
// is conditioned on that version, so a stale answer can never be charged.
type rootCache struct {
	mu      sync.Mutex
	gen     uint64            // generation version the entries were read under
	entries map[string]string // mailbox -> root ("" none)
}

// CacheRoots makes RootOf and charges remember which root governs each
// mailbox until any process changes the root set (lmtpd does, sparing each
// delivery a read per hierarchy level). Call it before the Store is shared.
func (s *Store) CacheRoots(on bool) {
	if !on {
		s.roots = nil
		return
	}
	s.roots = &rootCache{}
}

// get returns the cached root of mailbox and the generation it is valid
// for; ok is false when nothing is cached.
func (c *rootCache) get(mailbox string) (root string, gen uint64, ok bool) {
	if c == nil {
		return "", 0, false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	root, ok = c.entries[mailbox]
	return root, c.gen, ok
}

// put remembers root for mailbox under generation gen; answers read under
// an older generation are dropped.
func (c *rootCache) put(mailbox, root string, gen uint64) {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.entries == nil || c.gen != gen || len(c.entries) >= rootCacheSize {
		c.entries = map[string]string{}
		c.gen = gen
	}
	c.entries[mailbox] = root
}

// forget drops every remembered answer (the root set changed).
func (c *rootCache) forget() {
	if c == nil {
		return
	}
	c.mu.Lock()
	c.entries = nil
	c.mu.Unlock()
}
