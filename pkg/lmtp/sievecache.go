package lmtp

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"os/user"
	"strings"
	"sync"
	"time"

	"gocyrus/pkg/mboxname"
	"gocyrus/pkg/sieve"
	"gocyrus/pkg/sievescripts"
	"gocyrus/pkg/store"
)

const (
	// scriptCacheSize bounds the compiled scripts kept; past it the cache
	// starts over (compiling is cheap next to a delivery's fsyncs).
	scriptCacheSize = 4096
	// scriptCacheTTL makes a cached script be compiled again now and then,
	// so that changes to the scripts it includes are seen.
	scriptCacheTTL = time.Minute
)

// sharedSieveEntry is the mailbox annotation naming the global script run
// for deliveries to a shared mailbox (Cyrus's, docs/CYRUS-BEHAVIOUR.md §5.6).
const sharedSieveEntry = "/vendor/cmu/cyrus-imapd/sieve"

// errNoScript: the recipient has no script; deliver normally.
var errNoScript = errors.New("no active sieve script")

// scriptCache compiles each script once. Entries are keyed by owner and
// the SHA-256 of the source, so an uploaded script replaces the cached one
// on the next delivery without any invalidation.
type scriptCache struct {
	scripts *sievescripts.Store
	// opts are the compile options for a user's script ("" for a global
	// script run for a shared mailbox).
	opts func(userid string) sieve.Options

	mu      sync.Mutex
	entries map[cacheKey]cachedScript
}

type cacheKey struct {
	owner  string // the user, or "<domain>/<name>" of a global script
	global bool
	sum    [sha256.Size]byte
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
	s, err := c.compile(cacheKey{owner: userid, sum: sha256.Sum256(src)}, src, c.opts(userid), now)
	if err != nil {
		return nil, name, fmt.Errorf("script %q does not compile: %w", name, err)
	}
	return s, name, nil
}

// shared returns the global script the annotation sharedSieveEntry of the
// shared mailbox e names, from the global scripts of e's domain:
// errNoScript without the annotation. A named script that is missing or
// does not compile is an error (the message is kept with $SieveFailed).
func (c *scriptCache) shared(ctx context.Context, list metadataReader, e *store.Entry, now time.Time) (*sieve.Script, string, error) {
	v, err := list.GetMetadata(ctx, e.Name, sharedSieveEntry, "")
	if err != nil {
		return nil, "", fmt.Errorf("reading the %s annotation: %w", sharedSieveEntry, err)
	}
	name := strings.TrimSpace(string(v))
	if name == "" {
		return nil, "", errNoScript
	}
	if err := sievescripts.ValidateName(name); err != nil {
		return nil, name, fmt.Errorf("annotation %s: %w", sharedSieveEntry, err)
	}
	domain, _ := mboxname.SplitDomain(e.Name)
	dir, err := c.scripts.GlobalDir(domain)
	if err != nil {
		return nil, name, err
	}
	src, err := dir.Get(name)
	if err != nil {
		return nil, name, fmt.Errorf("reading global script %q: %w", name, err)
	}
	key := cacheKey{owner: domain + "/" + name, global: true, sum: sha256.Sum256(src)}
	s, err := c.compile(key, src, c.opts(""), now)
	if err != nil {
		return nil, name, fmt.Errorf("global script %q does not compile: %w", name, err)
	}
	return s, name, nil
}

// compile returns the cached compilation of src, compiling it when it is
// missing or older than scriptCacheTTL.
func (c *scriptCache) compile(key cacheKey, src []byte, opts sieve.Options, now time.Time) (*sieve.Script, error) {
	c.mu.Lock()
	e, ok := c.entries[key]
	c.mu.Unlock()
	if !ok || now.Sub(e.compiled) > scriptCacheTTL {
		e.script, e.err = sieve.Compile(src, opts)
		e.compiled = now
		c.mu.Lock()
		if c.entries == nil || len(c.entries) >= scriptCacheSize {
			c.entries = map[cacheKey]cachedScript{}
		}
		c.entries[key] = e
		c.mu.Unlock()
	}
	return e.script, e.err
}
