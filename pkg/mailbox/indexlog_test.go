package mailbox

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
	"time"

	"gocyrus/internal/testseed"
)

// logEveryChange makes even one-message changes go through the log.
func logEveryChange(t *testing.T) {
	old := inPlaceSpan
	inPlaceSpan = 0
	t.Cleanup(func() { inPlaceSpan = old })
}

// TestSmallStoreInPlace: a change of a few records, with nothing logged,
// is written into the index (as cheap, and its fdatasync grows no file);
// with changes logged it is logged too (in place would need a fold).
func TestSmallStoreInPlace(t *testing.T) {
	m := newMailbox(t, Options{})
	appendN(t, m, 5)
	ctx := context.Background()
	if _, err := m.Store(ctx, StoreRequest{UIDs: []uint32{2}, Op: StoreAdd, Flags: FlagFlagged}); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(m.Dir(), indexLogFile)); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("a one-message change was logged: %v", err)
	}
	sameState(t, "in place", freshView(t, m.Dir()), mustSnapshot(t, m))
}

// storeRandom makes one random STORE on uids.
func storeRandom(t *testing.T, m *Mailbox, r *rand.Rand, uids []uint32) {
	t.Helper()
	var pick []uint32
	for _, u := range uids {
		if r.IntN(3) != 0 {
			pick = append(pick, u)
		}
	}
	kws := []string{"$Junk", "work", "later"}
	var kw []string
	for _, k := range kws {
		if r.IntN(3) == 0 {
			kw = append(kw, k)
		}
	}
	req := StoreRequest{UIDs: pick, Op: StoreOp(r.IntN(3)), Flags: Flags(r.IntN(int(systemFlagMask) + 1)), Keywords: kw}
	if r.IntN(4) == 0 {
		v := mustSnapshot(t, m)
		req.UnchangedSince = v.HighestModSeq - uint64(r.IntN(3))
	}
	if _, err := m.Store(context.Background(), req); err != nil {
		t.Fatal(err)
	}
}

