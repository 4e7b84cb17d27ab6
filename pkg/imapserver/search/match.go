package search

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"sync"

	"gocyrus/pkg/imapserver/wire"
	"gocyrus/pkg/mailbox"
)

// ctxEvery is how many cheap evaluations run between context checks.
const ctxEvery = 1024

// The cache pass over a large mailbox is split among up to maxWorkers
// goroutines (no more than GOMAXPROCS), each walking its own contiguous
// share of at least parallelMin messages: the work is CPU-bound decoding
// and matching, and results land in out by candidate index, so the order
// is that of the candidates whatever the scheduling.
const maxWorkers = 4

// parallelMin is a variable so tests can run the parallel path on a small
// mailbox.
var parallelMin = 8192

// Match evaluates key for every candidate and returns which match. See the
// package documentation for the passes and matching rules. An unreadable
// message file makes Match fail, except one deleted meanwhile (expunged by
// another session), which simply does not match.
func Match(ctx context.Context, key *wire.SearchKey, cands []Candidate, env Env) ([]bool, error) {
	root, err := compile(key, &env, 0)
	if err != nil {
		return nil, err
	}
	if env.TextIndex != nil && root.wantsIndex() {
		if idx := env.TextIndex(); idx != nil {
			root.useIndex(idx)
		}
	}
	ev := newEvalEnv(env)
	out := make([]bool, len(cands))
	msgs := make([]message, len(cands)) // one allocation, not one per candidate
	var open []*message
	for i := range cands {
		if i%ctxEvery == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		m := &msgs[i]
		*m = message{c: &cands[i], i: i, env: ev}
		switch root.eval(m, costIndex) {
		case yes:
			out[i] = true
		case maybe:
			open = append(open, m)
		}
	}
	if len(open) == 0 {
		return out, nil
	}
	open, err = matchCached(ctx, root, open, out)
	if err != nil {
		return nil, err
	}
	for i, m := range open {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if env.Progress != nil {
			env.Progress(i, len(open))
		}
		res := root.eval(m, costFile)
		if m.err != nil {
			return nil, m.err
		}
		out[m.i] = res == yes && !m.gone
		m.release()
	}
	return out, nil
}

// matchCached loads the cache entries of the undecided messages, a run of
// candidates sharing a view at a time, and evaluates them at the cache
// level. It returns those still undecided, in candidate order, their cache
// entries kept. A large list is split among workers (parallelMin); the
// first worker to fail cancels the others.
func matchCached(ctx context.Context, root *node, open []*message, out []bool) ([]*message, error) {
	mode := cacheBorrowed
	if root.cost <= costCache && !root.needsHeaders() {
		// Every message is decided here from the envelope alone (SUBJECT,
		// SENT*): the body structure and header block need not be decoded.
		mode = cacheEnvelope
	}
	workers := min(runtime.GOMAXPROCS(0), maxWorkers, len(open)/parallelMin)
	if workers <= 1 {
		return matchCachedPart(ctx, root, open, out, mode)
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	stills := make([][]*message, workers)
	errs := make([]error, workers)
	var wg sync.WaitGroup
	for w := range workers {
		part := open[len(open)*w/workers : len(open)*(w+1)/workers]
		wg.Go(func() {
			stills[w], errs[w] = matchCachedPart(ctx, root, part, out, mode)
			if errs[w] != nil {
				cancel()
			}
		})
	}
	wg.Wait()
	var first error
	for _, err := range errs {
		if err != nil && (first == nil || errors.Is(first, context.Canceled)) {
			first = err // a worker's own failure, not the cancellation it caused
		}
	}
	if first != nil {
		return nil, first
	}
	var still []*message
	for _, s := range stills {
		still = append(still, s...)
	}
	return still, nil
}

// matchCachedPart is matchCached on one share of the messages. Workers
// write distinct elements of out and touch only their own messages.
func matchCachedPart(ctx context.Context, root *node, open []*message, out []bool, mode cacheMode) ([]*message, error) {
	var still []*message
	err := withCached(ctx, open, mode, func(m *message) {
		switch root.eval(m, costCache) {
		case yes:
			out[m.i] = true
			m.cached = nil
		case maybe:
			m.cached = m.cached.Clone() // it was borrowed
			still = append(still, m)
		default:
			m.cached = nil
		}
	})
	return still, err
}

// needsHeaders reports whether evaluating n may read Cached.Headers or the
// body structure: anything but SUBJECT with a needle and the SENT* dates,
// which the decoded envelope answers.
func (n *node) needsHeaders() bool {
	switch n.op {
	case wire.SearchHeader:
		return n.field != "subject" || n.n == ""
	case wire.SearchText:
		return true
	}
	for _, k := range n.kids {
		if k.needsHeaders() {
			return true
		}
	}
	return false
}

// cacheMode is how withCached reads cache entries.
type cacheMode int

const (
	cacheOwned    cacheMode = iota // entries the caller keeps
	cacheBorrowed                  // valid during fn only
	cacheEnvelope                  // borrowed, and only the envelope decoded
)

// withCached sets the cache entry of each message and calls fn with it, in
// order. Messages whose entry cannot be read, nor rebuilt from the file, are
// skipped: their file is gone. When borrowed (cacheBorrowed,
// cacheEnvelope), m.cached is valid only during fn
// (mailbox.View.ForEachCachedBorrowed) and is cleared after it.
func withCached(ctx context.Context, msgs []*message, mode cacheMode, fn func(*message)) error {
	borrow := mode != cacheOwned
	for len(msgs) > 0 {
		v := msgs[0].c.View
		if v == nil {
			return fmt.Errorf("search: uid %d: candidate has no mailbox view", msgs[0].c.UID)
		}
		run := 1
		for run < len(msgs) && msgs[run].c.View == v {
			run++
		}
		recs := make([]mailbox.Record, run)
		for i, m := range msgs[:run] {
			recs[i] = m.c.Record
		}
		done := 0
		each := v.ForEachCached
		switch mode {
		case cacheBorrowed:
			each = v.ForEachCachedBorrowed
		case cacheEnvelope:
			each = v.ForEachEnvelopeBorrowed
		}
		err := each(recs, func(_ mailbox.Record, c *mailbox.Cached) error {
			if done%ctxEvery == 0 {
				if err := ctx.Err(); err != nil {
					return err
				}
			}
			m := msgs[done]
			m.cached = c
			fn(m)
			if borrow && m.cached == c {
				m.cached = nil
			}
			done++
			return nil
		})
		if err := ctx.Err(); err != nil {
			return err
		}
		if err != nil {
			done++ // the record whose entry failed: skip it
		}
		msgs = msgs[done:]
	}
	return nil
}
