package mailbox

import (
	"context"
	"fmt"
)

// SyncQuota makes what the quota hook charges for the mailbox equal to
// what its index holds, under the exclusive lock, so that no writer is
// between its charge and its index commit: the repair of a crash there
// (reconstruct, and the recovery after a process died). Without a quota
// hook it does nothing.
func (m *Mailbox) SyncQuota(ctx context.Context) error {
	if m.opts.Quota == nil {
		return nil
	}
	wh, unlock, err := m.shared.lockWriter()
	if err != nil {
		return err
	}
	defer unlock()
	hdr, err := wh.readIndexHeader()
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, boundOf(m.opts.QuotaTimeout))
	defer cancel()
	if err := m.opts.Quota.Sync(ctx, heldOf(&hdr)); err != nil {
		return fmt.Errorf("%s: quota: %w", m.dir, err)
	}
	return nil
}
