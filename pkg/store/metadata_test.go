package store

import (
	"context"
	"errors"
	"sync"
	"testing"

	"gocyrus/pkg/cyrusdb"
	"gocyrus/pkg/mboxlist"
	"gocyrus/pkg/quota"
)

var errDied = errors.New("process died (test)")

// dyingDB lets the first budget transactions through and fails every one
// after: the process died there, so nothing it would still have written
// is written.
type dyingDB struct {
	cyrusdb.DB
	mu     sync.Mutex
	budget int
}

func (d *dyingDB) Txn(ctx context.Context, conds []cyrusdb.Cond, ops []cyrusdb.Op) error {
	d.mu.Lock()
	if d.budget <= 0 {
		d.mu.Unlock()
		return errDied
	}
	d.budget--
	d.mu.Unlock()
	return d.DB.Txn(ctx, conds, ops)
}

func (d *dyingDB) live(n int) {
	d.mu.Lock()
	d.budget = n
	d.mu.Unlock()
}

// assertAnnotationsCharged checks that what is charged as
// X-ANNOTATION-STORAGE for mailbox and its root is what is stored.
func assertAnnotationsCharged(t *testing.T, s *Store, mailbox, root string) {
	t.Helper()
	ctx := context.Background()
	stored, err := s.list.MetadataBytes(ctx, mailbox)
	if err != nil {
		t.Fatal(err)
	}
	charged, err := s.quota.Charged(ctx, mailbox)
	if err != nil {
		t.Fatal(err)
	}
	r, err := s.quota.Get(ctx, root)
	if err != nil {
		t.Fatal(err)
	}
	if charged[quota.AnnotationStorage] != stored || r.Usage[quota.AnnotationStorage] != stored {
		t.Fatalf("%s stores %d bytes of metadata, its record charges %d, root %s %d",
			mailbox, stored, charged[quota.AnnotationStorage], root, r.Usage[quota.AnnotationStorage])
	}
}

