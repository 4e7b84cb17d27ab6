package cyrusindex

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Every mailbox's index that the real Cyrus 3.6.1 rewrote as version 12
// to 16 (reconstruct -V, scripts/cyrus-import/older.sh) reads to what the
// version 17 original says: the header's UIDs, UIDVALIDITY and modseqs,
// and each record (the save date only where the version keeps one).
func TestReadsOlderVersionsCyrusWrote(t *testing.T) {
	originals := map[string]*Index{}
	dirs, _ := filepath.Glob(filepath.Join(tree, "spool", "uuid", "*", "*", "*"))
	for _, dir := range dirs {
		x, err := ReadIndex(dir)
		if err != nil {
			t.Fatal(err)
		}
		originals[filepath.Base(dir)] = x
	}
	checked := 0
	for v := uint32(12); v <= 16; v++ {
		files, _ := filepath.Glob(filepath.Join("testdata", "v"+itoa(v), "*.index"))
		if len(files) < 5 {
			t.Fatalf("version %d: %d fixtures", v, len(files))
		}
		for _, f := range files {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			got, err := ParseIndex(data)
			if err != nil {
				t.Fatalf("%s: %v", f, err)
			}
			want := *originals[strings.TrimSuffix(filepath.Base(f), ".index")]
			if got.Version != v {
				t.Errorf("%s: version %d", f, got.Version)
			}
			want.Version = v
			want.Records = append(make([]Record, 0, len(want.Records)), want.Records...)
			if v < 15 {
				for i := range want.Records {
					want.Records[i].SaveDate = time.Time{}
				}
			}
			if !reflect.DeepEqual(got, &want) {
				t.Errorf("%s:\n got %+v\nwant %+v", f, got, &want)
			}
			checked += len(got.Records)
		}
	}
	if checked == 0 {
		t.Fatal("no records checked")
	}
}

func itoa(v uint32) string { return strconv.FormatUint(uint64(v), 10) }

// Damage to an older index is caught as it is in version 17: a record's
// CRC, the header's CRC, a record size that is not the version's, and a
// version not read.
func TestOlderVersionsHostile(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("testdata", "v12", "abu0ipb6hebltxg3j1j711kp.index"))
	if err != nil {
		t.Fatal(err)
	}
	damage := map[string]func([]byte){
		"record CRC":  func(b []byte) { b[128+12] ^= 1 },
		"header CRC":  func(b []byte) { b[44] ^= 1 },
		"record size": func(b []byte) { b[19] = 104 },
		"count":       func(b []byte) { b[20] = 0x7f },
	}
	for name, f := range damage {
		img := append([]byte(nil), data...)
		f(img)
		if _, err := ParseIndex(img); !errors.Is(err, ErrCorrupt) {
			t.Errorf("%s: %v, want ErrCorrupt", name, err)
		}
	}
	for _, v := range []byte{11, 21, 0xff} {
		img := append([]byte(nil), data...)
		img[11] = v
		if _, err := ParseIndex(img); !errors.Is(err, ErrUnsupported) || !strings.Contains(err.Error(), "version "+itoa(uint32(v))) {
			t.Errorf("version %d: %v, want ErrUnsupported naming it", v, err)
		}
	}
	for n := range len(data) {
		if _, err := ParseIndex(data[:n]); err == nil && n < 128 {
			t.Errorf("truncated to %d bytes: no error", n)
		}
	}
}
