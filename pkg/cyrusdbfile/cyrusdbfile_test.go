package cyrusdbfile

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"gocyrus/pkg/flatdb"
	"gocyrus/pkg/skiplist"
	"gocyrus/pkg/twoskip"
)

// The same database in the three formats the real Cyrus wrote is told
// apart by its magic and read to the same records.
func TestDetectsEachFormatCyrusWrote(t *testing.T) {
	files := map[string]Format{
		filepath.Join("..", "..", "test", "compat", "cyrus-tree", "conf", "annotations.db"): Twoskip,
		filepath.Join("..", "skiplist", "testdata", "annotations.db"):                       Skiplist,
		filepath.Join("..", "flatdb", "testdata", "annotations.db"):                         Flat,
	}
	var first map[string]string
	for path, want := range files {
		recs, f, err := ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if f != want {
			t.Errorf("%s: format %s, want %s", path, f, want)
		}
		got := map[string]string{}
		for _, r := range recs {
			got[string(r.Key)] = string(r.Value)
		}
		if len(got) == 0 {
			t.Fatalf("%s: no records", path)
		}
		if first == nil {
			first = got
			continue
		}
		if len(got) != len(first) {
			t.Errorf("%s: %d records, another format %d", path, len(got), len(first))
		}
		for k, v := range first {
			if got[k] != v {
				t.Errorf("%s: %q=%q, another format %q", path, k, got[k], v)
			}
		}
	}
}

// A Berkeley DB file is refused by name, not read as flat garbage; a
// damaged file's error wraps its reader's ErrCorrupt.
func TestRefusesAndReportsDamage(t *testing.T) {
	bdb := make([]byte, 512)
	copy(bdb[12:], []byte{0x61, 0x15, 0x06, 0x00}) // hash magic, little-endian
	if _, f, err := Parse(bdb); f != Berkeley || !errors.Is(err, ErrUnsupported) {
		t.Errorf("Berkeley DB: %s %v", f, err)
	}
	for path, want := range map[string]error{
		filepath.Join("..", "skiplist", "testdata", "mailboxes.db"):                       skiplist.ErrCorrupt,
		filepath.Join("..", "..", "test", "compat", "cyrus-tree", "conf", "mailboxes.db"): twoskip.ErrCorrupt,
		filepath.Join("..", "flatdb", "testdata", "mailboxes.db"):                         flatdb.ErrCorrupt,
	} {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		// Cut in the header or, for flat, mid-line.
		cut := bytes.Clone(data[:40])
		if _, _, err := Parse(cut); !errors.Is(err, want) {
			t.Errorf("%s cut short: %v, want %v", path, err, want)
		}
	}
}
