package store

import (
	"context"
	"strings"
	"testing"

	"gocyrus/pkg/cyrusdb"
	"gocyrus/pkg/mailbox"
	"gocyrus/pkg/quota"
)

// A database written before per-mailbox charge records (usage per root
// only) is upgraded once: afterwards the records match the spool, a
// delete gives back what the mailbox held and a new root takes it over.
func TestUpgradeQuotaFromOldDatabase(t *testing.T) {
	ctx := context.Background()
	s := newStore(t, "delete_mode", "immediate")
	for _, n := range []string{"user.alice", "user.alice.a"} {
		if _, err := s.CreateMailbox(ctx, n, CreateOptions{Quota: quota.Ignore}); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.SetQuota(ctx, "user.alice", quota.NoLimits()); err != nil {
		t.Fatal(err)
	}
	if err := withBox(ctx, s, "user.alice.a", func(mb *mailbox.Mailbox) error {
		_, err := mb.Append(ctx, []mailbox.AppendMessage{{Body: strings.NewReader("Subject: x\r\n\r\nold\r\n")}})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	// The old way: no records, no schema mark.
	if err := s.db.Txn(ctx, nil, []cyrusdb.Op{cyrusdb.DeletePrefix{Prefix: []byte("QM")}, cyrusdb.Delete{Key: quotaSchemaKey}}); err != nil {
		t.Fatal(err)
	}
	done, err := s.UpgradeQuota(ctx)
	if err != nil || !done {
		t.Fatalf("UpgradeQuota = %v, %v; want an upgrade", done, err)
	}
	if again, err := s.UpgradeQuota(ctx); err != nil || again {
		t.Fatalf("second UpgradeQuota = %v, %v; want nothing to do", again, err)
	}
	assertUsageMatchesSpool(t, s)
	if _, err := s.DeleteMailbox(ctx, "user.alice.a"); err != nil {
		t.Fatal(err)
	}
	assertUsageMatchesSpool(t, s)
	r, err := s.quota.Get(ctx, "user.alice")
	if err != nil {
		t.Fatal(err)
	}
	if r.Usage[quota.Message] != 0 || r.Usage[quota.NumFolders] != 1 {
		t.Errorf("after the delete user.alice uses %v, want 0 messages and 1 folder", r.Usage)
	}
}

// A new database is marked at once: the upgrade never scans a new site's
// spool, even after mailboxes were made (a scan would now find them).
func TestUpgradeQuotaMarksANewDatabase(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	if done, err := s.UpgradeQuota(ctx); err != nil || done {
		t.Fatalf("UpgradeQuota on a new database = %v, %v; want nothing to upgrade", done, err)
	}
	if v, _, err := s.db.Get(ctx, quotaSchemaKey); err != nil || string(v) != quotaSchema {
		t.Fatalf("schema key after the first run: %q, %v", v, err)
	}
	if _, err := s.CreateMailbox(ctx, "user.alice", CreateOptions{Quota: quota.Ignore}); err != nil {
		t.Fatal(err)
	}
	if done, err := s.UpgradeQuota(ctx); err != nil || done {
		t.Fatalf("UpgradeQuota once marked = %v, %v; want nothing to do", done, err)
	}
}
