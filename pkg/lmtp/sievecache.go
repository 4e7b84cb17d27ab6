package lmtp

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"os/user"
	"sync"
	"time"

	"gocyrus/pkg/sieve"
	"gocyrus/pkg/sievescripts"
)

const (
	// scriptCacheSize bounds the compiled scripts kept; past it the cache
	// starts over (compiling is cheap next to a delivery's fsyncs).
	scriptCacheSize = 4096
	// scriptCacheTTL makes a cached script be compiled again now and then,
	// so that changes to the scripts it includes are seen.
	scriptCacheTTL = time.Minute
)

// errNoScript: the user has no active script; deliver normally.
var errNoScript = errors.New("no active sieve script")

// scriptCache compiles each user's active script once. Entries are keyed
// by user and the SHA-256 of the source, so an uploaded script replaces
// the cached one on the next delivery without any invalidation.
type scriptCache struct {
	scripts *sievescripts.Store
	opts    func(userid string) sieve.Options

	mu      sync.Mutex
	entries map[cacheKey]cachedScript
}

type cacheKey struct {
	user string
	sum  [sha256.Size]byte
}

type cachedScript struct {
	script   *sieve.Script
	err      error // a compile error is cached too
	compiled time.Time
}

// active returns userid's compiled active script and its name:
// errNoScript when there is none, the compile error (naming line and
// column) when it does not compile.
func (c *scriptCache) active(userid string, now time.Time) (*sieve.Script, string, error) {
	name, src, err := c.scripts.Active(userid)
	switch {
	case errors.Is(err, sievescripts.ErrNoActive), errors.As(err, new(user.UnknownUserError)):
		// sieveusehomedir: a user without a system account has no ~/.sieve.
		return nil, "", errNoScript
	case err != nil:
		return nil, name, fmt.Errorf("reading the active script: %w", err)
	}
	key := cacheKey{user: userid, sum: sha256.Sum256(src)}
	c.mu.Lock()
	e, ok := c.entries[key]
	c.mu.Unlock()
	if !ok || now.Sub(e.compiled) > scriptCacheTTL {
		e.script, e.err = sieve.Compile(src, c.opts(userid))
		e.compiled = now
		c.mu.Lock()
		if c.entries == nil || len(c.entries) >= scriptCacheSize {
			c.entries = map[cacheKey]cachedScript{}
		}
		c.entries[key] = e
		c.mu.Unlock()
	}
	if e.err != nil {
		return nil, name, fmt.Errorf("script %q does not compile: %w", name, e.err)
	}
	return e.script, name, nil
}
