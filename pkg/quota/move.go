package quota

import (
	"context"
	"errors"

	"gocyrus/pkg/cyrusdb"
)

// Move is one mailbox renamed.
type Move struct{ Old, New string }

// RenameTxn returns the conditions and ops that move the charges of
// renamed mailboxes to their new names and their usage from the roots that
// governed them to the roots that govern the new names, for the list's
// rename transaction (mboxlist.Also): conditioned on the root set and on
// the records it moves, and bumping the generation. With rootsFollow, a
// mailbox that is itself a root takes its root (limits and usage) to the
// new name, as a user's rename does; otherwise the roots stay behind (a
// delayed delete).
func (s *Store) RenameTxn(ctx context.Context, olds, news []string, rootsFollow bool) ([]cyrusdb.Cond, []cyrusdb.Op, error) {
	defer s.roots.forget()
	gen, err := s.generation(ctx)
	if err != nil {
		return nil, nil, err
	}
	t := &moveTxn{s: s, ctx: ctx, adds: map[string]Usage{}, movedOld: map[string]string{}, movedNew: map[string]bool{}}
	t.conds = append(t.conds, cyrusdb.Cond{Key: genKey, Version: gen})
	t.ops = append(t.ops, bumpGen())
	if rootsFollow {
		for i := range olds {
			if err := t.moveRoot(Move{olds[i], news[i]}); err != nil {
				return nil, nil, err
			}
		}
	}
	for i := range olds {
		if err := t.moveCharges(Move{olds[i], news[i]}); err != nil {
			return nil, nil, err
		}
	}
	if err := t.rehomeStaying(olds, news); err != nil {
		return nil, nil, err
	}
	return t.conds, t.finish(), nil
}

