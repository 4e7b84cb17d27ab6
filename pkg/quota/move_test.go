package quota

import (
	"context"
	"testing"
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
