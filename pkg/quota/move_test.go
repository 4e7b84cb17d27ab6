package quota

import (
	"context"
	"errors"
	"testing"

	"gocyrus/pkg/cyrusdb"
)

// A root moving with a renamed mailbox re-homes the usage of mailboxes
// that stay put but change roots: records left below its old name (not
// renamed with it) and records already below its new name (a mailbox
// created there while the name was free).
func TestRenameRehomesStayingMailboxes(t *testing.T) {
	ctx := context.Background()
	s := openStore(t)
	charge := func(mailbox string, bytes int64) {
		t.Helper()
		if _, err := s.Reserve(ctx, mailbox, Usage{bytes, 1, 0, 1}, Ignore); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Set(ctx, "user.v", NoLimits()); err != nil {
		t.Fatal(err)
	}
	charge("user.v", 100)
	charge("user.v.left", 20)  // not renamed with user.v (created after the rename's scan)
	charge("user.w.came", 300) // under the new name before the root arrives
	checkSums(t, s)
	if err := s.Rename(ctx, []Move{{Old: "user.v", New: "user.w"}}, true); err != nil {
		t.Fatal(err)
	}
	checkSums(t, s)
	w, err := s.Get(ctx, "user.w")
	if err != nil {
		t.Fatal(err)
	}
	if want := (Usage{400, 2, 0, 2}); w.Usage != want {
		t.Errorf("user.w usage %v, want %v", w.Usage, want)
	}
}

// A charge for a mailbox below the new name of a moving root, made after
// the rename planned its transaction (so its scan did not see it) and
// before that transaction commits, must fail the rename's conditions: the
// charge went to the bucket that governed the new name then (here the
// unrooted usage), and the rename, planned again, re-homes it under the
// arriving root. Committed as first planned, it would leave the charge
// behind, unrooted, while the mailbox counts under the root.
func TestRenameConflictsWithChargeBelowNewName(t *testing.T) {
	ctx := context.Background()
	s := openStore(t)
	if err := s.Set(ctx, "user.v", NoLimits()); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Reserve(ctx, "user.v", Usage{100, 1, 0, 1}, Ignore); err != nil {
		t.Fatal(err)
	}
	conds, ops, err := s.RenameTxn(ctx, []string{"user.v"}, []string{"user.w"}, true)
	if err != nil {
		t.Fatal(err)
	}
	// Racing: a folder created below the new name, charged unrooted.
	if _, err := s.Reserve(ctx, "user.w.came", Usage{0, 0, 0, 1}, Ignore); err != nil {
		t.Fatal(err)
	}
	if err := s.db.Txn(ctx, conds, ops); !errors.Is(err, cyrusdb.ErrConflict) {
		t.Fatalf("rename planned before the charge committed: %v, want a conflict", err)
	}
	if err := s.Rename(ctx, []Move{{Old: "user.v", New: "user.w"}}, true); err != nil {
		t.Fatal(err)
	}
	checkSums(t, s)
	w, err := s.Get(ctx, "user.w")
	if err != nil {
		t.Fatal(err)
	}
	if want := (Usage{100, 1, 0, 2}); w.Usage != want {
		t.Errorf("user.w usage %v, want %v", w.Usage, want)
	}
}
