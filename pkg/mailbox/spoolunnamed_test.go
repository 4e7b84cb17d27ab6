package mailbox

import (
	"bytes"
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestSpoolUnnamed: one unnamed spool file is linked into several
// mailboxes, and still reaches a mailbox after its only link is gone
// again (an append rolled back), by copying.
func TestSpoolUnnamed(t *testing.T) {
	ctx := context.Background()
	stage := t.TempDir()
	msg := testMessage(7, "unnamed")
	p, err := SpoolUnnamed(ctx, stage, strings.NewReader(msg), SpoolLimits{})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Remove()
	if entries, _ := os.ReadDir(stage); len(entries) != 0 {
		t.Errorf("stage holds %d names, want none", len(entries))
	}
	var paths []string
	for i, name := range []string{"a", "b"} {
		dir := filepath.Join(t.TempDir(), name)
		if err := Create(dir, Header{Name: "user." + name, UniqueID: name, UIDValidity: 1}); err != nil {
			t.Fatal(err)
		}
		mb, err := Open(dir, Options{})
		if err != nil {
			t.Fatal(err)
		}
		defer mb.Close()
		if i == 1 && p.file != nil {
			// Unlink the first mailbox's name: the inode is nameless
			// again and may not be linked any more.
			if err := os.Remove(paths[0]); err != nil {
				t.Fatal(err)
			}
		}
		uids, err := mb.AppendPrepared(ctx, []PreparedAppend{{Msg: p}})
		if err != nil {
			t.Fatalf("append to %s: %v", name, err)
		}
		path := mb.MessagePath(uids[0])
		got, err := os.ReadFile(path)
		if err != nil || !bytes.Equal(got, []byte(msg)) {
			t.Fatalf("%s holds %q, %v", path, got, err)
		}
		c, err := mustSnapshot(t, mb).Cached(mustLookup(t, mb, uids[0]))
		if err != nil || c.Envelope.Subject != "unnamed" {
			t.Errorf("cache %+v %v", c, err)
		}
		paths = append(paths, path)
	}
	if err := p.Remove(); err != nil {
		t.Errorf("remove: %v", err)
	}
	if _, err := os.Stat(paths[1]); err != nil {
		t.Errorf("mailbox copy gone after Remove: %v", err)
	}
}

// TestSpoolUnnamedShared: linked into two mailboxes, both names are one file.
func TestSpoolUnnamedShared(t *testing.T) {
	ctx := context.Background()
	p, err := SpoolUnnamed(ctx, t.TempDir(), strings.NewReader(testMessage(8, "shared")), SpoolLimits{})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Remove()
	var infos []os.FileInfo
	for range 2 {
		mb := newMailbox(t, Options{})
		uids, err := mb.AppendPrepared(ctx, []PreparedAppend{{Msg: p}})
		if err != nil {
			t.Fatal(err)
		}
		fi, err := os.Stat(mb.MessagePath(uids[0]))
		if err != nil {
			t.Fatal(err)
		}
		infos = append(infos, fi)
	}
	if !os.SameFile(infos[0], infos[1]) {
		t.Error("the two mailboxes do not share the spooled file")
	}
}

// An unnamed file asked for in a directory removed after its path was
// looked up (a mailbox deleted by another session mid-APPEND) is refused
// as not existing, which callers treat as the mailbox gone, not as a
// server fault. The removed directory is reached through /proc, as a
// lookup that raced with the rmdir reaches it; ext4 answers EPERM there.
func TestOpenUnnamedInRemovedDir(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "gone")
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	d, err := os.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if err := os.Remove(dir); err != nil {
		t.Fatal(err)
	}
	f, err := openUnnamed(procPath(d))
	if err == nil {
		f.Close() // a filesystem that allows it (tmpfs): nothing to refuse
		return
	}
	if !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("openUnnamed in a removed directory: %v, want it not to exist", err)
	}
}
