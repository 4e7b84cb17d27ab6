package store

import (
	"context"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"gocyrus/pkg/cyrusdb"
	"gocyrus/pkg/mailbox"
	"gocyrus/pkg/quota"
)

// stallingTxn is a db service whose transactions, while stalled, never
// answer: they wait for their context to end (or the test's end).
type stallingTxn struct {
	cyrusdb.DB
	stalled atomic.Bool
	end     chan struct{}
}

func (d *stallingTxn) Txn(ctx context.Context, conds []cyrusdb.Cond, ops []cyrusdb.Op) error {
	if d.stalled.Load() {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-d.end:
			return context.Canceled
		}
	}
	return d.DB.Txn(ctx, conds, ops)
}

// within runs fn and fails the test if it has not returned in 10s (the
// bound under test is 50ms).
func within(t *testing.T, what string, fn func() error) error {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- fn() }()
	select {
	case err := <-done:
		return err
	case <-time.After(10 * time.Second):
		t.Fatalf("%s still blocked after 10s with a 50ms quota bound", what)
		return nil
	}
}

// A quota charge made under a mailbox's lock is bounded: with a db service
// that never answers, APPEND and EXPUNGE fail (nothing acknowledged,
// nothing changed) and release the lock, so the next writer proceeds once
// the service answers again.
func TestQuotaChargeUnderLockIsBounded(t *testing.T) {
	ctx := context.Background()
	base := newStore(t, "expunge_mode", "immediate")
	db := &stallingTxn{DB: base.db, end: make(chan struct{})}
	s, err := New(base.cfg, db, nil)
	if err != nil {
		t.Fatal(err)
	}
	s.quotaTimeout = 50 * time.Millisecond
	if _, err := s.CreateMailbox(ctx, "user.alice", CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	mb, _, err := s.Open(ctx, "user.alice", quota.Strict)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { mb.Close() })
	t.Cleanup(func() { close(db.end) }) // first: a failed test does not hang closing
	add := func() ([]uint32, error) {
		return mb.Append(ctx, []mailbox.AppendMessage{{Body: strings.NewReader("Subject: q\r\n\r\nhello\r\n"), InternalDate: time.Now()}})
	}
	if _, err := add(); err != nil {
		t.Fatal(err)
	}

	db.stalled.Store(true)
	if err := within(t, "APPEND", func() error { _, err := add(); return err }); err == nil {
		t.Fatal("APPEND acknowledged while its quota charge could not be made")
	}
	v, err := mb.Snapshot()
	if err != nil || len(v.Records) != 1 {
		t.Fatalf("after the failed APPEND: %d messages, %v; want 1", len(v.Records), err)
	}
	if err := within(t, "EXPUNGE", func() error { _, err := mb.Expunge(ctx, []uint32{v.Records[0].UID}); return err }); err == nil {
		t.Fatal("EXPUNGE acknowledged while its quota charge could not be made")
	}

	db.stalled.Store(false)
	// On a loaded machine a real charge can itself outlast the 50ms bound;
	// such a failure changes nothing (checked below), so try again: what is
	// under test is that the lock was released, not the machine's speed.
	var lastErr error
	for try := 0; try < 50; try++ {
		lastErr = within(t, "APPEND after the stall", func() error { _, err := add(); return err })
		if lastErr == nil {
			break
		}
	}
	if lastErr != nil {
		t.Fatalf("APPEND once the service answers: %v", lastErr)
	}
	v, err = mb.Snapshot()
	if err != nil || len(v.Records) != 2 {
		t.Fatalf("%d messages, %v; want 2 (the failed APPEND and EXPUNGE changed nothing)", len(v.Records), err)
	}
	assertUsageMatchesSpool(t, s)
}