// freshView opens dir as another process would: no decoded image shared.
func freshView(t *testing.T, dir string) *View {
	t.Helper()
	decodedIndexes.reset()
	m, err := Open(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	return mustSnapshot(t, m)
}

func sameState(t *testing.T, what string, got, want *View) {
	t.Helper()
	if got.HighestModSeq != want.HighestModSeq {
		t.Fatalf("%s: highest modseq %d, want %d", what, got.HighestModSeq, want.HighestModSeq)
	}
	if len(got.Records) != len(want.Records) {
		t.Fatalf("%s: %d records, want %d", what, len(got.Records), len(want.Records))
	}
	for i := range got.Records {
		if got.Records[i] != want.Records[i] {
			t.Fatalf("%s: record %d: %+v, want %+v", what, i, got.Records[i], want.Records[i])
		}
	}
}

// TestStoreWritesOnlyTheLog: a flag change leaves cyrus.index as it was
// (the change is one log entry) while every reader — the writer's own
// view, a session already open, a new process — sees the same records,
// modseqs and CHANGEDSINCE answers as after a write into the index.
func TestStoreWritesOnlyTheLog(t *testing.T) {
	logEveryChange(t)
	r := testseed.Rand(t)
	m := newMailbox(t, Options{})
	uids := appendN(t, m, 40)
	other, err := Open(m.Dir(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	mustSnapshot(t, other)
	before, err := os.ReadFile(filepath.Join(m.Dir(), indexFile))
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 30; i++ {
		storeRandom(t, m, r, uids)
		want := mustSnapshot(t, m)
		if i%2 == 0 {
			decodedIndexes.reset() // as in another process: decode and apply the log
		}
		sameState(t, "open session", mustSnapshot(t, other), want)
		fresh := freshView(t, m.Dir())
		sameState(t, "new process", fresh, want)
		since := want.HighestModSeq - uint64(r.IntN(20))
		if a, b := fresh.ChangesSince(since), want.ChangesSince(since); len(a.Updated) != len(b.Updated) {
			t.Fatalf("CHANGEDSINCE %d: %d updated, want %d", since, len(a.Updated), len(b.Updated))
		}
	}
	after, err := os.ReadFile(filepath.Join(m.Dir(), indexFile))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(before, after) {
		t.Fatal("a flag change rewrote cyrus.index")
	}
	if fi, err := os.Stat(filepath.Join(m.Dir(), indexLogFile)); err != nil || fi.Size() == 0 {
		t.Fatalf("no log: %v", err)
	}
	// Another writer folds the log: the index alone then says it all.
	want := mustSnapshot(t, m)
	appendN(t, m, 1)
	data, err := os.ReadFile(filepath.Join(m.Dir(), indexFile))
	if err != nil {
		t.Fatal(err)
	}
	_, recs, err := decodeIndex(data)
	if err != nil {
		t.Fatal(err)
	}
	for i, rec := range want.Records {
		if recs[i] != rec {
			t.Fatalf("folded record %d: %+v, want %+v", i, recs[i], rec)
		}
	}
	if fi, err := os.Stat(filepath.Join(m.Dir(), indexLogFile)); err != nil || fi.Size() != 0 {
		t.Fatalf("log not emptied by the fold: %v %v", fi, err)
	}
	sameState(t, "after fold", freshView(t, m.Dir()), mustSnapshot(t, m))
	if rep, err := Reconstruct(m.Dir(), ReconstructOptions{DryRun: true}); err != nil || rep.Changed() {
		t.Fatalf("reconstruct finds %v %v", rep.Changes, err)
	}
}

// TestIndexLogFull: when the log would outgrow its bound it is folded and
// started again, and nothing is lost on the way.
func TestIndexLogFull(t *testing.T) {
	logEveryChange(t)
	r := testseed.Rand(t)
	old := indexLogMax
	indexLogMax = 400
	defer func() { indexLogMax = old }()
	m := newMailbox(t, Options{})
	uids := appendN(t, m, 60)
	for i := 0; i < 40; i++ {
		storeRandom(t, m, r, uids)
		fi, err := os.Stat(filepath.Join(m.Dir(), indexLogFile))
		if err == nil && fi.Size() > indexLogMax {
			t.Fatalf("log of %d bytes", fi.Size())
		}
		sameState(t, "new process", freshView(t, m.Dir()), mustSnapshot(t, m))
	}
	// An entry larger than any log goes into the index.
	uids = append(uids, appendN(t, m, 1)...) // folds: the log is empty
	indexLogMax = 10
	if _, err := m.Store(context.Background(), StoreRequest{UIDs: uids, Op: StoreAdd, Flags: FlagAnswered | FlagDraft | FlagFlagged}); err != nil {
		t.Fatal(err)
	}
	sameState(t, "index write", freshView(t, m.Dir()), mustSnapshot(t, m))
}

// loggedMailbox makes a mailbox of n messages with some logged flag
// changes and returns it with the state they make.
func loggedMailbox(t *testing.T, n, stores int) (*Mailbox, *View) {
	t.Helper()
	r := testseed.Rand(t)
	m := newMailbox(t, Options{})
	uids := appendN(t, m, n)
	for i := 0; i < stores; i++ {
		storeRandom(t, m, r, uids)
	}
	// A random STORE may change nothing (and log nothing): one that
	// surely does, so the log exists whatever the seed.
	if _, err := m.Store(context.Background(), StoreRequest{UIDs: uids[:1], Op: StoreAdd, Keywords: []string{"$surely"}}); err != nil {
		t.Fatal(err)
	}
	return m, mustSnapshot(t, m)
}

// dirImage is every file's bytes, to show that a refused read changed
// nothing.
func dirImage(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		out[e.Name()] = string(b)
	}
	return out
}

// TestIndexLogTornTail: an append cut short (never acknowledged) is
// ignored by readers and cut away by the next writer; what came before
// stays.
func TestIndexLogTornTail(t *testing.T) {
	logEveryChange(t)
	m, _ := loggedMailbox(t, 20, 3)
	path := filepath.Join(m.Dir(), indexLogFile)
	good, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	want := freshView(t, m.Dir())
	// One more entry, then cut inside it at every length.
	if _, err := m.Store(context.Background(), StoreRequest{UIDs: []uint32{1, 2, 3}, Op: StoreAdd, Flags: FlagDeleted | FlagSeen | FlagFlagged}); err != nil {
		t.Fatal(err)
	}
	full, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for cut := len(good) + 1; cut < len(full); cut++ {
		if err := os.WriteFile(path, full[:cut], 0o600); err != nil {
			t.Fatal(err)
		}
		sameState(t, "torn", freshView(t, m.Dir()), want)
	}
	// Garbage after the last entry is a torn append too.
	if err := os.WriteFile(path, append(append([]byte(nil), good...), 0xff, 0xff, 0xff, 0xff, 1, 2, 3), 0o600); err != nil {
		t.Fatal(err)
	}
	sameState(t, "garbage tail", freshView(t, m.Dir()), want)
	// The next writer does not append after the torn bytes.
	m2, err := Open(m.Dir(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer m2.Close()
	if _, err := m2.Store(context.Background(), StoreRequest{UIDs: []uint32{5}, Op: StoreAdd, Flags: FlagDraft}); err != nil {
		t.Fatal(err)
	}
	sameState(t, "after torn", freshView(t, m.Dir()), mustSnapshot(t, m2))
	if rec, _ := mustSnapshot(t, m2).Lookup(5); rec.Flags&FlagDraft == 0 {
		t.Fatal("store after a torn log lost")
	}
}

// TestIndexLogDamaged: damage inside the log (a bad entry followed by
// more, a change to a UID the index lacks, a log over its bound) is
// ErrCorrupt for readers, who change nothing on disk; Reconstruct keeps
// the entries before the damage and removes the log.
func TestIndexLogDamaged(t *testing.T) {
	logEveryChange(t)
	cases := []struct {
		name   string
		damage func(t *testing.T, log []byte, firstEntryEnd int) []byte
		keeps  bool // the first entry survives reconstruct
	}{
		{"flipped byte in the second of three entries", func(t *testing.T, log []byte, end int) []byte {
			log[end+10] ^= 0x55
			return log
		}, true},
		{"over the bound", func(t *testing.T, log []byte, end int) []byte {
			return append(log, make([]byte, indexLogMax)...)
		}, false},
		{"unsupported version", func(t *testing.T, log []byte, end int) []byte {
			log[8] = 9
			copy(log[indexLogHeaderSize-4:], le32(crc32c(log[:indexLogHeaderSize-4])))
			return log
		}, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			m := newMailbox(t, Options{})
			appendN(t, m, 10)
			ctx := context.Background()
			path := filepath.Join(m.Dir(), indexLogFile)
			var ends []int
			for _, u := range []uint32{2, 4, 6} {
				if _, err := m.Store(ctx, StoreRequest{UIDs: []uint32{u}, Op: StoreAdd, Flags: FlagFlagged}); err != nil {
					t.Fatal(err)
				}
				fi, err := os.Stat(path)
				if err != nil {
					t.Fatal(err)
				}
				ends = append(ends, int(fi.Size()))
			}
			log, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path, tc.damage(t, log, ends[0]), 0o600); err != nil {
				t.Fatal(err)
			}
			before := dirImage(t, m.Dir())
			decodedIndexes.reset()
			m2, err := Open(m.Dir(), Options{})
			if err == nil {
				_, err = m2.Snapshot()
				m2.Close()
			}
			if !errors.Is(err, ErrCorrupt) {
				t.Fatalf("damaged log read: %v, want ErrCorrupt", err)
			}
			if after := dirImage(t, m.Dir()); len(after) != len(before) || after[indexLogFile] != before[indexLogFile] || after[indexFile] != before[indexFile] {
				t.Fatal("a reader changed the mailbox's files")
			}
			rep, err := Reconstruct(m.Dir(), ReconstructOptions{})
			if err != nil || !rep.Changed() {
				t.Fatalf("reconstruct: %v %v", rep, err)
			}
			if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
				t.Fatalf("log left after reconstruct: %v", err)
			}
			v := freshView(t, m.Dir())
			r2, _ := v.Lookup(2)
			if got := r2.Flags&FlagFlagged != 0; got != tc.keeps {
				t.Fatalf("uid 2 flagged %v after reconstruct, want %v", got, tc.keeps)
			}
		})
	}
}

// TestIndexLogUnknownUID: an entry whose checksum holds but names a UID
// the index does not hold live is damage, not applied to another message.
func TestIndexLogUnknownUID(t *testing.T) {
	logEveryChange(t)
	m := newMailbox(t, Options{})
	appendN(t, m, 3)
	base, err := os.ReadFile(filepath.Join(m.Dir(), indexFile))
	if err != nil {
		t.Fatal(err)
	}
	hdr, _ := decodeIndexHeader(base)
	e := &logEntry{highestModSeq: hdr.HighestModSeq + 1, generation: hdr.Generation + 1, lastChanged: time.Now().UnixNano(),
		changes: []logChange{{uid: 7, flags: FlagSeen, modseq: hdr.HighestModSeq + 1}}}
	log := append(encodeIndexLogHeader(base[:indexHeaderSize]), encodeLogEntry(e, hdr.HighestModSeq)...)
	if err := os.WriteFile(filepath.Join(m.Dir(), indexLogFile), log, 0o600); err != nil {
		t.Fatal(err)
	}
	decodedIndexes.reset()
	m2, err := Open(m.Dir(), Options{})
	if err == nil {
		_, err = m2.Snapshot()
		m2.Close()
	}
	if !errors.Is(err, ErrCorrupt) {
		t.Fatalf("got %v, want ErrCorrupt", err)
	}
}

// TestIndexLogStaleIgnored: a log whose index was folded or rebuilt since
// (its base header differs) is ignored, and Reconstruct removes it.
func TestIndexLogStaleIgnored(t *testing.T) {
	logEveryChange(t)
	m, _ := loggedMailbox(t, 10, 3)
	path := filepath.Join(m.Dir(), indexLogFile)
	stale, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	appendN(t, m, 1) // folds
	want := mustSnapshot(t, m)
	if err := os.WriteFile(path, stale, 0o600); err != nil {
		t.Fatal(err)
	}
	sameState(t, "stale log", freshView(t, m.Dir()), want)
	if rep, err := Reconstruct(m.Dir(), ReconstructOptions{}); err != nil || rep.Changed() {
		t.Fatalf("reconstruct: %v %v", rep, err)
	}
	if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("stale log left: %v", err)
	}
	sameState(t, "after reconstruct", freshView(t, m.Dir()), want)
}

