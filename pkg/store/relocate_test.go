package store

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gocyrus/pkg/mailbox"
	"gocyrus/pkg/mboxname"
	"gocyrus/pkg/quota"
)

// legacyStore is a store whose mailboxes are made in the hashed legacy
// layout, with one message in each of names.
func legacyStore(t *testing.T, names ...string) *Store {
	t.Helper()
	ctx := context.Background()
	s := newStore(t, "mailbox_legacy_dirs", "yes", "hashimapspool", "yes")
	for _, n := range names {
		if _, err := s.CreateMailbox(ctx, n, CreateOptions{}); err != nil {
			t.Fatal(err)
		}
		mb, _, err := s.Open(ctx, n, quota.Ignore)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := mb.Append(ctx, []mailbox.AppendMessage{{Body: strings.NewReader("Subject: " + n + "\r\n\r\nbody\r\n")}}); err != nil {
			t.Fatal(err)
		}
		mb.Close()
	}
	return s
}

// opensWithMessage checks that name opens by its list entry and holds its
// one message.
func opensWithMessage(t *testing.T, s *Store, name string) string {
	t.Helper()
	mb, _, err := s.Open(context.Background(), name, quota.Ignore)
	if err != nil {
		t.Fatalf("%s does not open: %v", name, err)
	}
	defer mb.Close()
	if v, _ := mb.Snapshot(); v.Exists() != 1 {
		t.Fatalf("%s: %d messages, want 1", name, v.Exists())
	}
	return mb.Dir()
}

func TestRelocateByIDMovesTreeDeepestFirst(t *testing.T) {
	ctx := context.Background()
	names := []string{"user.r", "user.r.sub", "shared", "shared.team"}
	s := legacyStore(t, names...)
	root, _ := s.PartitionPath("default")
	// A dry run says where and changes nothing.
	dry, err := s.RelocateByID(ctx, "shared.team", true)
	if err != nil {
		t.Fatal(err)
	}
	if want := filepath.Join(root, "t", "shared", "team"); dry.OldDir != want || len(dry.Files) == 0 || dry.Files[0] != "cyrus.cache" && !strings.HasPrefix(dry.Files[0], "cyrus.") {
		t.Fatalf("dry run: %+v, want old dir %s and its files", dry, want)
	}
	if e, _ := s.Lookup(ctx, "shared.team"); !e.LegacyDirs() {
		t.Fatal("a dry run changed the entry")
	}
	for _, n := range []string{"user.r.sub", "user.r", "shared.team", "shared"} {
		r, err := s.RelocateByID(ctx, n, false)
		if err != nil {
			t.Fatal(err)
		}
		e, _ := s.Lookup(ctx, n)
		if e.LegacyDirs() || r.NewDir != mboxname.UUIDPath(root, e.UniqueID) {
			t.Fatalf("%s: entry %+v, moved to %s", n, e, r.NewDir)
		}
		if dir := opensWithMessage(t, s, n); dir != r.NewDir {
			t.Fatalf("%s opens in %s, want %s", n, dir, r.NewDir)
		}
	}
	// No debris: the by-name tree is gone.
	for _, d := range []string{"r", "s", "t"} {
		if _, err := os.Stat(filepath.Join(root, d)); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("%s left behind: %v", filepath.Join(root, d), err)
		}
	}
	if _, err := s.RelocateByID(ctx, "user.r", false); !errors.Is(err, ErrNotLegacy) {
		t.Fatalf("second relocation: %v, want ErrNotLegacy", err)
	}
}

// Each state a crash can leave opens, and a rerun finishes the move with
// nothing left behind.
func TestRelocateByIDCrashStates(t *testing.T) {
	ctx := context.Background()
	crashes := map[string]func(t *testing.T, oldDir, newDir string){
		// Crash while linking, before the new header.
		"partial copy": func(t *testing.T, oldDir, newDir string) {
			os.MkdirAll(newDir, 0o750)
			os.Link(filepath.Join(oldDir, "1."), filepath.Join(newDir, "1."))
		},
		// Crash after the new header, before the legacy header went.
		"both headers": func(t *testing.T, oldDir, newDir string) {
			copyTree(t, oldDir, newDir)
		},
		// Crash while removing the legacy files, header first.
		"legacy half removed": func(t *testing.T, oldDir, newDir string) {
			copyTree(t, oldDir, newDir)
			os.Remove(filepath.Join(oldDir, "cyrus.header"))
			os.Remove(filepath.Join(oldDir, "1."))
		},
		// Crash before the list entry changed.
		"moved, entry legacy": func(t *testing.T, oldDir, newDir string) {
			if err := mailbox.Rename(oldDir, newDir, "user.c"); err != nil {
				t.Fatal(err)
			}
		},
	}
	for what, crash := range crashes {
		t.Run(what, func(t *testing.T) {
			s := legacyStore(t, "user.c")
			root, _ := s.PartitionPath("default")
			e, _ := s.Lookup(ctx, "user.c")
			oldDir, newDir := mboxname.LegacyPath(root, "user.c", true, false), mboxname.UUIDPath(root, e.UniqueID)
			crash(t, oldDir, newDir)
			opensWithMessage(t, s, "user.c")
			if _, err := s.RelocateByID(ctx, "user.c", false); err != nil {
				t.Fatal(err)
			}
			if dir := opensWithMessage(t, s, "user.c"); dir != newDir {
				t.Fatalf("opens in %s, want %s", dir, newDir)
			}
			if _, err := os.Stat(filepath.Join(root, "c")); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("legacy tree left behind: %v", err)
			}
		})
	}
}