// rehomeStaying moves the usage of mailboxes that stay where they are but
// change roots because a root moved: those left below the root's old name
// (not renamed with it) go to the root now governing them, and those
// already below its new name come under it. Their records are pinned, so
// a charge racing with the move makes it be planned again.
func (t *moveTxn) rehomeStaying(olds, news []string) error {
	if len(t.movedOld) == 0 {
		return nil
	}
	moving := map[string]bool{}
	for i := range olds {
		moving[olds[i]], moving[news[i]] = true, true
	}
	seen := map[string]bool{}
	var areas []string
	for old, nw := range t.movedOld {
		areas = append(areas, old, nw)
	}
	for _, area := range areas {
		err := t.s.scanCharges(t.ctx, area, func(name string, u Usage, ver uint64) error {
			if moving[name] || seen[name] {
				return nil
			}
			seen[name] = true
			t.conds = append(t.conds, cyrusdb.Cond{Key: mailboxKey(name), Version: ver})
			from, err := t.bucketAfter(name)
			if err != nil {
				return err
			}
			to, err := t.newRoot(name)
			if err != nil {
				return err
			}
			if from != to && u != (Usage{}) {
				t.add(bucketKey(from), u, -1)
				t.add(bucketKey(to), u, 1)
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// Rename is RenameTxn applied by itself (the list changed elsewhere).
func (s *Store) Rename(ctx context.Context, moves []Move, rootsFollow bool) error {
	if len(moves) == 0 {
		return nil
	}
	olds, news := make([]string, len(moves)), make([]string, len(moves))
	for i, m := range moves {
		olds[i], news[i] = m.Old, m.New
	}
	return s.retry(ctx, "renaming "+moves[0].Old, func() error {
		conds, ops, err := s.RenameTxn(ctx, olds, news, rootsFollow)
		if err != nil {
			return err
		}
		return s.db.Txn(ctx, conds, ops)
	})
}

// moveTxn gathers one Rename transaction.
type moveTxn struct {
	s        *Store
	ctx      context.Context
	conds    []cyrusdb.Cond
	ops      []cyrusdb.Op
	adds     map[string]Usage  // usage key -> delta
	movedOld map[string]string // root moving away -> its new name
	movedNew map[string]bool   // names roots move to
	put      map[string]Usage  // usage key of a moved root -> its usage
	order    []string          // keys of adds, in first-use order
}

func (t *moveTxn) moveRoot(m Move) error {
	l, lver, err := t.s.limits(t.ctx, m.Old)
	if errors.Is(err, ErrNoRoot) {
		return nil
	}
	if err != nil {
		return err
	}
	u, uver, err := t.s.vector(t.ctx, usageKey(m.Old))
	if err != nil {
		return err
	}
	// Mailboxes already below the new name are charged to the bucket
	// governing it now, and rehomeStaying moves those it finds. One
	// created there after its scan changes that bucket: conditioning on
	// it makes the rename be planned again and find the newcomer too.
	before, _, err := t.s.lookupRoot(t.ctx, m.New)
	if err != nil {
		return err
	}
	_, bver, err := t.s.vector(t.ctx, bucketKey(before))
	if err != nil {
		return err
	}
	t.conds = append(t.conds, cyrusdb.Cond{Key: bucketKey(before), Version: bver})
	t.movedOld[m.Old], t.movedNew[m.New] = m.New, true
	if t.put == nil {
		t.put = map[string]Usage{}
	}
	t.put[string(usageKey(m.New))] = Usage(u)
	t.conds = append(t.conds,
		cyrusdb.Cond{Key: limitKey(m.Old), Version: lver},
		cyrusdb.Cond{Key: usageKey(m.Old), Version: uver},
		cyrusdb.Cond{Key: limitKey(m.New)})
	t.ops = append(t.ops,
		cyrusdb.Delete{Key: limitKey(m.Old)}, cyrusdb.Delete{Key: usageKey(m.Old)},
		cyrusdb.Put{Key: limitKey(m.New), Val: cyrusdb.EncodeCounters(l[:])})
	return nil
}

func (t *moveTxn) moveCharges(m Move) error {
	u, ver, err := t.s.vector(t.ctx, mailboxKey(m.Old))
	if err != nil {
		return err
	}
	t.conds = append(t.conds, cyrusdb.Cond{Key: mailboxKey(m.Old), Version: ver})
	if ver == 0 {
		return nil
	}
	// A process still holding the new name's former mailbox may have
	// left a record there: it joins this one, and both are counted where
	// the new name is governed.
	prior, pver, err := t.s.vector(t.ctx, mailboxKey(m.New))
	if err != nil {
		return err
	}
	t.conds = append(t.conds, cyrusdb.Cond{Key: mailboxKey(m.New), Version: pver})
	t.ops = append(t.ops, cyrusdb.Delete{Key: mailboxKey(m.Old)},
		cyrusdb.Add{Key: mailboxKey(m.New), Deltas: u[:]})
	to, err := t.newRoot(m.New)
	if err != nil {
		return err
	}
	for _, r := range []struct {
		name string
		u    Usage
	}{{m.Old, Usage(u)}, {m.New, Usage(prior)}} {
		from, err := t.bucketAfter(r.name)
		if err != nil {
			return err
		}
		if from != to && r.u != (Usage{}) {
			t.add(bucketKey(from), r.u, -1)
			t.add(bucketKey(to), r.u, 1)
		}
	}
	return nil
}

// bucketAfter is the root whose usage counts name's record once the
// moving roots have moved (their usage travels with them).
func (t *moveTxn) bucketAfter(name string) (string, error) {
	root, _, err := t.s.lookupRoot(t.ctx, name)
	if mv, ok := t.movedOld[root]; ok {
		return mv, err
	}
	return root, err
}

// newRoot resolves name against the root set as it will be after the move.
func (t *moveTxn) newRoot(name string) (string, error) {
	for n := name; n != ""; n = parentOf(n) {
		if t.movedNew[n] {
			return n, nil
		}
		if _, gone := t.movedOld[n]; gone {
			continue
		}
		_, _, err := t.s.db.Get(t.ctx, limitKey(n))
		if err == nil {
			return n, nil
		}
		if !errors.Is(err, cyrusdb.ErrNotFound) {
			return "", err
		}
	}
	return "", nil
}

func (t *moveTxn) add(key []byte, u Usage, sign int64) {
	k := string(key)
	if p, ok := t.put[k]; ok {
		p.add(u, sign)
		t.put[k] = p
		return
	}
	a, ok := t.adds[k]
	if !ok {
		t.order = append(t.order, k)
	}
	a.add(u, sign)
	t.adds[k] = a
}

// finish returns the ops with the usage changes folded in.
func (t *moveTxn) finish() []cyrusdb.Op {
	ops := t.ops
	for k, u := range t.put {
		ops = append(ops, cyrusdb.Put{Key: []byte(k), Val: cyrusdb.EncodeCounters(u[:])})
	}
	for _, k := range t.order {
		if u := t.adds[k]; u != (Usage{}) {
			ops = append(ops, cyrusdb.Add{Key: []byte(k), Deltas: u[:]})
		}
	}
	return ops
}