func le32(v uint32) []byte { return binary.LittleEndian.AppendUint32(nil, v) }

func crc32c(b []byte) uint32 { return crc32.Checksum(b, crcTable) }

func FuzzParseIndexLog(f *testing.F) {
	base := encodeIndexHeader(&indexHeader{UIDValidity: 1, UIDNext: 10, NumRecords: 0, HighestModSeq: 5, Generation: 3})
	e := &logEntry{highestModSeq: 8, generation: 4, changes: []logChange{
		{uid: 1, flags: FlagSeen, modseq: 6}, {uid: 2, modseq: 7, keywords: KeywordSet{1, 0}}, {uid: 9, flags: FlagDraft, modseq: 8}}}
	good := append(encodeIndexLogHeader(base), encodeLogEntry(e, 5)...)
	f.Add(good)
	f.Add(good[:len(good)-3])
	f.Add(encodeIndexLogHeader(base))
	f.Add([]byte("gcyrusIL"))
	f.Fuzz(func(t *testing.T, data []byte) {
		l, err := parseIndexLog(data, func(e *logEntry) error {
			for i := 1; i < len(e.changes); i++ {
				if e.changes[i].uid <= e.changes[i-1].uid || e.changes[i].modseq <= e.changes[i-1].modseq {
					t.Fatal("changes out of order")
				}
			}
			return nil
		})
		if err != nil {
			if !errors.Is(err, ErrCorrupt) {
				t.Fatalf("error %v is not ErrCorrupt", err)
			}
			return
		}
		if l.valid > int64(len(data)) {
			t.Fatalf("valid %d past %d bytes", l.valid, len(data))
		}
	})
}

