package quota

import (
	"context"

	"gocyrus/pkg/cyrusdb"
)

// Fix makes root's usage ("" = the usage of mailboxes no root governs)
// and the charge records of the mailboxes it governs equal to stored: the
// usage of every mailbox below root, as the spool says (quota -f). Records
// of governed mailboxes missing from stored are dropped. stored includes
// each mailbox's X-ANNOTATION-STORAGE (its metadata values' bytes), so
// that is recounted too. It returns the usage
// before and after; with dryRun nothing is written. The transaction is
// conditioned on the root set and the root's usage: a charge racing with
// it makes it fail with cyrusdb.ErrConflict, and the caller recomputes.
func (s *Store) Fix(ctx context.Context, root string, stored map[string]Usage, dryRun bool) (before, after Usage, err error) {
	gen, err := s.generation(ctx)
	if err != nil {
		return before, after, err
	}
	conds := []cyrusdb.Cond{{Key: genKey, Version: gen}}
	if root != "" {
		if _, lver, err := s.limits(ctx, root); err != nil {
			return before, after, err
		} else {
			conds = append(conds, cyrusdb.Cond{Key: limitKey(root), Version: lver})
		}
	}
	cur, ver, err := s.vector(ctx, bucketKey(root))
	if err != nil {
		return before, after, err
	}
	before = Usage(cur)
	conds = append(conds, cyrusdb.Cond{Key: bucketKey(root), Version: ver})
	prefix := root
	if root != "" {
		prefix = root + "."
	}
	deeper, err := s.rootNames(ctx, prefix)
	if err != nil {
		return before, after, err
	}
	delete(deeper, root)
	var ops []cyrusdb.Op
	err = s.scanCharges(ctx, root, func(mailbox string, _ Usage, _ uint64) error {
		if _, ok := stored[mailbox]; !ok && governedBy(mailbox, root, deeper) {
			ops = append(ops, cyrusdb.Delete{Key: mailboxKey(mailbox)})
		}
		return nil
	})
	if err != nil {
		return before, after, err
	}
	for mailbox, u := range stored {
		if !governedBy(mailbox, root, deeper) {
			continue
		}
		after.add(u, 1)
		ops = append(ops, cyrusdb.Put{Key: mailboxKey(mailbox), Val: cyrusdb.EncodeCounters(u[:])})
	}
	if dryRun {
		return before, after, nil
	}
	ops = append(ops, cyrusdb.Put{Key: bucketKey(root), Val: cyrusdb.EncodeCounters(after[:])})
	return before, after, s.db.Txn(ctx, conds, ops)
}
