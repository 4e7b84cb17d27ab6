package mailbox

import (
	"bytes"
	"context"
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