// TestIndexLogPartialFold: a fold interrupted by a power loss may leave
// any mix of old and new records under the old header (one fdatasync
// covers the records, the header is written after it). The log, which
// still applies, gives every reader the logged state from any such mix.
func TestIndexLogPartialFold(t *testing.T) {
	logEveryChange(t)
	m, want := loggedMailbox(t, 30, 6)
	dir := m.Dir()
	read := func(name string) []byte {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	oldIndex, log := read(indexFile), read(indexLogFile)
	_, unlock, err := m.shared.lockWriter() // folds
	if err != nil {
		t.Fatal(err)
	}
	unlock()
	newIndex := read(indexFile)
	if bytes.Equal(oldIndex, newIndex) {
		t.Fatal("nothing folded")
	}
	n := (len(oldIndex) - indexHeaderSize) / indexRecordSize
	for cut := 0; cut <= n; cut++ {
		for _, newFirst := range []bool{true, false} {
			mix := append([]byte(nil), oldIndex...)
			for i := 0; i < n; i++ {
				if (i < cut) == newFirst {
					off := indexHeaderSize + i*indexRecordSize
					copy(mix[off:off+indexRecordSize], newIndex[off:])
				}
			}
			if err := os.WriteFile(filepath.Join(dir, indexFile), mix, 0o600); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(dir, indexLogFile), log, 0o600); err != nil {
				t.Fatal(err)
			}
			sameState(t, fmt.Sprintf("cut %d new first %v", cut, newFirst), freshView(t, dir), want)
		}
	}
}

// TestFoldKeepsDecodedImage: folding the log changes the index file but
// not what it says, so no handle of the process decodes it again.
func TestFoldKeepsDecodedImage(t *testing.T) {
	logEveryChange(t)
	m, _ := loggedMailbox(t, 10, 2)
	mustSnapshot(t, m)
	_, unlock, err := m.shared.lockWriter() // folds, writes nothing else
	if err != nil {
		t.Fatal(err)
	}
	unlock()
	decodes := 0
	decodeFault = func(int) { decodes++ }
	defer func() { decodeFault = nil }()
	m2, err := Open(m.Dir(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer m2.Close()
	mustSnapshot(t, m2)
	if decodes != 0 {
		t.Fatalf("the index was decoded %d times after a fold", decodes)
	}
}
