package mailbox

import (
	"context"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// markQuota is a QuotaHook with a pending mark, as pkg/quota keeps one: a
// charge sets it, a Sync clears it.
type markQuota struct {
	mu      sync.Mutex
	charged QuotaHeld
	pending bool
	syncs   int
}

func (q *markQuota) Check(context.Context, int64, int64) error { return nil }

func (q *markQuota) Charge(_ context.Context, held QuotaHeld, bytes, msgs int64) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.charged = QuotaHeld{Bytes: held.Bytes + bytes, Msgs: held.Msgs + msgs}
	q.pending = true
	return nil
}

func (q *markQuota) Sync(_ context.Context, held QuotaHeld) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.charged, q.pending = held, false
	q.syncs++
	return nil
}

func (q *markQuota) state() (QuotaHeld, bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.charged, q.pending
}

// A run of appends leaves the charge equal to the index at every step and
// the mark set until the run settles, which clears it with what the index
// holds.
func TestAppendRunSettlesItsMark(t *testing.T) {
	q := &markQuota{}
	m := newMailbox(t, Options{Quota: q})
	for i := range 10 {
		if _, err := m.Append(context.Background(), []AppendMessage{{Body: strings.NewReader(testMessage(i, "settle"))}}); err != nil {
			t.Fatal(err)
		}
		v, err := m.Snapshot()
		if err != nil {
			t.Fatal(err)
		}
		want := QuotaHeld{Msgs: int64(v.Exists())}
		for _, r := range v.Records {
			want.Bytes += int64(r.Size)
		}
		if got, _ := q.state(); got != want {
			t.Fatalf("after append %d: charged %+v, index holds %+v", i, got, want)
		}
	}
	SettlePending()
	charged, pending := q.state()
	if pending || charged.Msgs != 10 {
		t.Fatalf("after settling: charged %+v, pending %v", charged, pending)
	}
	q.mu.Lock()
	syncs := q.syncs
	q.mu.Unlock()
	if syncs < 1 || syncs > 10 {
		t.Fatalf("%d syncs for 10 appends", syncs)
	}
}

// A mailbox gone before its run settles keeps its mark (ResolvePending
// clears a deleted mailbox's); settling neither fails nor panics.
func TestSettleAfterRemoval(t *testing.T) {
	q := &markQuota{pending: true}
	dir := filepath.Join(t.TempDir(), "gone")
	settleLater(dir, []*appendReq{{quota: q}})
	SettlePending()
	if _, pending := q.state(); !pending {
		t.Fatal("mark of a removed mailbox cleared")
	}
}
