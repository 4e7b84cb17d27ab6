package mailbox

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"
)

func fileExists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

func TestDelayedExpungeKeepsFilesInvisibly(t *testing.T) {
	m := newMailbox(t, Options{KeepExpunged: true})
	appendN(t, m, 3)
	ctx := context.Background()
	if _, err := m.Store(ctx, StoreRequest{UIDs: []uint32{2}, Op: StoreAdd, Flags: FlagDeleted | FlagSeen, Keywords: []string{"$Work"}}); err != nil {
		t.Fatal(err)
	}
	before := time.Now()
	if gone, err := m.ExpungeDeleted(ctx, nil); err != nil || !reflect.DeepEqual(gone, []uint32{2}) {
		t.Fatalf("expunge = %v, %v", gone, err)
	}
	if !fileExists(m.MessagePath(2)) {
		t.Fatal("delayed expunge unlinked the file")
	}
	v := mustSnapshot(t, m)
	if v.Exists() != 2 || v.QuotaUsed != uint64(v.Records[0].Size+v.Records[1].Size) {
		t.Fatalf("exists %d used %d", v.Exists(), v.QuotaUsed)
	}
	if _, ok := v.Lookup(2); ok {
		t.Fatal("expunged message still visible")
	}
	kept, err := m.Expunged()
	if err != nil || len(kept) != 1 {
		t.Fatalf("expunged list %v, %v", kept, err)
	}
	k := kept[0]
	if k.UID != 2 || k.Flags != FlagDeleted|FlagSeen || !reflect.DeepEqual(k.Keywords, []string{"$Work"}) ||
		k.ExpungedAt.Before(before.Truncate(time.Second)) || k.ExpungedAt.After(time.Now()) {
		t.Errorf("kept %+v", k)
	}
	// Reopened from disk: the tombstone keeps its expunge time.
	m.Close()
	m2 := reopenMailbox(t, m.Dir(), Options{KeepExpunged: true})
	if again, _ := m2.Expunged(); !reflect.DeepEqual(again, kept) {
		t.Errorf("after reopen %+v, want %+v", again, kept)
	}
}

