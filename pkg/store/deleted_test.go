package store

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"gocyrus/pkg/mailbox"
	"gocyrus/pkg/mboxlist"
	"gocyrus/pkg/quota"
)

// appendOne adds a message of about size bytes to name.
func appendOne(t *testing.T, s *Store, name string, size int) {
	t.Helper()
	mb, _, err := s.Open(context.Background(), name, quota.Ignore)
	if err != nil {
		t.Fatal(err)
	}
	defer mb.Close()
	body := "Subject: d\r\n\r\n" + strings.Repeat("x", size) + "\r\n"
	if _, err := mb.Append(context.Background(), []mailbox.AppendMessage{{Body: strings.NewReader(body), InternalDate: time.Now()}}); err != nil {
		t.Fatal(err)
	}
}

// deletedNameRE is Cyrus's "DELETED.<original>.<8 upper-case hex digits>".
func deletedNameRE(original string) *regexp.Regexp {
	return regexp.MustCompile(`^DELETED\.` + regexp.QuoteMeta(original) + `\.[0-9A-F]{8}$`)
}

func TestDelayedDeleteKeepsMailbox(t *testing.T) {
	ctx := context.Background()
	for _, legacy := range []string{"no", "yes"} {
		t.Run("legacy="+legacy, func(t *testing.T) {
			s := newStore(t, "mailbox_legacy_dirs", legacy, "hashimapspool", "yes")
			s.CreateMailbox(ctx, "user.d", CreateOptions{})
			orig, err := s.CreateMailbox(ctx, "user.d.old", CreateOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := s.list.Modify(ctx, "user.d.old", func(e *mboxlist.Entry) error {
				a, aerr := e.ACL.Apply("bob", "lr", 'x')
				e.ACL = a
				return aerr
			}); err != nil {
				t.Fatal(err)
			}
			s.list.SetMetadata(ctx, "user.d.old", "/comment", "", []byte("kept"))
			appendOne(t, s, "user.d.old", 100)
			before := time.Now().Truncate(time.Second)

			removed, err := s.DeleteMailbox(ctx, "user.d.old")
			if err != nil || len(removed) != 1 || removed[0].Name != "user.d.old" {
				t.Fatalf("delete: %+v %v", removed, err)
			}
			if _, err := s.list.Lookup(ctx, "user.d.old"); !errors.Is(err, mboxlist.ErrNotFound) {
				t.Fatalf("old name still listed: %v", err)
			}
			dels, err := s.ListDeleted(ctx)
			if err != nil || len(dels) != 1 {
				t.Fatalf("ListDeleted = %+v %v", dels, err)
			}
			d := dels[0]
			if !deletedNameRE("user.d.old").MatchString(d.Name) || d.Original != "user.d.old" ||
				d.DeletedAt.Before(before) || d.DeletedAt.After(time.Now()) {
				t.Fatalf("deleted mailbox = %+v", d)
			}
			e, err := s.list.Lookup(ctx, d.Name)
			if err != nil || e.UniqueID != orig.UniqueID || !strings.Contains(e.ACL.String(), "bob\tlr") {
				t.Fatalf("deleted entry = %+v %v", e, err)
			}
			if legacy == "yes" && !strings.Contains(filepath.ToSlash(mustDir(t, s, e)), "/DELETED/user/d/old/") {
				t.Fatalf("legacy directory %s is not under DELETED/", mustDir(t, s, e))
			}
			mb, _, err := s.Open(ctx, d.Name, quota.Ignore)
			if err != nil {
				t.Fatal(err)
			}
			v, _ := mb.Snapshot()
			h, _ := mailbox.ReadHeader(mb.Dir())
			mb.Close()
			if v.Exists() != 1 || h.Name != d.Name || h.UniqueID != orig.UniqueID {
				t.Fatalf("kept mailbox: exists %d header %+v", v.Exists(), h)
			}
			md, _ := s.list.ListMetadata(ctx, d.Name, "", "")
			if len(md) != 1 {
				t.Fatalf("metadata not kept: %+v", md)
			}
		})
	}
}

func mustDir(t *testing.T, s *Store, e *mboxlist.Entry) string {
	t.Helper()
	d, err := s.Dir(e)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestDelayedDeleteReleasesQuota(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	s.CreateMailbox(ctx, "user.q", CreateOptions{})
	s.CreateMailbox(ctx, "user.q.big", CreateOptions{})
	appendOne(t, s, "user.q", 100)
	appendOne(t, s, "user.q.big", 5000)
	if err := s.SetQuota(ctx, "user.q", quota.NoLimits()); err != nil {
		t.Fatal(err)
	}
	r, _ := s.quota.Get(ctx, "user.q")
	if r.Usage[quota.Message] != 2 || r.Usage[quota.NumFolders] != 2 {
		t.Fatalf("usage before = %v", r.Usage)
	}
	storage := r.Usage[quota.Storage]
	if _, err := s.DeleteMailbox(ctx, "user.q.big"); err != nil {
		t.Fatal(err)
	}
	r, _ = s.quota.Get(ctx, "user.q")
	if r.Usage[quota.Message] != 1 || r.Usage[quota.NumFolders] != 1 || r.Usage[quota.Storage] > storage-5000 {
		t.Fatalf("usage after = %v (before %d bytes)", r.Usage, storage)
	}
	dels, _ := s.ListDeleted(ctx)
	if root, _, _ := s.quota.RootOf(ctx, dels[0].Name); root != "" {
		t.Fatalf("deleted mailbox is under root %q", root)
	}
	// Purging it later changes nothing more.
	if err := s.PurgeDeleted(ctx, dels[0].Name); err != nil {
		t.Fatal(err)
	}
	after, _ := s.quota.Get(ctx, "user.q")
	if after.Usage != r.Usage {
		t.Fatalf("purge changed the user's usage: %v -> %v", r.Usage, after.Usage)
	}
}

func TestDelayedDeleteOfUserTakesTree(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	for _, n := range []string{"user.u", "user.u.a", "user.u.a.b", "user.uv"} {
		if _, err := s.CreateMailbox(ctx, n, CreateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	removed, err := s.DeleteMailbox(ctx, "user.u")
	if err != nil || len(removed) != 3 {
		t.Fatalf("delete: %d %v", len(removed), err)
	}
	var left []string
	s.list.Walk(ctx, "", func(e *mboxlist.Entry) error { left = append(left, e.Name); return nil })
	dels, _ := s.ListDeleted(ctx)
	var originals []string
	for _, d := range dels {
		originals = append(originals, d.Original)
		if !deletedNameRE(d.Original).MatchString(d.Name) {
			t.Fatalf("bad deleted name %q", d.Name)
		}
	}
	if strings.Join(originals, " ") != "user.u user.u.a user.u.a.b" || len(left) != 4 {
		t.Fatalf("deleted %v, list now %v", originals, left)
	}
	if _, err := s.list.Lookup(ctx, "user.uv"); err != nil {
		t.Fatalf("neighbour user.uv: %v", err)
	}
}

func TestDelayedDeleteOneLeavesChildren(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	s.CreateMailbox(ctx, "shared", CreateOptions{})
	s.CreateMailbox(ctx, "shared.kid", CreateOptions{})
	if _, err := s.DeleteMailbox(ctx, "shared"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.list.Lookup(ctx, "shared.kid"); err != nil {
		t.Fatalf("child moved along: %v", err)
	}
	if dels, _ := s.ListDeleted(ctx); len(dels) != 1 || dels[0].Original != "shared" {
		t.Fatalf("deleted = %+v", dels)
	}
}

func TestDelayedDeleteTwiceInOneSecond(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	for i := 0; i < 3; i++ {
		if _, err := s.CreateMailbox(ctx, "shared.again", CreateOptions{}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.DeleteMailbox(ctx, "shared.again"); err != nil {
			t.Fatalf("delete %d: %v", i, err)
		}
	}
	dels, _ := s.ListDeleted(ctx)
	seen := map[string]bool{}
	for _, d := range dels {
		seen[d.Name] = true
	}
	if len(dels) != 3 || len(seen) != 3 {
		t.Fatalf("deleted = %+v", dels)
	}
}

func TestDelayedDeleteInDomain(t *testing.T) {
	ctx := context.Background()
	s := newStore(t, "virtdomains", "userid")
	s.CreateMailbox(ctx, "example.com!user.fred", CreateOptions{})
	if _, err := s.DeleteMailbox(ctx, "example.com!user.fred"); err != nil {
		t.Fatal(err)
	}
	dels, _ := s.ListDeleted(ctx)
	re := regexp.MustCompile(`^example\.com!DELETED\.user\.fred\.[0-9A-F]{8}$`)
	if len(dels) != 1 || !re.MatchString(dels[0].Name) || dels[0].Original != "example.com!user.fred" {
		t.Fatalf("deleted = %+v", dels)
	}
	if !s.IsDeletedName(dels[0].Name) || s.IsDeletedName("example.com!user.DELETED") {
		t.Fatal("IsDeletedName is wrong about domain names")
	}
}

func TestDeletingADeletedMailboxRemovesIt(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	e, _ := s.CreateMailbox(ctx, "shared.gone", CreateOptions{})
	dir := mustDir(t, s, e)
	s.DeleteMailbox(ctx, "shared.gone")
	dels, _ := s.ListDeleted(ctx)
	if _, err := os.Stat(dir); err != nil {
		t.Fatalf("directory removed by a delayed delete: %v", err)
	}
	if _, err := s.DeleteMailbox(ctx, dels[0].Name); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Fatalf("directory left after deleting the deleted mailbox: %v", err)
	}
	if dels, _ := s.ListDeleted(ctx); len(dels) != 0 {
		t.Fatalf("still listed: %+v", dels)
	}
}

func TestImmediateDeleteRemoves(t *testing.T) {
	ctx := context.Background()
	s := newStore(t, "delete_mode", "immediate")
	e, _ := s.CreateMailbox(ctx, "shared.now", CreateOptions{})
	dir := mustDir(t, s, e)
	if _, err := s.DeleteMailbox(ctx, "shared.now"); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Fatalf("directory left: %v", err)
	}
	if dels, _ := s.ListDeleted(ctx); len(dels) != 0 {
		t.Fatalf("immediate mode kept %+v", dels)
	}
}

func TestPurgeDeleted(t *testing.T) {
	ctx := context.Background()
	s := newStore(t, "deletedprefix", "Trashed")
	e, _ := s.CreateMailbox(ctx, "shared.p", CreateOptions{})
	appendOne(t, s, "shared.p", 10)
	dir := mustDir(t, s, e)
	s.DeleteMailbox(ctx, "shared.p")
	dels, _ := s.ListDeleted(ctx)
	if len(dels) != 1 || !strings.HasPrefix(dels[0].Name, "Trashed.shared.p.") {
		t.Fatalf("deleted = %+v", dels)
	}
	s.list.SetMetadata(ctx, dels[0].Name, "/comment", "", []byte("x"))
	for _, bad := range []string{"shared.p", "Trashed", "Trashed.shared.p", "Trashed.shared.p.nothex00", "user.x"} {
		if err := s.PurgeDeleted(ctx, bad); !errors.Is(err, ErrNotDeleted) {
			t.Fatalf("PurgeDeleted(%q) = %v", bad, err)
		}
	}
	if err := s.PurgeDeleted(ctx, dels[0].Name); err != nil {
		t.Fatal(err)
	}
	if _, err := s.list.Lookup(ctx, dels[0].Name); !errors.Is(err, mboxlist.ErrNotFound) {
		t.Fatalf("entry left: %v", err)
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Fatalf("directory left: %v", err)
	}
	if md, _ := s.list.ListMetadata(ctx, dels[0].Name, "", ""); len(md) != 0 {
		t.Fatalf("metadata left: %+v", md)
	}
	if err := s.PurgeDeleted(ctx, dels[0].Name); !errors.Is(err, mboxlist.ErrNotFound) {
		t.Fatalf("second purge: %v", err)
	}
}

func TestDecodeDeletedName(t *testing.T) {
	s := newStore(t)
	for _, c := range []struct {
		name, orig string
		secs       int64
	}{
		{"DELETED.user.bench.dtest.6B0D16FA", "user.bench.dtest", 0x6B0D16FA},
		{"example.com!DELETED.user.fred.00000001", "example.com!user.fred", 1},
		{"DELETED.x.ffffffff", "x", 0xffffffff},
		{"DELETED.6B0D16FA", "", 0},
		{"DELETED.x.6B0D16F", "", 0},
		{"user.DELETED.x.6B0D16FA", "", 0},
	} {
		orig, at, ok := s.decodeDeletedName(c.name)
		if orig != c.orig || ok != (c.orig != "") || (ok && at.Unix() != c.secs) {
			t.Errorf("decode(%q) = %q %v %v", c.name, orig, at, ok)
		}
	}
}
