package store

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"gocyrus/pkg/config"
	"gocyrus/pkg/cyrusdb"
	"gocyrus/pkg/mailbox"
	"gocyrus/pkg/mboxlist"
	"gocyrus/pkg/quota"
)

func newStore(t *testing.T, extra ...string) *Store {
	t.Helper()
	dir := t.TempDir()
	cfg := config.New()
	settings := append([]string{
		"configdirectory", filepath.Join(dir, "config"),
		"partition-default", filepath.Join(dir, "spool"),
		"partition-other", filepath.Join(dir, "other"),
		"defaultpartition", "default",
	}, extra...)
	for i := 0; i < len(settings); i += 2 {
		if err := cfg.Set(settings[i], settings[i+1]); err != nil {
			t.Fatal(err)
		}
	}
	db, err := cyrusdb.Open(filepath.Join(dir, "config"), cyrusdb.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	s, err := New(cfg, db, nil)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestCreateOpenAppendDelete(t *testing.T) {
	ctx := context.Background()
	s := newStore(t, "delete_mode", "immediate")
	inbox, err := s.CreateMailbox(ctx, "user.alice", CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if inbox.ACL.String() != "alice\tlrswipkxtecdan\t" || inbox.Partition != "default" || inbox.UIDValidity == 0 {
		t.Fatalf("inbox = %+v", inbox)
	}
	sub, err := s.CreateMailbox(ctx, "user.alice.Work", CreateOptions{})
	if err != nil || sub.ACL.String() != inbox.ACL.String() {
		t.Fatalf("child = %+v %v (ACL must be inherited)", sub, err)
	}
	if _, err := s.CreateMailbox(ctx, "user.alice", CreateOptions{}); !errors.Is(err, mboxlist.ErrExists) {
		t.Fatalf("second create: %v", err)
	}
	shared, err := s.CreateMailbox(ctx, "board", CreateOptions{Partition: "other"})
	if err != nil || shared.ACL.String() != "anyone\tlrs\t" || shared.Partition != "other" {
		t.Fatalf("shared = %+v %v", shared, err)
	}
	mb, _, err := s.Open(ctx, "user.alice.Work", quota.Strict)
	if err != nil {
		t.Fatal(err)
	}
	uids, err := mb.Append(ctx, []mailbox.AppendMessage{{Body: strings.NewReader("Subject: x\r\n\r\nhi\r\n"), InternalDate: time.Now()}})
	mb.Close()
	if err != nil || len(uids) != 1 {
		t.Fatalf("append: %v %v", uids, err)
	}
	dir, _ := s.Dir(sub)
	if _, err := os.Stat(filepath.Join(dir, "1.")); err != nil {
		t.Fatal(err)
	}
	removed, err := s.DeleteMailbox(ctx, "user.alice")
	if err != nil || len(removed) != 2 {
		t.Fatalf("delete: %d %v", len(removed), err)
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Fatalf("directory left behind: %v", err)
	}
}

func TestQuotaChargedThroughTheStore(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	s.CreateMailbox(ctx, "user.q", CreateOptions{})
	l := quota.NoLimits()
	l[quota.Storage] = 1 // KiB
	l[quota.NumFolders] = 2
	if err := s.quota.Set(ctx, "user.q", l); err != nil {
		t.Fatal(err)
	}
	mb, _, err := s.Open(ctx, "user.q", quota.Strict)
	if err != nil {
		t.Fatal(err)
	}
	defer mb.Close()
	msg := "Subject: x\r\n\r\n" + strings.Repeat("a", 600) + "\r\n"
	if _, err := mb.Append(ctx, []mailbox.AppendMessage{{Body: strings.NewReader(msg)}}); err != nil {
		t.Fatal(err)
	}
	_, err = mb.Append(ctx, []mailbox.AppendMessage{{Body: strings.NewReader(msg)}})
	if !errors.Is(err, mailbox.ErrOverQuota) || !errors.Is(err, quota.ErrOverQuota) {
		t.Fatalf("second append: %v", err)
	}
	if _, err := s.CreateMailbox(ctx, "user.q.a", CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreateMailbox(ctx, "user.q.b", CreateOptions{}); !errors.Is(err, quota.ErrOverQuota) {
		t.Fatalf("folder quota: %v", err)
	}
	r, _ := s.quota.Get(ctx, "user.q")
	// The new root took over user.q itself, then counted user.q.a.
	if r.Usage[quota.Message] != 1 || r.Usage[quota.NumFolders] != 2 {
		t.Fatalf("usage = %v", r.Usage)
	}
}

func TestRenameKeepsMessages(t *testing.T) {
	ctx := context.Background()
	for _, legacy := range []string{"no", "yes"} {
		t.Run("legacy="+legacy, func(t *testing.T) {
			s := newStore(t, "mailbox_legacy_dirs", legacy, "hashimapspool", "yes")
			s.CreateMailbox(ctx, "user.r", CreateOptions{})
			s.CreateMailbox(ctx, "user.r.old", CreateOptions{})
			mb, _, _ := s.Open(ctx, "user.r.old", quota.Strict)
			mb.Append(ctx, []mailbox.AppendMessage{{Body: strings.NewReader("Subject: r\r\n\r\nbody\r\n")}})
			mb.Close()
			if err := s.RenameMailbox(ctx, "user.r.old", "user.r.new", ""); err != nil {
				t.Fatal(err)
			}
			mb, e, err := s.Open(ctx, "user.r.new", quota.Strict)
			if err != nil {
				t.Fatal(err)
			}
			defer mb.Close()
			v, _ := mb.Snapshot()
			h, _ := mailbox.ReadHeader(mb.Dir())
			if v.Exists() != 1 || h.Name != "user.r.new" || (legacy == "yes") != e.LegacyDirs() {
				t.Fatalf("after rename: exists %d header %q entry %+v", v.Exists(), h.Name, e)
			}
			if err := s.RenameMailbox(ctx, "user.r", "user.r.new.x", ""); err == nil {
				t.Fatal("moved a mailbox into itself")
			}
		})
	}
}

func TestNewQuotaRootTakesOverUsage(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	for _, n := range []string{"user.a", "user.a.x", "user.a.x.y"} {
		if _, err := s.CreateMailbox(ctx, n, CreateOptions{}); err != nil {
			t.Fatal(err)
		}
		mb, _, _ := s.Open(ctx, n, quota.Ignore)
		mb.Append(ctx, []mailbox.AppendMessage{{Body: strings.NewReader("Subject: q\r\n\r\n" + strings.Repeat("z", 2000) + "\r\n")}})
		mb.Close()
	}
	if err := s.SetQuota(ctx, "user.a", quota.NoLimits()); err != nil {
		t.Fatal(err)
	}
	outer, _ := s.quota.Get(ctx, "user.a")
	if outer.Usage[quota.Message] != 3 || outer.Usage[quota.NumFolders] != 3 || outer.Usage[quota.Storage] < 6000 {
		t.Fatalf("outer root usage = %v", outer.Usage)
	}
	// An inner root takes its subtree's usage from the outer one.
	if err := s.SetQuota(ctx, "user.a.x", quota.NoLimits()); err != nil {
		t.Fatal(err)
	}
	outer, _ = s.quota.Get(ctx, "user.a")
	inner, _ := s.quota.Get(ctx, "user.a.x")
	if outer.Usage[quota.Message] != 1 || inner.Usage[quota.Message] != 2 || inner.Usage[quota.NumFolders] != 2 {
		t.Fatalf("after the inner root: outer %v inner %v", outer.Usage, inner.Usage)
	}
	// Removing it gives the usage back.
	if err := s.RemoveQuota(ctx, "user.a.x"); err != nil {
		t.Fatal(err)
	}
	outer, _ = s.quota.Get(ctx, "user.a")
	if outer.Usage[quota.Message] != 3 || outer.Usage[quota.NumFolders] != 3 {
		t.Fatalf("after removing the inner root: %v", outer.Usage)
	}
}

func TestRenameMovesMetadata(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	s.CreateMailbox(ctx, "user.m", CreateOptions{})
	s.CreateMailbox(ctx, "user.m.a", CreateOptions{})
	s.list.SetMetadata(ctx, "user.m.a", "/comment", "", []byte("shared"))
	s.list.SetMetadata(ctx, "user.m.a", "/comment", "m", []byte("private"))
	if err := s.RenameMailbox(ctx, "user.m.a", "user.m.b", ""); err != nil {
		t.Fatal(err)
	}
	got, _ := s.list.ListMetadata(ctx, "user.m.b", "", "m")
	old, _ := s.list.ListMetadata(ctx, "user.m.a", "", "m")
	if len(got) != 2 || len(old) != 0 {
		t.Fatalf("metadata after rename: new %+v old %+v", got, old)
	}
}

// Deleting a mailbox that is a quota root removes the root, in both
// delete modes: the name created again starts without the old limits,
// and a child left behind is charged to the next root up.
func TestDeleteRemovesQuotaRoot(t *testing.T) {
	for _, mode := range []string{"immediate", "delayed"} {
		ctx := context.Background()
		s := newStore(t, "delete_mode", mode)
		for _, n := range []string{"user.alice", "user.alice.Work", "user.alice.Work.Old"} {
			if _, err := s.CreateMailbox(ctx, n, CreateOptions{}); err != nil {
				t.Fatal(err)
			}
		}
		l := quota.NoLimits()
		l[quota.Storage] = 100
		for _, root := range []string{"user.alice", "user.alice.Work"} {
			if err := s.SetQuota(ctx, root, l); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := s.DeleteMailbox(ctx, "user.alice.Work"); err != nil {
			t.Fatal(err)
		}
		if root, _, _ := s.quota.RootOf(ctx, "user.alice.Work.Old"); root != "user.alice" {
			t.Errorf("%s: root of the child left behind = %q, want user.alice", mode, root)
		}
		if r, err := s.quota.Get(ctx, "user.alice"); err != nil || r.Usage[quota.NumFolders] != 2 {
			t.Errorf("%s: user.alice's root after the folder's delete: %+v %v (want 2 folders)", mode, r, err)
		}
		if _, err := s.DeleteMailbox(ctx, "user.alice"); err != nil {
			t.Fatal(err)
		}
		if root, found, err := s.quota.RootOf(ctx, "user.alice"); found || err != nil {
			t.Errorf("%s: quota root %q still there after deleting the user (%v)", mode, root, err)
		}
	}
}

// TestUnlistMailbox: the entry goes and its charge is given back in the
// same transaction; the spool, the child and the root stay, and
// reconstruct's adoption can list the mailbox again.
func TestUnlistMailbox(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	s.CreateMailbox(ctx, "user.u", CreateOptions{})
	s.CreateMailbox(ctx, "user.u.Sub", CreateOptions{})
	if err := s.quota.Set(ctx, "user.u", quota.NoLimits()); err != nil {
		t.Fatal(err)
	}
	mb, e, err := s.Open(ctx, "user.u.Sub", quota.Strict)
	if err != nil {
		t.Fatal(err)
	}
	_, err = mb.Append(ctx, []mailbox.AppendMessage{{Body: strings.NewReader("Subject: x\r\n\r\nhi\r\n")}})
	mb.Close()
	if err != nil {
		t.Fatal(err)
	}
	gone, err := s.UnlistMailbox(ctx, "user.u.Sub")
	if err != nil || gone.UniqueID != e.UniqueID {
		t.Fatalf("unlist: %+v %v", gone, err)
	}
	if _, err := s.Lookup(ctx, "user.u.Sub"); !errors.Is(err, mboxlist.ErrNotFound) {
		t.Fatalf("entry still there: %v", err)
	}
	r, err := s.quota.Get(ctx, "user.u")
	if err != nil || r.Usage[quota.Message] != 0 || r.Usage[quota.NumFolders] != 1 {
		t.Fatalf("root after unlist: %+v %v (want only user.u counted)", r, err)
	}
	if dir, _ := s.Dir(e); !Exists(dir) {
		t.Fatalf("spool %s removed", dir)
	}
	if _, err := s.UnlistMailbox(ctx, "user.u.Sub"); !errors.Is(err, mboxlist.ErrNotFound) {
		t.Fatalf("second unlist: %v", err)
	}
	if err := s.AdoptMailbox(ctx, gone); err != nil {
		t.Fatal(err)
	}
}