func reopenMailbox(t *testing.T, dir string, opts Options) *Mailbox {
	t.Helper()
	m, err := Open(dir, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	return m
}

func TestImmediateExpungeUnlinks(t *testing.T) {
	m := newMailbox(t, Options{})
	appendN(t, m, 2)
	if _, err := m.Expunge(context.Background(), []uint32{1}); err != nil {
		t.Fatal(err)
	}
	if fileExists(m.MessagePath(1)) {
		t.Error("immediate expunge kept the file")
	}
	if kept, _ := m.Expunged(); len(kept) != 0 {
		t.Errorf("immediate expunge lists %v as kept", kept)
	}
}

func TestPurgeExpungedHonoursCutoff(t *testing.T) {
	m := newMailbox(t, Options{KeepExpunged: true})
	appendN(t, m, 3)
	ctx := context.Background()
	m.Expunge(ctx, []uint32{1, 3})
	modseq := mustSnapshot(t, m).HighestModSeq
	if purged, err := m.PurgeExpunged(ctx, time.Now().Add(-time.Hour)); err != nil || len(purged) != 0 {
		t.Fatalf("purge of hour-old expunges = %v, %v", purged, err)
	}
	purged, err := m.PurgeExpunged(ctx, time.Now().Add(time.Second))
	if err != nil || !reflect.DeepEqual(purged, []uint32{1, 3}) {
		t.Fatalf("purge = %v, %v", purged, err)
	}
	if fileExists(m.MessagePath(1)) || fileExists(m.MessagePath(3)) || !fileExists(m.MessagePath(2)) {
		t.Error("wrong files after purge")
	}
	v := mustSnapshot(t, m)
	if v.HighestModSeq != modseq {
		t.Errorf("purge changed highestmodseq %d -> %d", modseq, v.HighestModSeq)
	}
	// The purged tombstones are compacted away: a client resynchronising
	// from before them is told that anything absent may have vanished.
	if c := v.ChangesSince(0); !c.Forgotten || len(c.Expunged) != 0 {
		t.Errorf("changes since 0 after compaction: %+v", c)
	}
	if c := v.ChangesSince(modseq); c.Forgotten {
		t.Errorf("changes since the last expunge: %+v", c)
	}
	var absent [][2]uint32
	v.AbsentUIDs(func(lo, hi uint32) { absent = append(absent, [2]uint32{lo, hi}) })
	if !reflect.DeepEqual(absent, [][2]uint32{{1, 1}, {3, 3}}) {
		t.Errorf("absent %v", absent)
	}
	if fi, err := os.Stat(filepath.Join(m.Dir(), indexFile)); err != nil || fi.Size() != indexHeaderSize+indexRecordSize {
		t.Errorf("index after compaction: %v bytes (%v), want one record", fi.Size(), err)
	}
	// Another process's handle (a fresh Open) sees the compacted index,
	// and appends continue after it.
	m2 := reopenMailbox(t, m.Dir(), Options{KeepExpunged: true})
	if uids := appendN(t, m2, 1); !reflect.DeepEqual(uids, []uint32{4}) {
		t.Errorf("append after compaction got %v", uids)
	}
	if v := mustSnapshot(t, m); v.Exists() != 2 || v.UIDNext != 5 {
		t.Errorf("first handle after compaction: exists %d uidnext %d", v.Exists(), v.UIDNext)
	}
	if kept, _ := m.Expunged(); len(kept) != 0 {
		t.Errorf("still kept after purge: %v", kept)
	}
}

func TestUnexpungeRestoresWithNewUID(t *testing.T) {
	m := newMailbox(t, Options{KeepExpunged: true})
	appendN(t, m, 2)
	ctx := context.Background()
	m.Store(ctx, StoreRequest{UIDs: []uint32{1}, Op: StoreAdd, Flags: FlagDeleted | FlagFlagged, Keywords: []string{"$Label1"}})
	orig := mustSnapshot(t, m).Records[0]
	m.ExpungeDeleted(ctx, nil)
	old, fresh, err := m.Unexpunge(ctx, []uint32{1, 2, 99}, false, []string{"$Restored"})
	if err != nil || !reflect.DeepEqual(old, []uint32{1}) || !reflect.DeepEqual(fresh, []uint32{3}) {
		t.Fatalf("unexpunge = %v %v %v", old, fresh, err)
	}
	v := mustSnapshot(t, m)
	r, ok := v.Lookup(3)
	if !ok {
		t.Fatal("restored message missing")
	}
	if r.Flags != FlagFlagged || !reflect.DeepEqual(v.Keywords(r), []string{"$Label1", "$Restored"}) ||
		r.GUID != orig.GUID || !r.InternalDate().Equal(orig.InternalDate()) || r.Size != orig.Size {
		t.Errorf("restored %+v keywords %v, original %+v", r, v.Keywords(r), orig)
	}
	if c, err := v.Cached(r); err != nil || c.Envelope.Subject != "msg 0" {
		t.Errorf("restored cache %v %v", c, err)
	}
	if fileExists(m.MessagePath(1)) || !fileExists(m.MessagePath(3)) {
		t.Error("files after unexpunge: want only the new one")
	}
	if kept, _ := m.Expunged(); len(kept) != 0 {
		t.Errorf("restored message still listed: %v", kept)
	}
	if again, _, err := m.Unexpunge(ctx, []uint32{1}, false, nil); err != nil || len(again) != 0 {
		t.Errorf("second unexpunge restored %v (%v)", again, err)
	}
}

func TestReconstructKeepsRetainedFinishesUnlinks(t *testing.T) {
	m := newMailbox(t, Options{KeepExpunged: true})
	appendN(t, m, 3)
	ctx := context.Background()
	m.Expunge(ctx, []uint32{1, 2})
	// uid 2: a purge marked the index, then died before the unlink (the
	// file is put back: rewrite itself removes it).
	raw := mustRead(t, m.MessagePath(2))
	if err := m.rewrite(func(img *indexImage, _ *indexHeader, _ *[]string) ([]int, error) {
		img.recs[1].Flags |= flagUnlinked
		return []int{1}, nil
	}); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(m.MessagePath(2), raw, 0o600); err != nil {
		t.Fatal(err)
	}
	m.Close()
	rep := reconstruct(t, m.Dir(), ReconstructOptions{})
	if !reflect.DeepEqual(rep.RemovedFiles, []uint32{2}) {
		t.Errorf("removed %v, want [2]", rep.RemovedFiles)
	}
	if !fileExists(m.MessagePath(1)) || fileExists(m.MessagePath(2)) {
		t.Error("reconstruct: want uid 1's kept file and not uid 2's")
	}
	m2 := reopenMailbox(t, m.Dir(), Options{KeepExpunged: true})
	if kept, _ := m2.Expunged(); len(kept) != 1 || kept[0].UID != 1 {
		t.Errorf("kept after reconstruct %v", kept)
	}
	if v := mustSnapshot(t, m2); v.Exists() != 1 {
		t.Errorf("exists %d after reconstruct", v.Exists())
	}
}
