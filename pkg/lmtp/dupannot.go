package lmtp

import (
	"context"
	"gocyrus/pkg/store"
	"strings"
	"sync"
	"time"
)

// duplicateDeliverEntry is the mailbox annotation that turns duplicate
// suppression off for one mailbox ("true"), as in Cyrus.
const duplicateDeliverEntry = "/vendor/cmu/cyrus-imapd/duplicatedeliver"

// dupAnnotTTL is how long an annotation value read is trusted: a change
// made with SETMETADATA applies to deliveries within this time.
const dupAnnotTTL = 10 * time.Second

// metadataReader reads one mailbox annotation (the store does).
type metadataReader interface {
	GetMetadata(ctx context.Context, mailbox, entry, user string) ([]byte, error)
}

// dupAnnotCache remembers each mailbox's duplicatedeliver annotation for
// a short while, sparing every delivery a database read.
type dupAnnotCache struct {
	list metadataReader

	mu      sync.Mutex
	entries map[string]dupAnnot // by uniqueid
}

type dupAnnot struct {
	allow bool
	read  time.Time
}

// allowsDuplicates reports whether e accepts duplicate deliveries. A
// failed read counts as "no": suppression stays on.
func (c *dupAnnotCache) allowsDuplicates(ctx context.Context, e *store.Entry) bool {
	now := time.Now()
	c.mu.Lock()
	a, ok := c.entries[e.UniqueID]
	c.mu.Unlock()
	if ok && now.Sub(a.read) < dupAnnotTTL {
		return a.allow
	}
	v, err := c.list.GetMetadata(ctx, e.Name, duplicateDeliverEntry, "")
	if err != nil {
		return false
	}
	a = dupAnnot{allow: strings.EqualFold(strings.TrimSpace(string(v)), "true"), read: now}
	c.mu.Lock()
	if c.entries == nil || len(c.entries) >= boxCacheSize*16 {
		c.entries = map[string]dupAnnot{}
	}
	c.entries[e.UniqueID] = a
	c.mu.Unlock()
	return a.allow
}
