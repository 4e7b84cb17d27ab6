package maildir

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"unsafe"

	"gocyrus/internal/testseed"
)

// TestReadRetainsLittlePerMessage guards issue 16: a read folder holds
// each message packed (its name and a small fixed record), not a Message
// with its strings, nor the listing's os.DirEntry values. The heap kept
// by the Folder must stay within 1.25× (append's growth) of the names'
// length plus 64 bytes a message; the old []Message kept about 200
// bytes a message (names of 59 bytes), 1.3× this limit.
func TestReadRetainsLittlePerMessage(t *testing.T) {
	const n = 10000
	d := t.TempDir()
	for _, sub := range []string{"cur", "new"} {
		os.Mkdir(filepath.Join(d, sub), 0o755)
	}
	nameBytes := 0
	for i := range n {
		// A Dovecot-style name: delivery time, unique part, host, size.
		name := fmt.Sprintf("%d.M%dP%d.mail.example.org,S=%d,W=%d:2,S", 1700000000+i, i*7919%1000000, 4000+i%1000, 1000+i, 1030+i)
		nameBytes += len(name)
		f, err := os.Create(filepath.Join(d, "cur", name))
		if err != nil {
			t.Fatal(err)
		}
		f.Close()
	}
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	f, err := Read(d)
	if err != nil {
		t.Fatal(err)
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	if f.Len() != n {
		t.Fatalf("%d messages, want %d", f.Len(), n)
	}
	kept := int64(after.HeapAlloc) - int64(before.HeapAlloc)
	limit := int64(nameBytes+64*n) * 5 / 4
	t.Logf("%d messages, names %d bytes: %d bytes kept (%.1f a message), limit %d", n, nameBytes, kept, float64(kept)/n, limit)
	if kept > limit {
		t.Errorf("a folder of %d messages keeps %d heap bytes, over %d (names %d bytes + 64 a message, ×1.25)", n, kept, limit, nameBytes)
	}
	runtime.KeepAlive(f)
}

// TestReadMatchesReference: on a random folder with a uidlist that
// names some files, some twice over, and some files it does not know,
// Read gives each file the UID, flags, keywords and date the rules in
// doc.go give, computed here the plain way (a Message per file).
func TestReadMatchesReference(t *testing.T) {
	rnd := testseed.Rand(t)
	d := t.TempDir()
	kw := [26]string{"$Junk", "", "project"}
	write(t, filepath.Join(d, "dovecot-keywords"), "0 $Junk\n2 project\n")
	type file struct {
		sub, name, base string
		listed          uint32
	}
	var files []file
	var list strings.Builder
	list.WriteString("3 V42 N5 Gx\n")
	for i := range 300 {
		base := fmt.Sprintf("%d.M%d.host", 1700000000+rnd.IntN(1000), i)
		info := ""
		for range rnd.IntN(5) {
			info += string("SRFTDabcz"[rnd.IntN(9)])
		}
		name := base + ":2," + info
		sub := []string{"cur", "new"}[rnd.IntN(2)]
		fl := file{sub: sub, name: name, base: base}
		if rnd.IntN(3) > 0 {
			fl.listed = uint32(1 + rnd.IntN(400)) // collisions on purpose
			fmt.Fprintf(&list, "%d :%s\n", fl.listed, base)
		}
		files = append(files, fl)
		write(t, filepath.Join(d, sub, name), "x\n")
	}
	write(t, filepath.Join(d, "dovecot-uidlist"), list.String())
	// The reference: by basename, the first file with a listed UID keeps
	// it, the rest after the highest UID in use, by basename.
	slices.SortFunc(files, func(a, b file) int { return strings.Compare(a.base, b.base) })
	want := map[string]Message{}
	used := map[uint32]bool{}
	next, renumbered := uint32(5), 0
	var unlisted []file
	for _, fl := range files {
		if fl.listed != 0 && !used[fl.listed] {
			used[fl.listed] = true
			next = max(next, fl.listed+1)
			want[fl.name] = Message{UID: fl.listed}
			continue
		}
		if fl.listed != 0 {
			renumbered++
		}
		unlisted = append(unlisted, fl)
	}
	for _, fl := range unlisted {
		want[fl.name] = Message{UID: next}
		next++
	}
	f, err := Read(d)
	if err != nil {
		t.Fatal(err)
	}
	if f.UIDValidity != 42 || f.UIDNext != next || f.Renumbered != renumbered || f.Len() != len(files) {
		t.Fatalf("folder: validity %d next %d renumbered %d len %d; want 42 %d %d %d", f.UIDValidity, f.UIDNext, f.Renumbered, f.Len(), next, renumbered, len(files))
	}
	var prev uint32
	for _, m := range f.Messages() {
		name := filepath.Base(m.Path)
		sub := filepath.Base(filepath.Dir(m.Path))
		_, flags, kws := ParseName(name, &kw)
		if sub == "new" {
			flags &^= Seen
		}
		st, err := os.Stat(m.Path)
		if err != nil {
			t.Fatal(err)
		}
		if w := want[name]; m.UID != w.UID || m.UID <= prev || m.Flags != flags || !slices.Equal(m.Keywords, kws) || !m.Date.Equal(st.ModTime()) {
			t.Errorf("%s: %+v, want UID %d (after %d) flags %v keywords %q date %v", m.Path, m, w.UID, prev, flags, kws, st.ModTime())
		}
		prev = m.UID
	}
}

// TestEntrySize: the packed record is the 32 bytes doc.go promises.
func TestEntrySize(t *testing.T) {
	if s := unsafe.Sizeof(entry{}); s != 32 {
		t.Errorf("entry is %d bytes, doc.go says 32", s)
	}
}
