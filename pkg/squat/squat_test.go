package squat

import (
	"bytes"
	"errors"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"
)

// randomIndex adds n messages with random grams from a small alphabet,
// returning the builder and each UID's grams.
func randomIndex(t testing.TB, rng *rand.Rand, n int) (*Builder, map[uint32][]uint32) {
	b := NewBuilder(42)
	want := map[uint32][]uint32{}
	uid := uint32(0)
	for range n {
		uid += 1 + uint32(rng.IntN(300))
		var gs []uint32
		for range rng.IntN(20) {
			gs = append(gs, uint32(rng.IntN(40))<<8)
		}
		slices.Sort(gs)
		gs = slices.Compact(gs)
		if err := b.Add(uid, gs); err != nil {
			t.Fatal(err)
		}
		want[uid] = gs
	}
	return b, want
}

// TestRoundTrip: what is added is what WithAll and Covers answer, and an
// index extended with more messages is the one built in one go.
func TestRoundTrip(t *testing.T) {
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, 1))
	b, want := randomIndex(t, rng, 500)
	data, err := b.Bytes(99999)
	if err != nil {
		t.Fatal(err)
	}
	ix, err := Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	if ix.UIDValidity != 42 || ix.UIDNext != 99999 || ix.NumUIDs() != len(want) {
		t.Fatalf("header: %d %d %d", ix.UIDValidity, ix.UIDNext, ix.NumUIDs())
	}
	for range 200 {
		q := []uint32{uint32(rng.IntN(40)) << 8, uint32(rng.IntN(40)) << 8}
		slices.Sort(q)
		q = slices.Compact(q)
		var exp []uint32
		for uid, gs := range want {
			all := true
			for _, g := range q {
				_, ok := slices.BinarySearch(gs, g)
				all = all && ok
			}
			if all {
				exp = append(exp, uid)
			}
		}
		slices.Sort(exp)
		if got := ix.WithAll(q); !slices.Equal(got, exp) {
			t.Fatalf("WithAll(%x) = %v, want %v", q, got, exp)
		}
	}
	for uid := range want {
		if !ix.Covers(uid) || ix.Covers(uid+100000) {
			t.Fatalf("Covers(%d) wrong", uid)
		}
	}
	if ix.WithAll([]uint32{0xffffff}) != nil {
		t.Error("an unknown gram matched")
	}

	// Extend: the first half indexed, then the rest added (squatter -i).
	uids := make([]uint32, 0, len(want))
	for u := range want {
		uids = append(uids, u)
	}
	slices.Sort(uids)
	half := NewBuilder(42)
	for _, u := range uids[:250] {
		half.Add(u, want[u])
	}
	hd, _ := half.Bytes(1)
	hix, err := Parse(hd)
	if err != nil {
		t.Fatal(err)
	}
	ext := Extend(hix)
	for _, u := range uids[250:] {
		if err := ext.Add(u, want[u]); err != nil {
			t.Fatal(err)
		}
	}
	if err := ext.Add(uids[0], nil); err == nil {
		t.Error("a UID below the last was accepted")
	}
	ed, _ := ext.Bytes(99999)
	if !bytes.Equal(ed, data) {
		t.Error("an extended index differs from one built whole")
	}
}

// TestParseRefusesDamage: any byte changed, and any truncation, is
// refused as ErrCorrupt, never used.
func TestParseRefusesDamage(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 7))
	b, _ := randomIndex(t, rng, 30)
	data, _ := b.Bytes(5000)
	for i := range data {
		bad := slices.Clone(data)
		bad[i] ^= 0x41
		if _, err := Parse(bad); !errors.Is(err, ErrCorrupt) {
			t.Fatalf("byte %d changed: %v", i, err)
		}
	}
	for n := range len(data) {
		if _, err := Parse(data[:n]); !errors.Is(err, ErrCorrupt) {
			t.Fatalf("truncated to %d: %v", n, err)
		}
	}
}

