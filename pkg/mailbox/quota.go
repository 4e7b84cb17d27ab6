package mailbox

import (
	"context"
	"fmt"
	"log/slog"
	"time"
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

// settleQuota ends a charge whose index commit is now durable: Sync with
// what the index holds writes the final usage and clears the mailbox's
// pending mark in one transaction, so ResolvePending visits only the
// mailboxes a crash left between a charge and its commit. Called under
// the exclusive lock, after the commit. A failure leaves the mark, which
// ResolvePending resolves later at no cost but a sync: it is logged, and
// the commit stands.
func settleQuota(q QuotaHook, timeout time.Duration, held QuotaHeld, log *slog.Logger, dir string) {
	if q == nil {
		return
	}
	ctx, cancel := quotaContext(timeout)
	defer cancel()
	if err := q.Sync(ctx, held); err != nil && log != nil {
		log.Warn("quota: clearing the pending mark after a commit", "mailbox", dir, "err", err)
	}
}
