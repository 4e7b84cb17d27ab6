package store

import (
	"context"
	"errors"
	"fmt"

	"gocyrus/pkg/cyrusdb"
	"gocyrus/pkg/mboxlist"
	"gocyrus/pkg/quota"
)

// quotaSchemaKey marks databases whose quota usage is kept as per-mailbox
// charge records (quota.Store). Databases written before have usage per
// root only: without records a delete gives back nothing and a new root
// starts at 0.
var quotaSchemaKey = []byte(cyrusdb.KeyQuotaSchema)

// quotaSchema is the value of quotaSchemaKey once the records exist.
const quotaSchema = "2"

// UpgradeQuota marks a new database (no mailboxes yet) as keeping
// per-mailbox records without scanning anything, and computes the
// per-mailbox charge records of databases that have none (recomputed from the spool, as quota -f does, for every root
// and the unrooted mailboxes) and marks them done; it does nothing on
// databases already marked. ctl_cyrusdb -r runs it, so master's START
// upgrades before any service runs. It reports whether it upgraded.
func (s *Store) UpgradeQuota(ctx context.Context) (bool, error) {
	if _, _, err := s.db.Get(ctx, quotaSchemaKey); err == nil {
		return false, nil
	} else if !errors.Is(err, cyrusdb.ErrNotFound) {
		return false, err
	}
	empty, err := s.noMailboxes(ctx)
	if err != nil {
		return false, err
	}
	if empty {
		// A new database: every mailbox it will hold is charged as
		// it is made, so there is no spool to scan.
		return false, s.markQuotaSchema(ctx)
	}
	roots, err := s.quota.List(ctx, "")
	if err != nil {
		return false, err
	}
	unreadable := func(e *UnreadableError) {
		s.log.Warn("quota upgrade: mailbox not counted", "mailbox", e.Mailbox, "err", e.Err)
	}
	for _, r := range append(roots, quota.Root{Name: ""}) {
		if _, _, err := s.FixUsage(ctx, r.Name, false, unreadable); err != nil {
			return false, fmt.Errorf("quota upgrade: root %q: %w", r.Name, err)
		}
	}
	err = s.markQuotaSchema(ctx)
	return err == nil, err
}

// markQuotaSchema sets the schema key; another process having set it
// meanwhile is as good.
func (s *Store) markQuotaSchema(ctx context.Context) error {
	err := s.db.Txn(ctx, []cyrusdb.Cond{{Key: quotaSchemaKey}},
		[]cyrusdb.Op{cyrusdb.Put{Key: quotaSchemaKey, Val: []byte(quotaSchema)}})
	if errors.Is(err, cyrusdb.ErrConflict) {
		return nil
	}
	return err
}

// errFound stops a walk at its first entry.
var errFound = errors.New("found")

// noMailboxes reports whether the mailbox list is empty: a database just
// created.
func (s *Store) noMailboxes(ctx context.Context) (bool, error) {
	err := s.list.Walk(ctx, "", func(*mboxlist.Entry) error { return errFound })
	if errors.Is(err, errFound) {
		return false, nil
	}
	return err == nil, err
}
