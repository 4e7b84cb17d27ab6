package mailbox

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

// A reconstruct of a lost index dates each adopted message's save date by
// its file's modification time (man/man8/reconstruct.8), not by the time
// of the reconstruct: SEARCH SAVEDBEFORE must still find old mail.
func TestReconstructLostIndexSaveDateFromFile(t *testing.T) {
	m := newMailbox(t, Options{})
	appendN(t, m, 2)
	m.Close()
	old := time.Date(2020, 5, 6, 7, 8, 9, 0, time.UTC)
	for _, uid := range []uint32{1, 2} {
		mt := old.Add(time.Duration(uid) * time.Hour)
		if err := os.Chtimes(messagePath(m.Dir(), uid), mt, mt); err != nil {
			t.Fatal(err)
		}
	}
	os.Remove(filepath.Join(m.Dir(), indexFile))
	reconstruct(t, m.Dir(), ReconstructOptions{NewUIDValidity: fixedUIDValidity(t, 7)})
	v := reopen(t, m.Dir())
	for _, uid := range []uint32{1, 2} {
		r, ok := v.Lookup(uid)
		if !ok {
			t.Fatalf("uid %d lost", uid)
		}
		want := old.Add(time.Duration(uid) * time.Hour)
		if !r.SaveDate().Equal(want) || !r.InternalDate().Equal(want) {
			t.Errorf("uid %d: save date %v, internal date %v, want both %v", uid, r.SaveDate(), r.InternalDate(), want)
		}
	}
}

// The save date is when a message entered this mailbox: a copy keeps the
// internal date but is saved anew (RFC 8514 §1), and the save date
// survives a close and reopen (it is in the index record).
func TestCopyNewSaveDateSameInternalDate(t *testing.T) {
	start := time.Now().Truncate(time.Second)
	src := newMailbox(t, Options{})
	appendN(t, src, 1) // internal date 2024-01-02
	r0, _ := mustSnapshot(t, src).Lookup(1)
	dst := newMailbox(t, Options{})
	if _, _, err := dst.CopyFrom(t.Context(), src, []uint32{1}); err != nil {
		t.Fatal(err)
	}
	dir := dst.Dir()
	dst.Close()
	r1, ok := reopen(t, dir).Lookup(1)
	if !ok {
		t.Fatal("copy lost")
	}
	if !r1.InternalDate().Equal(r0.InternalDate()) {
		t.Errorf("internal date %v, want the source's %v", r1.InternalDate(), r0.InternalDate())
	}
	if r1.SaveDate().Before(start) || r1.SaveDate().Before(r0.SaveDate()) {
		t.Errorf("save date %v: not the time of the copy (test began %v, source saved %v)", r1.SaveDate(), start, r0.SaveDate())
	}
}