// TestWrite: the file appears whole under its name with no temporary
// left; a write that cannot complete leaves the old file as it was and
// nothing else.
func TestWrite(t *testing.T) {
	dir := t.TempDir()
	b, _ := randomIndex(t, rand.New(rand.NewPCG(1, 1)), 10)
	if err := b.Write(dir, 77); err != nil {
		t.Fatal(err)
	}
	ix, err := Read(filepath.Join(dir, FileName))
	if err != nil || ix.UIDNext != 77 {
		t.Fatalf("read back: %v", err)
	}
	before, _ := os.ReadFile(filepath.Join(dir, FileName))
	if err := os.Chmod(dir, 0o500); err != nil {
		t.Fatal(err)
	}
	defer os.Chmod(dir, 0o700)
	if os.Geteuid() == 0 {
		// root writes anyway: make the rename fail instead
		os.Chmod(dir, 0o700)
		os.Rename(filepath.Join(dir, FileName), filepath.Join(dir, "keep"))
		os.Mkdir(filepath.Join(dir, FileName), 0o700)
		os.WriteFile(filepath.Join(dir, FileName, "x"), nil, 0o600)
	}
	if err := NewBuilder(1).Write(dir, 1); err == nil {
		t.Fatal("a write that could not complete succeeded")
	}
	os.Chmod(dir, 0o700)
	names, _ := filepath.Glob(filepath.Join(dir, "*"))
	if os.Geteuid() == 0 {
		os.RemoveAll(filepath.Join(dir, FileName))
		os.Rename(filepath.Join(dir, "keep"), filepath.Join(dir, FileName))
		names = names[:0]
		names, _ = filepath.Glob(filepath.Join(dir, "*"))
	}
	after, _ := os.ReadFile(filepath.Join(dir, FileName))
	if len(names) != 1 || !bytes.Equal(before, after) {
		t.Errorf("after a failed write: files %v, old index kept %v", names, bytes.Equal(before, after))
	}
}

// FuzzParse: any bytes are refused or give an index whose lookups work.
func FuzzParse(f *testing.F) {
	b, _ := randomIndex(f, rand.New(rand.NewPCG(3, 3)), 5)
	data, _ := b.Bytes(10)
	f.Add(data)
	f.Add([]byte(magic))
	f.Fuzz(func(t *testing.T, data []byte) {
		ix, err := Parse(data)
		if err != nil {
			return
		}
		ix.WithAll([]uint32{0, 0x100, 0x2800})
		ix.Covers(1)
		Extend(ix)
	})
}

// TestPostingEncodings: a gram in most messages is stored as a bitmap, a
// rare one as position deltas, and both read back; bits a damaged bitmap
// sets past the UID table are ignored, not read past it.
func TestPostingEncodings(t *testing.T) {
	b := NewBuilder(1)
	const common, rare = 0x616161, 0x7a7a7a
	for uid := uint32(10); uid < 10+100*7; uid += 7 {
		grams := []uint32{common}
		if uid%70 == 3 { // 10 of them
			grams = append(grams, rare)
		}
		if err := b.Add(uid, append(grams, common)); err != nil { // a repeat is harmless
			t.Fatal(err)
		}
	}
	data, err := b.Bytes(1000)
	if err != nil {
		t.Fatal(err)
	}
	ix, err := Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	tag := func(g uint32) byte {
		p, _, ok := ix.postingsOf(g)
		if !ok {
			t.Fatalf("gram %06x missing", g)
		}
		return p[0]
	}
	if tag(common) != listBitmap || tag(rare) != listDeltas {
		t.Fatalf("encodings: common %d, rare %d", tag(common), tag(rare))
	}
	if got := ix.WithAll([]uint32{common}); len(got) != 100 || got[0] != 10 || got[99] != 703 {
		t.Errorf("common: %d UIDs, %v", len(got), got)
	}
	var want []uint32
	for uid := uint32(10); uid < 710; uid += 7 {
		if uid%70 == 3 {
			want = append(want, uid)
		}
	}
	if got := ix.WithAll([]uint32{common, rare}); !slices.Equal(got, want) {
		t.Errorf("both: %v, want %v", got, want)
	}
	// 100 UIDs: the bitmap's last byte has 4 bits past the table.
	p, _, _ := ix.postingsOf(common)
	p[ix.bitmapLen()] = 0xff
	if got := ix.WithAll([]uint32{common}); len(got) != 100 {
		t.Errorf("stray bits: %d UIDs", len(got))
	}
}
