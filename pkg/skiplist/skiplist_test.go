package skiplist

import (
	"bytes"
	"encoding/binary"
	"errors"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	"gocyrus/pkg/twoskip"
)

var tree = filepath.Join("..", "..", "test", "compat", "cyrus-tree", "conf")

func sameRecords(t *testing.T, name string, got []Record, want []twoskip.Record) {
	t.Helper()
	wantMap := map[string]string{}
	for _, r := range want {
		wantMap[string(r.Key)] = string(r.Value)
	}
	if len(got) != len(wantMap) {
		t.Errorf("%s: %d records, twoskip has %d", name, len(got), len(wantMap))
	}
	for _, r := range got {
		if v, ok := wantMap[string(r.Key)]; !ok || v != string(r.Value) {
			t.Errorf("%s: key %q value %q, twoskip %q (present %v)", name, r.Key, r.Value, v, ok)
		}
	}
}

// Files that the real Cyrus 3.6.1's cvt_cyrusdb wrote from the fixture
// tree's twoskip databases (scripts/cyrus-import/older.sh) hold the same
// records as the twoskip originals.
func TestReadsWhatCvtCyrusdbWrote(t *testing.T) {
	pairs := map[string]string{
		"mailboxes.db":   filepath.Join(tree, "mailboxes.db"),
		"annotations.db": filepath.Join(tree, "annotations.db"),
	}
	seen, _ := filepath.Glob(filepath.Join(tree, "user", "uuid", "*", "*", "*", "seen.db"))
	for _, s := range seen {
		pairs["seen-"+filepath.Base(filepath.Dir(s))+".db"] = s
	}
	for name, orig := range pairs {
		got, err := ReadFile(filepath.Join("testdata", name))
		if err != nil {
			t.Fatal(err)
		}
		want, err := twoskip.ReadFile(orig)
		if err != nil {
			t.Fatal(err)
		}
		if len(want) == 0 {
			t.Fatalf("%s: the original is empty", orig)
		}
		sameRecords(t, name, got, want)
	}
}

// A DELETE in the log (cyr_dbtool delete) removes its record.
func TestDeleteInTheLog(t *testing.T) {
	all, err := ReadFile(filepath.Join("testdata", "mailboxes.db"))
	if err != nil {
		t.Fatal(err)
	}
	got, err := ReadFile(filepath.Join("testdata", "deleted.db"))
	if err != nil {
		t.Fatal(err)
	}
	gone := "Nuser\x1fbob\x1fLists"
	if len(got) != len(all)-1 {
		t.Fatalf("%d records after the delete, %d before", len(got), len(all))
	}
	for _, r := range got {
		if string(r.Key) == gone {
			t.Fatalf("%q is still there", gone)
		}
	}
}

// An unfinished transaction (no COMMIT: the writer crashed) is dropped,
// as Cyrus's recovery drops it, whether its records are whole or cut.
func TestUncommittedTailIsDropped(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("testdata", "mailboxes.db"))
	if err != nil {
		t.Fatal(err)
	}
	want, err := Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	add := func(key, value string) []byte {
		var b []byte
		b = binary.BigEndian.AppendUint32(b, typeAdd)
		for _, f := range []string{key, value} {
			b = binary.BigEndian.AppendUint32(b, uint32(len(f)))
			b = append(b, f...)
			b = append(b, make([]byte, (4-len(f)%4)%4)...)
		}
		b = binary.BigEndian.AppendUint32(b, 0)
		return binary.BigEndian.AppendUint32(b, endPointers)
	}
	tail := add("Nuser\x1fmallory", "%(T e)")
	for cut := 0; cut <= len(tail); cut++ {
		img := append(append([]byte(nil), data...), tail[:cut]...)
		got, err := Parse(img)
		if err != nil {
			t.Fatalf("cut at %d: %v", cut, err)
		}
		if len(got) != len(want) {
			t.Fatalf("cut at %d: %d records, want %d", cut, len(got), len(want))
		}
	}
	// Committed, it counts.
	img := append(append(append([]byte(nil), data...), tail...), 0, 0, 0, typeCommit)
	got, err := Parse(img)
	if err != nil || len(got) != len(want)+1 {
		t.Fatalf("committed add: %d records, %v", len(got), err)
	}
}

// Hostile images: every truncation and random byte changes give an error
// wrapping ErrCorrupt or a result, never a panic; a damaged checkpoint or
// header is an error.
func TestHostileImages(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("testdata", "annotations.db"))
	if err != nil {
		t.Fatal(err)
	}
	for n := range len(data) {
		if _, err := Parse(data[:n]); err != nil && !errors.Is(err, ErrCorrupt) {
			t.Fatalf("truncated to %d: %v does not wrap ErrCorrupt", n, err)
		}
	}
	seed := rand.Uint64()
	t.Logf("seed %d", seed)
	r := rand.New(rand.NewPCG(seed, 0))
	for range 5000 {
		img := bytes.Clone(data)
		for range 1 + r.IntN(4) {
			img[r.IntN(len(img))] = byte(r.Uint32())
		}
		if _, err := Parse(img); err != nil && !errors.Is(err, ErrCorrupt) {
			t.Fatalf("%v does not wrap ErrCorrupt", err)
		}
	}
	cases := map[string]func([]byte){
		"magic":      func(b []byte) { b[4] = 'S' },
		"version":    func(b []byte) { b[23] = 2 },
		"levels":     func(b []byte) { binary.BigEndian.PutUint32(b[28:], 1000) },
		"log start":  func(b []byte) { binary.BigEndian.PutUint32(b[40:], 1<<30) },
		"dummy type": func(b []byte) { b[headerSize+3] = 7 },
	}
	for name, damage := range cases {
		img := bytes.Clone(data)
		damage(img)
		if _, err := Parse(img); !errors.Is(err, ErrCorrupt) {
			t.Errorf("%s: %v, want ErrCorrupt", name, err)
		}
	}
	// A committed DELETE of an offset that holds no record.
	img := append(bytes.Clone(data), 0, 0, 0, typeDelete, 0, 0, 0, 9, 0, 0, 0, typeCommit)
	if _, err := Parse(img); !errors.Is(err, ErrCorrupt) {
		t.Errorf("delete of nothing: %v, want ErrCorrupt", err)
	}
	// A huge key length is refused without allocating it.
	img = bytes.Clone(data)
	binary.BigEndian.PutUint32(img[headerSize+4:], 0xfffffff0)
	if _, err := Parse(img); !errors.Is(err, ErrCorrupt) {
		t.Errorf("huge key length: %v, want ErrCorrupt", err)
	}
}

func FuzzParse(f *testing.F) {
	for _, name := range []string{"annotations.db", "deleted.db", "seen-abu0ipb6hebltxg3j1j711kp.db"} {
		data, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		recs, err := Parse(data)
		if err != nil {
			if !errors.Is(err, ErrCorrupt) {
				t.Fatalf("%v does not wrap ErrCorrupt", err)
			}
			return
		}
		for _, r := range recs {
			if len(r.Key)+len(r.Value) > len(data) {
				t.Fatal("a record larger than the file")
			}
		}
	})
}