// A SETMETADATA cut short at any transaction leaves X-ANNOTATION-STORAGE
// equal to what is stored: the value and its charge are one transaction.
func TestSetMetadataChargeIsAtomic(t *testing.T) {
	ctx := context.Background()
	base := newStore(t)
	db := &dyingDB{DB: base.db, budget: 1 << 30}
	s, err := New(base.cfg, db, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreateMailbox(ctx, "user.m", CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := s.SetQuota(ctx, "user.m", quota.NoLimits()); err != nil {
		t.Fatal(err)
	}
	values := [][]byte{[]byte("first value"), []byte("a longer second value"), []byte("short"), nil, []byte("again")}
	for budget := 0; budget < 4; budget++ {
		for _, v := range values {
			db.live(budget)
			err := s.SetMetadata(ctx, "user.m", "/comment", "", v)
			db.live(1 << 30)
			if err != nil && !errors.Is(err, errDied) {
				t.Fatalf("budget %d, value %q: %v", budget, v, err)
			}
			assertAnnotationsCharged(t, s, "user.m", "user.m")
		}
	}
}

// A RENAME cut short at any transaction leaves the metadata values with
// the mailbox, under the name it has, charged to the root governing it.
func TestRenameMovesMetadataAtomically(t *testing.T) {
	ctx := context.Background()
	base := newStore(t)
	db := &dyingDB{DB: base.db, budget: 1 << 30}
	s, err := New(base.cfg, db, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range []string{"user.m", "user.m.a"} {
		if _, err := s.CreateMailbox(ctx, n, CreateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.SetQuota(ctx, "user.m", quota.NoLimits()); err != nil {
		t.Fatal(err)
	}
	if err := s.SetMetadata(ctx, "user.m.a", "/comment", "", []byte("travels with its mailbox")); err != nil {
		t.Fatal(err)
	}
	cur, other := "user.m.a", "user.m.b"
	for budget := 0; budget < 4; budget++ {
		db.live(budget)
		err := s.RenameMailbox(ctx, cur, other, "")
		db.live(1 << 30)
		if err != nil && !errors.Is(err, errDied) {
			t.Fatalf("budget %d: %v", budget, err)
		}
		if _, err := s.list.Lookup(ctx, other); err == nil {
			cur, other = other, cur // renamed
		}
		if v, _ := s.list.GetMetadata(ctx, cur, "/comment", ""); string(v) != "travels with its mailbox" {
			t.Fatalf("budget %d: %s (where the mailbox is) has metadata %q", budget, cur, v)
		}
		if n, _ := s.list.MetadataBytes(ctx, other); n != 0 {
			t.Fatalf("budget %d: %d bytes of metadata left under %s, where no mailbox is", budget, n, other)
		}
		assertAnnotationsCharged(t, s, cur, "user.m")
	}
}

// quota -f (FixUsage) and reconstruct (SyncAnnotationQuota) recount
// X-ANNOTATION-STORAGE from the stored values after it was made wrong.
func TestAnnotationUsageRecounted(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	for _, n := range []string{"user.m", "user.m.a"} {
		if _, err := s.CreateMailbox(ctx, n, CreateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.SetQuota(ctx, "user.m", quota.NoLimits()); err != nil {
		t.Fatal(err)
	}
	for _, n := range []string{"user.m", "user.m.a"} {
		if err := s.SetMetadata(ctx, n, "/comment", "", []byte("note on "+n)); err != nil {
			t.Fatal(err)
		}
	}
	skew := func() {
		t.Helper()
		var d quota.Usage
		d[quota.AnnotationStorage] = 777
		if _, err := s.quota.Reserve(ctx, "user.m.a", d, quota.Ignore); err != nil {
			t.Fatal(err)
		}
	}
	for _, repair := range []struct {
		name string
		fix  func() error
	}{
		{"quota -f", func() error { _, _, err := s.FixUsage(ctx, "user.m", false, nil); return err }},
		{"reconstruct", func() error {
			e, err := s.list.Lookup(ctx, "user.m.a")
			if err != nil {
				return err
			}
			return s.SyncAnnotationQuota(ctx, e)
		}},
	} {
		skew()
		if err := repair.fix(); err != nil {
			t.Fatalf("%s: %v", repair.name, err)
		}
		if c, _ := s.quota.Charged(ctx, "user.m.a"); c[quota.AnnotationStorage] != int64(len("note on user.m.a")) {
			t.Fatalf("after %s user.m.a's record charges %d annotation bytes", repair.name, c[quota.AnnotationStorage])
		}
		r, err := s.quota.Get(ctx, "user.m")
		if err != nil {
			t.Fatal(err)
		}
		want := int64(len("note on user.m") + len("note on user.m.a"))
		if got := r.Usage[quota.AnnotationStorage]; got != want {
			t.Fatalf("after %s the root charges %d annotation bytes, its mailboxes store %d", repair.name, got, want)
		}
	}
}

// A value for a mailbox that does not exist is refused and leaves no
// charge record behind; one left under such a name (an interrupted
// deletion) can still be removed (DeleteUser does).
func TestSetMetadataWithoutMailbox(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	if err := s.SetMetadata(ctx, "user.gone", "/comment", "", []byte("x")); !errors.Is(err, mboxlist.ErrNotFound) {
		t.Fatalf("value for a missing mailbox: %v, want ErrNotFound", err)
	}
	if v, _ := s.list.GetMetadata(ctx, "user.gone", "/comment", ""); v != nil {
		t.Fatalf("stored %q", v)
	}
	if c, _ := s.quota.Charged(ctx, "user.gone"); c != (quota.Usage{}) {
		t.Fatalf("charge record %v left for a missing mailbox", c)
	}
	if err := s.list.SetMetadata(ctx, "user.gone", "/comment", "bob", []byte("orphan")); err != nil {
		t.Fatal(err)
	}
	if err := s.SetMetadata(ctx, "user.gone", "/comment", "bob", nil); err != nil {
		t.Fatalf("removing an orphan value: %v", err)
	}
	if v, _ := s.list.GetMetadata(ctx, "user.gone", "/comment", "bob"); v != nil {
		t.Fatalf("orphan value still there: %q", v)
	}
}
