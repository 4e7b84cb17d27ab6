package store

import (
	"context"
	"errors"
	"fmt"

	"gocyrus/pkg/cyrusdb"
	"gocyrus/pkg/quota"
)

// quotaSchemaKey marks databases whose quota usage is kept as per-mailbox
// charge records (quota.Store). Databases written before have usage per
// root only: without records a delete gives back nothing and a new root
// starts at 0.
var quotaSchemaKey = []byte("QV")

// quotaSchema is the value of quotaSchemaKey once the records exist.
const quotaSchema = "2"

// UpgradeQuota computes the per-mailbox charge records of databases that
// have none (recomputed from the spool, as quota -f does, for every root
// and the unrooted mailboxes) and marks them done; it does nothing on
// databases already marked. ctl_cyrusdb -r runs it, so master's START
// upgrades before any service runs. It reports whether it upgraded.
func (s *Store) UpgradeQuota(ctx context.Context) (bool, error) {
	if _, _, err := s.DB.Get(ctx, quotaSchemaKey); err == nil {
		return false, nil
	} else if !errors.Is(err, cyrusdb.ErrNotFound) {
		return false, err
	}
	roots, err := s.Quota.List(ctx, "")
	if err != nil {
		return false, err
	}
	unreadable := func(e *UnreadableError) {
		s.Log.Warn("quota upgrade: mailbox not counted", "mailbox", e.Mailbox, "err", e.Err)
	}
	for _, r := range append(roots, quota.Root{Name: ""}) {
		if _, _, err := s.FixUsage(ctx, r.Name, false, unreadable); err != nil {
			return false, fmt.Errorf("quota upgrade: root %q: %w", r.Name, err)
		}
	}
	err = s.DB.Txn(ctx, []cyrusdb.Cond{{Key: quotaSchemaKey}},
		[]cyrusdb.Op{cyrusdb.Put{Key: quotaSchemaKey, Val: []byte(quotaSchema)}})
	if errors.Is(err, cyrusdb.ErrConflict) {
		return false, nil // another process upgraded at the same time
	}
	return err == nil, err
}
