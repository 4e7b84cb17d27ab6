package cyrusindex_test

import (
	"encoding/binary"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"testing"
	"time"

	"gocyrus/internal/cyrusfixture"
	"gocyrus/pkg/cyrusindex"
)

var tree = filepath.Join("..", "..", "test", "compat", "cyrus-tree")

// realIndexes are the version 17 indexes the real Cyrus 3.6.1 wrote.
func realIndexes(t testing.TB) map[string]*cyrusindex.Index {
	t.Helper()
	out := map[string]*cyrusindex.Index{}
	dirs, _ := filepath.Glob(filepath.Join(tree, "spool", "uuid", "*", "*", "*"))
	for _, dir := range dirs {
		x, err := cyrusindex.ReadIndex(dir)
		if err != nil {
			t.Fatal(err)
		}
		out[filepath.Base(dir)] = x
	}
	if len(out) < 5 {
		t.Fatalf("%d indexes in %s", len(out), tree)
	}
	return out
}

// Issue 16, Cyrus 3.8: every mailbox of the real 3.6.1 tree, written by
// the fixture generator as versions 17 to 20 (the field order and widths
// of cyrus-imapd's index_file.c templates, laid end to end), reads back
// to what the 3.6.1 index says, and the sizes the generator arrives at
// are those 3.8's mailbox.h gives (INDEX_HEADER_SIZE 192, INDEX_RECORD_SIZE
// 144 for 20; 160 and 112 for 17 to 19).
func TestReadsCyrus38Versions(t *testing.T) {
	sizes := map[uint32][2]int{17: {160, 112}, 18: {160, 112}, 19: {160, 112}, 20: {192, 144}}
	checked := 0
	for id, x := range realIndexes(t) {
		for _, v := range cyrusfixture.Versions {
			img, err := cyrusfixture.Index(x, v)
			if err != nil {
				t.Fatal(err)
			}
			be := binary.BigEndian
			if got := [2]int{int(be.Uint32(img[12:])), int(be.Uint32(img[16:]))}; got != sizes[v] {
				t.Fatalf("version %d: header and record %v, mailbox.h says %v", v, got, sizes[v])
			}
			got, err := cyrusindex.ParseIndex(img)
			if err != nil {
				t.Fatalf("%s as version %d: %v", id, v, err)
			}
			want := *x
			want.Version = v
			if !reflect.DeepEqual(got, &want) {
				t.Errorf("%s as version %d:\n got %+v\nwant %+v", id, v, got, &want)
			}
			checked += len(got.Records)
		}
	}
	if checked < 40 {
		t.Fatalf("only %d records checked", checked)
	}
}

// Version 20 keeps times in nanoseconds and the size in 64 bits: a record
// whose internal and save dates have nanoseconds and whose size passes
// 4 GiB reads back exactly; each field is read from its own offset (no
// two fields given the same value).
func TestVersion20WideFields(t *testing.T) {
	x := &cyrusindex.Index{Version: 20, LastUID: 9, UIDValidity: 1234567, HighestModSeq: 1<<40 + 7, DeletedModSeq: 1<<33 + 3, Exists: 1,
		Records: []cyrusindex.Record{{
			UID:          9,
			InternalDate: time.Unix(1700000000, 123456789).UTC(),
			SentDate:     time.Unix(1600000000, 0).UTC(),
			SaveDate:     time.Unix(1700000005, 987654321).UTC(),
			Size:         5<<30 + 11,
			HeaderSize:   321,
			SystemFlags:  cyrusindex.FlagSeen | cyrusindex.FlagFlagged,
			UserFlags:    [4]uint32{1, 2, 4, 1 << 31},
			GUID:         [20]byte{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20},
			ModSeq:       1<<40 + 5,
		}}}
	img, err := cyrusfixture.Index(x, 20)
	if err != nil {
		t.Fatal(err)
	}
	got, err := cyrusindex.ParseIndex(img)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, x) {
		t.Errorf("\n got %+v\nwant %+v", got, x)
	}
	if !got.Records[0].HasUserFlag(127) || got.Records[0].HasUserFlag(1) {
		t.Error("user flag bits misread")
	}
}

// Damage to a 3.8 index is caught as in the older versions: each CRC,
// a record size not the version's (a v19 index with v20's 144-byte
// records, which a 3.8 pre-release wrote, is refused rather than
// misread), a count past the file, and every truncation.
func TestCyrus38VersionsHostile(t *testing.T) {
	var x *cyrusindex.Index
	for _, i := range realIndexes(t) {
		if x == nil || len(i.Records) > len(x.Records) {
			x = i
		}
	}
	for _, v := range cyrusfixture.Versions {
		good, err := cyrusfixture.Index(x, v)
		if err != nil {
			t.Fatal(err)
		}
		hsize := int(binary.BigEndian.Uint32(good[12:]))
		damage := map[string]func([]byte){
			"record CRC":  func(b []byte) { b[hsize+1] ^= 1 },
			"header CRC":  func(b []byte) { b[hsize-30] ^= 1 },
			"record size": func(b []byte) { b[19] ^= 0x30 },
			"count":       func(b []byte) { b[20] = 0x7f },
		}
		for name, f := range damage {
			img := slices.Clone(good)
			f(img)
			if _, err := cyrusindex.ParseIndex(img); !errors.Is(err, cyrusindex.ErrCorrupt) {
				t.Errorf("version %d, %s: %v, want ErrCorrupt", v, name, err)
			}
		}
		for n := range len(good) {
			if _, err := cyrusindex.ParseIndex(good[:n]); err == nil && n < hsize {
				t.Errorf("version %d truncated to %d bytes: no error", v, n)
			} else if err != nil && !errors.Is(err, cyrusindex.ErrCorrupt) {
				t.Errorf("version %d truncated to %d bytes: %v", v, n, err)
			}
		}
	}
}

// FuzzParseIndex: any input gives an index or ErrCorrupt/ErrUnsupported,
// never a panic. Seeds: the real 3.6.1 indexes, the 12 to 16 ones it
// rewrote, and each generated as versions 18 to 20 (Cyrus 3.8).
func FuzzParseIndex(f *testing.F) {
	matches, _ := filepath.Glob(filepath.Join(tree, "spool", "uuid", "*", "*", "*", "cyrus.index"))
	older, _ := filepath.Glob(filepath.Join("testdata", "v*", "*.index"))
	for _, m := range append(matches, older...) {
		if b, err := os.ReadFile(m); err == nil {
			f.Add(b)
		}
	}
	for _, x := range realIndexes(f) {
		for _, v := range cyrusfixture.Versions {
			if img, err := cyrusfixture.Index(x, v); err == nil {
				f.Add(img)
			}
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if _, err := cyrusindex.ParseIndex(data); err != nil && !errors.Is(err, cyrusindex.ErrCorrupt) && !errors.Is(err, cyrusindex.ErrUnsupported) {
			t.Fatal(err)
		}
	})
}
