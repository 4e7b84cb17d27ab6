package search

import (
	"context"
	"fmt"

	"gocyrus/pkg/imapserver/wire"
	"gocyrus/pkg/mailbox"
)

// ctxEvery is how many cheap evaluations run between context checks.
const ctxEvery = 1024

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
	var open []*message
	for i := range cands {
		if i%ctxEvery == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		m := &message{c: &cands[i], i: i, env: ev}
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
// level. It returns those still undecided, their cache entries kept.
func matchCached(ctx context.Context, root *node, open []*message, out []bool) ([]*message, error) {
	var still []*message
	err := withCached(ctx, open, true, func(m *message) {
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

// withCached sets the cache entry of each message and calls fn with it, in
// order. Messages whose entry cannot be read, nor rebuilt from the file, are
// skipped: their file is gone. With borrow, m.cached is valid only during
// fn (mailbox.View.ForEachCachedBorrowed) and is cleared after it.
func withCached(ctx context.Context, msgs []*message, borrow bool, fn func(*message)) error {
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
		if borrow {
			each = v.ForEachCachedBorrowed
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
