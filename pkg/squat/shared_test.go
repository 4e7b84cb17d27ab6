package squat

import (
	"errors"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"
)

// writeIndex writes b's index into dir and returns it parsed from the
// heap, to compare the mapping's answers with.
func writeIndex(t *testing.T, b *Builder, dir string) *Index {
	t.Helper()
	if err := b.Write(dir, 1<<30); err != nil {
		t.Fatal(err)
	}
	ix, err := Read(filepath.Join(dir, FileName))
	if err != nil {
		t.Fatal(err)
	}
	return ix
}

// sameAnswers checks that r answers as ix does.
func sameAnswers(t *testing.T, rng *rand.Rand, r *Ref, ix *Index) {
	t.Helper()
	for range 50 {
		q := []uint32{uint32(rng.IntN(40)) << 8, uint32(rng.IntN(40)) << 8}
		slices.Sort(q)
		q = slices.Compact(q)
		if got, want := r.WithAll(q), ix.WithAll(q); !slices.Equal(got, want) {
			t.Fatalf("WithAll(%x) = %v, want %v", q, got, want)
		}
	}
	for i := range ix.NumUIDs() {
		if u := ix.UID(i); !r.Covers(u) || r.Covers(u+1) != ix.Covers(u+1) {
			t.Fatalf("Covers(%d) differs", u)
		}
	}
}

// TestSharedOneMapping: concurrent holders of one file share one mapping
// (one check), answer as the file parsed on the heap does, and a file
// replaced by rename gets a new mapping while the old one's holders keep
// answering from it until the last closes it, which unmaps it.
func TestSharedOneMapping(t *testing.T) {
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, 2))
	dir := t.TempDir()
	path := filepath.Join(dir, FileName)
	b, _ := randomIndex(t, rng, 3000)
	ix1 := writeIndex(t, b, dir)

	s := NewShared()
	refs := make([]*Ref, 20)
	var wg sync.WaitGroup
	errs := make([]error, len(refs))
	for i := range refs {
		wg.Go(func() { refs[i], errs[i] = s.Open(path) })
	}
	wg.Wait()
	for i, r := range refs {
		if errs[i] != nil || r.Err() != nil {
			t.Fatalf("Open %d: %v %v", i, errs[i], r.Err())
		}
		if r.m != refs[0].m {
			t.Fatalf("ref %d has a mapping of its own", i)
		}
	}
	if n := s.Mappings(); n != 1 {
		t.Fatalf("%d mappings, want 1", n)
	}
	sameAnswers(t, rng, refs[5], ix1)

	b2, _ := randomIndex(t, rng, 100)
	ix2 := writeIndex(t, b2, dir) // renamed over the old file
	v, err := StatVersion(path)
	if err != nil {
		t.Fatal(err)
	}
	if v == refs[0].Version() {
		t.Fatal("the replaced file has the old version")
	}
	nr, err := s.Open(path)
	if err != nil || nr.Err() != nil || nr.m == refs[0].m {
		t.Fatalf("Open of the new file: %v %v, new mapping %v", err, nr.Err(), nr.m != refs[0].m)
	}
	sameAnswers(t, rng, nr, ix2)
	sameAnswers(t, rng, refs[7], ix1) // the old holders still see theirs
	old := refs[0].m
	for _, r := range refs {
		r.Close()
		r.Close() // a second Close is harmless
	}
	if old.data != nil {
		t.Error("the old mapping outlived its last holder")
	}
	if n := s.Mappings(); n != 1 {
		t.Errorf("%d mappings with the new file held, want 1", n)
	}
	nr.Close()
	if n := s.Mappings(); n != 0 {
		t.Errorf("%d mappings after every Close, want 0", n)
	}
}

// TestSharedDamaged: a damaged or short file gives a Ref whose Err wraps
// ErrCorrupt and that answers nothing; holders of it share the verdict.
func TestSharedDamaged(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 5))
	dir := t.TempDir()
	path := filepath.Join(dir, FileName)
	b, _ := randomIndex(t, rng, 200)
	data, _ := b.Bytes(1)
	bad := slices.Clone(data)
	bad[len(bad)/2] ^= 1
	s := NewShared()
	for _, content := range [][]byte{bad, data[:10], nil, data[:len(data)-1]} {
		if err := os.WriteFile(path, content, 0o600); err != nil {
			t.Fatal(err)
		}
		r1, err1 := s.Open(path)
		r2, err2 := s.Open(path)
		if err1 != nil || err2 != nil {
			t.Fatalf("%d bytes: %v %v", len(content), err1, err2)
		}
		if !errors.Is(r1.Err(), ErrCorrupt) || r1.m != r2.m {
			t.Fatalf("%d bytes: Err %v, shared %v", len(content), r1.Err(), r1.m == r2.m)
		}
		if r1.Covers(1) || r1.WithAll([]uint32{0}) != nil || r1.UIDValidity() != 0 {
			t.Fatalf("%d bytes: a damaged index answered", len(content))
		}
		r1.Close()
		r2.Close()
	}
	if _, err := s.Open(filepath.Join(dir, "absent")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("absent file: %v", err)
	}
	if n := s.Mappings(); n != 0 {
		t.Errorf("%d mappings left", n)
	}
}

// TestSharedTruncatedUnderMapping: a file truncated in place after it was
// mapped (not squatter's doing: an administrator's copy or restore) makes
// the pages past its end fault; that is caught, the index answers nothing
// from then on, and the process lives.
func TestSharedTruncatedUnderMapping(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 9))
	dir := t.TempDir()
	path := filepath.Join(dir, FileName)
	b, want := randomIndex(t, rng, 5000) // UIDs alone span several pages
	ix := writeIndex(t, b, dir)
	s := NewShared()
	r, err := s.Open(path)
	if err != nil || r.Err() != nil {
		t.Fatal(err, r.Err())
	}
	defer r.Close()
	sameAnswers(t, rng, r, ix)
	if err := os.Truncate(path, headerSize); err != nil {
		t.Fatal(err)
	}
	for uid := range want {
		if r.Covers(uid) && r.Faulted() {
			t.Fatal("Covers answered true after the mapping faulted")
		}
	}
	r.WithAll([]uint32{0, 0x100})
	if !r.Faulted() {
		t.Fatal("no fault noticed on a file truncated to its header")
	}
	if r.Covers(ix.UID(0)) || r.WithAll([]uint32{0}) != nil {
		t.Error("a faulted index still answers")
	}
}
