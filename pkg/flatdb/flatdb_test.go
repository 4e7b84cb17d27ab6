package flatdb

import (
	"bytes"
	"errors"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	"gocyrus/pkg/twoskip"
)

var tree = filepath.Join("..", "..", "test", "compat", "cyrus-tree", "conf")

// Files the real Cyrus 3.6.1's cvt_cyrusdb wrote from the fixture tree's
// twoskip databases (scripts/cyrus-import/older.sh) hold the same records,
// in the same order.
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
		if len(got) != len(want) || len(want) == 0 {
			t.Fatalf("%s: %d records, twoskip %d", name, len(got), len(want))
		}
		for i := range want {
			if !bytes.Equal(got[i].Key, want[i].Key) || !bytes.Equal(got[i].Value, want[i].Value) {
				t.Errorf("%s record %d: %q=%q, twoskip %q=%q", name, i, got[i].Key, got[i].Value, want[i].Key, want[i].Value)
			}
		}
	}
}

// Every escape Cyrus writes (cyr_dbtool set with TAB, LF, CR, 0xFF and
// 0x80 in keys and values) is undone.
func TestEscapesCyrusWrote(t *testing.T) {
	got, err := ReadFile(filepath.Join("testdata", "escapes.db"))
	if err != nil {
		t.Fatal(err)
	}
	want := []Record{{[]byte("a\tb"), []byte("x\ny\rz")}, {[]byte("k\xff\x80"), []byte("v\xffw\x7f\x01")}}
	if len(got) != len(want) {
		t.Fatalf("%q", got)
	}
	for i := range want {
		if !bytes.Equal(got[i].Key, want[i].Key) || !bytes.Equal(got[i].Value, want[i].Value) {
			t.Errorf("record %d: %q=%q, want %q=%q", i, got[i].Key, got[i].Value, want[i].Key, want[i].Value)
		}
	}
	// NUL, as in annotation keys.
	recs, err := Parse([]byte("a\xff\x80b\tc\n"))
	if err != nil || string(recs[0].Key) != "a\x00b" {
		t.Errorf("NUL escape: %q, %v", recs, err)
	}
}

func TestHostile(t *testing.T) {
	for name, img := range map[string]string{
		"no newline":       "k\tv",
		"no tab":           "kv\n",
		"escape at end":    "k\xff\tv\n",
		"unknown escape":   "k\tv\xff\x41\n",
		"escape of letter": "k\xff\xc1\tv\n",
	} {
		if _, err := Parse([]byte(img)); !errors.Is(err, ErrCorrupt) {
			t.Errorf("%s: %v, want ErrCorrupt", name, err)
		}
	}
	if recs, err := Parse(nil); err != nil || len(recs) != 0 {
		t.Errorf("empty file: %v %v", recs, err)
	}
	data, err := os.ReadFile(filepath.Join("testdata", "annotations.db"))
	if err != nil {
		t.Fatal(err)
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
}

func FuzzParse(f *testing.F) {
	for _, name := range []string{"annotations.db", "escapes.db", "seen-abu0ipb6hebltxg3j1j711kp.db"} {
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
		total := 0
		for _, r := range recs {
			total += len(r.Key) + len(r.Value) + 2
		}
		if total > len(data) {
			t.Fatal("records larger than the file")
		}
	})
}
