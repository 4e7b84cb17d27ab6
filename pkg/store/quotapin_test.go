package store

import (
	"context"
	"errors"
	"strings"
	"testing"

	"gocyrus/pkg/mailbox"
	"gocyrus/pkg/quota"
)

// A mailbox held open across a RENAME made by another process charges
// its appends under its new name (and root); across a DELETE its appends
// fail and nothing is charged anywhere.
func TestOpenMailboxChargesFollowRenameAndDelete(t *testing.T) {
	ctx := context.Background()
	s1 := newStore(t, "delete_mode", "immediate")
	s2, err := New(s1.cfg, s1.db, nil) // another process sharing the databases
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range []string{"user.alice", "user.alice.a", "user.bob"} {
		if _, err := s1.CreateMailbox(ctx, n, CreateOptions{Quota: quota.Ignore}); err != nil {
			t.Fatal(err)
		}
	}
	for _, r := range []string{"user.alice", "user.bob"} {
		if err := s1.SetQuota(ctx, r, quota.NoLimits()); err != nil {
			t.Fatal(err)
		}
	}
	mb, _, err := s1.Open(ctx, "user.alice.a", quota.Strict)
	if err != nil {
		t.Fatal(err)
	}
	defer mb.Close()
	appendOne := func() error {
		_, err := mb.Append(ctx, []mailbox.AppendMessage{{Body: strings.NewReader("Subject: x\r\n\r\nbody\r\n")}})
		return err
	}
	if err := s2.RenameMailbox(ctx, "user.alice.a", "user.bob.a", ""); err != nil {
		t.Fatal(err)
	}
	if err := appendOne(); err != nil {
		t.Fatal(err)
	}
	if u, _ := s1.quota.Charged(ctx, "user.alice.a"); u != (quota.Usage{}) {
		t.Errorf("charged under the old name: %v", u)
	}
	if u, _ := s1.quota.Charged(ctx, "user.bob.a"); u[quota.Message] != 1 {
		t.Errorf("user.bob.a charged %v, want 1 message", u)
	}
	assertUsageMatchesSpool(t, s1)

	if _, err := s2.DeleteMailbox(ctx, "user.bob.a"); err != nil {
		t.Fatal(err)
	}
	if err := appendOne(); err == nil {
		t.Error("append to a mailbox deleted meanwhile succeeded")
	} else if !errors.Is(err, quota.ErrNoMailbox) {
		t.Logf("append refused: %v", err)
	}
	if u, _ := s1.quota.Charged(ctx, "user.bob.a"); u != (quota.Usage{}) {
		t.Errorf("charged for a deleted mailbox: %v", u)
	}
	assertUsageMatchesSpool(t, s1)
}
