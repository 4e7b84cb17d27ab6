package lmtp

import (
	"context"
	"sync"
	"time"

	"gocyrus/pkg/mailbox"
	"gocyrus/pkg/store"
)

const (
	// boxCacheSize bounds the mailboxes kept open between deliveries.
	boxCacheSize = 256
	// boxIdleTimeout closes a mailbox nothing delivered to for this long.
	boxIdleTimeout = 2 * time.Minute
)

// boxCache keeps mailboxes open across deliveries and sessions of one
// process: opening validates the whole index, and one *mailbox.Mailbox per
// mailbox lets concurrent sessions join one group commit.
//
// Entries are keyed by uniqueid, name and quota mode (the quota hook
// follows the mailbox by uniqueid; a renamed mailbox still gets a fresh
// entry so its change notifications carry the new name). A deleted mailbox
// is never reached: recipients are resolved through the mailbox list
// first. Unused entries are closed when the cache is full or idle.
type boxCache struct {
	st     *store.Store
	notify func(mailboxName string) // the mailboxes' change notification

	mu      sync.Mutex
	entries map[boxKey]*boxEntry
}

type boxKey struct {
	uniqueID, name string
	mode           store.QuotaMode
}

type boxEntry struct {
	mb      *mailbox.Mailbox
	refs    int
	lastUse time.Time
}

// open returns e's mailbox and the function to call when done with it.
func (c *boxCache) open(ctx context.Context, e *store.Entry, mode store.QuotaMode) (*mailbox.Mailbox, func(), error) {
	key := boxKey{uniqueID: e.UniqueID, name: e.Name, mode: mode}
	c.mu.Lock()
	if be, ok := c.entries[key]; ok {
		be.refs++
		c.mu.Unlock()
		return be.mb, func() { c.release(be) }, nil
	}
	c.mu.Unlock()

	mb, err := c.st.OpenEntry(e, mode, c.notify)
	if err != nil {
		return nil, nil, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if be, ok := c.entries[key]; ok { // another session opened it meanwhile
		be.refs++
		mb.Close()
		return be.mb, func() { c.release(be) }, nil
	}
	if c.entries == nil {
		c.entries = map[boxKey]*boxEntry{}
	}
	c.evictLocked(time.Now())
	be := &boxEntry{mb: mb, refs: 1}
	c.entries[key] = be
	return mb, func() { c.release(be) }, nil
}

func (c *boxCache) release(be *boxEntry) {
	c.mu.Lock()
	be.refs--
	be.lastUse = time.Now()
	c.mu.Unlock()
}

// evictLocked closes idle entries, and unused ones while the cache is full.
func (c *boxCache) evictLocked(now time.Time) {
	for k, be := range c.entries {
		if be.refs == 0 && (len(c.entries) >= boxCacheSize || now.Sub(be.lastUse) > boxIdleTimeout) {
			be.mb.Close()
			delete(c.entries, k)
		}
	}
}

// close closes every unused mailbox (lmtpd shutting down).
func (c *boxCache) close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for k, be := range c.entries {
		if be.refs == 0 {
			be.mb.Close()
			delete(c.entries, k)
		}
	}
}
