package mailbox

import (
	"context"
	"encoding/binary"
	"hash/crc32"
	"os"
	"path/filepath"
	"testing"
)

// A new mailbox's creation is its first change: HIGHESTMODSEQ 1, never 0
// (RFC 7162 §7), and its first message takes 2.
func TestCreateTakesModSeqOne(t *testing.T) {
	m := newMailbox(t, Options{})
	if v := mustSnapshot(t, m); v.HighestModSeq != 1 {
		t.Fatalf("new mailbox: highestmodseq %d, want 1", v.HighestModSeq)
	}
	appendN(t, m, 1)
	v := mustSnapshot(t, m)
	if v.HighestModSeq != 2 || v.Records[0].ModSeq != 2 {
		t.Fatalf("after one append: highest %d, record %d, want 2 and 2", v.HighestModSeq, v.Records[0].ModSeq)
	}
	if rep := reconstruct(t, m.Dir(), ReconstructOptions{}); rep.Changed() || rep.HighestModSeq != 2 {
		t.Fatalf("reconstruct of a clean mailbox: %+v", rep)
	}
}

// setIndexModSeq rewrites the index header's highestmodseq as an older
// gocyrus wrote it (0 for a mailbox never changed), checksum fixed.
func setIndexModSeq(t *testing.T, dir string, modseq uint64) {
	t.Helper()
	path := filepath.Join(dir, indexFile)
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	binary.LittleEndian.PutUint64(b[40:], modseq)
	binary.LittleEndian.PutUint32(b[124:], crc32.Checksum(b[:124], crcTable))
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
}

// An index an older gocyrus left with highestmodseq 0 is valid: it reads
// as the creation's 1, reconstruct neither flags nor rewrites it, and the
// next change takes 2, so no modseq a client saw is handed out again.
func TestOldIndexWithModSeqZeroReadsAsOne(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "mb")
	if err := Create(dir, Header{Name: "user.fred", UniqueID: "abcdefgh", UIDValidity: 42}); err != nil {
		t.Fatal(err)
	}
	setIndexModSeq(t, dir, 0)
	if rep := reconstruct(t, dir, ReconstructOptions{}); rep.Changed() || rep.HighestModSeq != 1 {
		t.Fatalf("reconstruct: %+v", rep)
	}
	m, err := Open(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	if v := mustSnapshot(t, m); v.HighestModSeq != 1 {
		t.Fatalf("highestmodseq %d, want 1", v.HighestModSeq)
	}
	appendN(t, m, 1)
	if v := mustSnapshot(t, m); v.HighestModSeq != 2 || v.Records[0].ModSeq != 2 {
		t.Fatalf("after append: highest %d record %d, want 2", v.HighestModSeq, v.Records[0].ModSeq)
	}
}

// BumpModSeq gives a mailbox-level change a modseq: the header goes up by
// one, durably (another handle and a reopen see it), records untouched,
// and the change is notified.
func TestBumpModSeq(t *testing.T) {
	notified := 0
	m := newMailbox(t, Options{Notify: func(string) { notified++ }})
	appendN(t, m, 2)
	notified = 0
	before := mustSnapshot(t, m)
	got, err := m.BumpModSeq(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if got != before.HighestModSeq+1 || notified != 1 {
		t.Fatalf("bump gave %d (want %d), notified %d times", got, before.HighestModSeq+1, notified)
	}
	after := reopen(t, m.Dir())
	if after.HighestModSeq != got || len(after.Records) != 2 || after.Records[1] != before.Records[1] {
		t.Fatalf("reopened: highest %d records %+v", after.HighestModSeq, after.Records)
	}
	if c := after.ChangesSince(before.HighestModSeq); len(c.Updated) != 0 || len(c.Expunged) != 0 {
		t.Fatalf("a mailbox-level change listed message changes: %+v", c)
	}
	// The next message change continues after it.
	appendN(t, m, 1)
	if v := mustSnapshot(t, m); v.Records[2].ModSeq != got+1 {
		t.Fatalf("append after bump: modseq %d, want %d", v.Records[2].ModSeq, got+1)
	}
	if rep := reconstruct(t, m.Dir(), ReconstructOptions{}); rep.Changed() {
		t.Fatalf("reconstruct after bump: %v", rep.Changes)
	}
	if _, err := m.BumpModSeq(canceled()); err == nil {
		t.Fatal("bump with a canceled context succeeded")
	}
}

func canceled() context.Context {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	return ctx
}