// A session that has the mailbox open sees it go as after a RENAME in the
// legacy layout, and the name opens again at the new place.
func TestRelocateByIDWhileOpen(t *testing.T) {
	ctx := context.Background()
	s := legacyStore(t, "user.o")
	mb, _, err := s.Open(ctx, "user.o", quota.Ignore)
	if err != nil {
		t.Fatal(err)
	}
	defer mb.Close()
	r, err := s.RelocateByID(ctx, "user.o", false)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(r.OldDir, "cyrus.header")); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("legacy header still there: %v", err)
	}
	if dir := opensWithMessage(t, s, "user.o"); dir != r.NewDir {
		t.Fatalf("opens in %s, want %s", dir, r.NewDir)
	}
	// The session's handle on the by-name files notices they went (imapd
	// then ends the session, as after a RENAME) and appends nothing there.
	if _, err := mb.Snapshot(); err == nil {
		t.Error("the open handle did not notice the move")
	}
	if _, err := mb.Append(ctx, []mailbox.AppendMessage{{Body: strings.NewReader("Subject: late\r\n\r\nx\r\n")}}); err == nil {
		t.Error("an append through the old handle succeeded")
	}
	if dir := opensWithMessage(t, s, "user.o"); dir != r.NewDir {
		t.Fatalf("after the late append: opens in %s, want %s", dir, r.NewDir)
	}
}

func copyTree(t *testing.T, from, to string) {
	t.Helper()
	if err := os.MkdirAll(to, 0o750); err != nil {
		t.Fatal(err)
	}
	ents, err := os.ReadDir(from)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range ents {
		if e.IsDir() {
			continue
		}
		b, err := os.ReadFile(filepath.Join(from, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(to, e.Name()), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
}

// Virtual domains: the by-name directories are Cyrus's (domain/<hd>/<domain>,
// then the second level's hash letter), and relocation leaves none behind.
func TestRelocateByIDVirtDomains(t *testing.T) {
	ctx := context.Background()
	s := newStore(t, "mailbox_legacy_dirs", "yes", "hashimapspool", "yes", "virtdomains", "userid")
	root, _ := s.PartitionPath("default")
	want := map[string]string{
		"example.org!user.b":        "domain/e/example.org/b/user/b",
		"example.org!user.b.x":      "domain/e/example.org/b/user/b/x",
		"example.org!shared":        "domain/e/example.org/s/shared",
		"example.org!shared.team":   "domain/e/example.org/t/shared/team",
		"example.org!shared.team.y": "domain/e/example.org/t/shared/team/y",
	}
	order := []string{"example.org!user.b", "example.org!user.b.x", "example.org!shared", "example.org!shared.team", "example.org!shared.team.y"}
	for _, n := range order {
		if _, err := s.CreateMailbox(ctx, n, CreateOptions{}); err != nil {
			t.Fatal(err)
		}
		e, _ := s.Lookup(ctx, n)
		if dir, _ := s.Dir(e); dir != filepath.Join(root, want[n]) {
			t.Fatalf("%s made in %s, want %s", n, dir, want[n])
		}
	}
	for i := len(order) - 1; i >= 0; i-- {
		if _, err := s.RelocateByID(ctx, order[i], false); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := os.Stat(filepath.Join(root, "domain")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("by-name tree left behind: %v", err)
	}
	for _, n := range order {
		mb, e, err := s.Open(ctx, n, quota.Ignore)
		if err != nil {
			t.Fatalf("%s: %v", n, err)
		}
		if mb.Dir() != mboxname.UUIDPath(root, e.UniqueID) {
			t.Errorf("%s in %s", n, mb.Dir())
		}
		mb.Close()
	}
}
