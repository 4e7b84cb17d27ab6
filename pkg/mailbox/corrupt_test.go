package mailbox

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"gocyrus/pkg/panics"
)

// flipByte inverts one byte of a file.
func flipByte(t *testing.T, path string, off int64) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if off < 0 {
		off += int64(len(data))
	}
	data[off] ^= 0x5a
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
}

func TestCorruptionDetected(t *testing.T) {
	tests := []struct {
		name string
		file string
		off  int64
		want string
	}{
		{"index header", indexFile, 25, "header checksum"},
		{"index record", indexFile, indexHeaderSize + indexRecordSize + 10, "record 1"},
		{"index record crc", indexFile, indexHeaderSize + 2*indexRecordSize - 1, "record 1"},
		{"header file", headerFile, 30, "cyrus.header"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := newMailbox(t, Options{})
			appendN(t, m, 3)
			m.Close()
			flipByte(t, filepath.Join(m.Dir(), tc.file), tc.off)
			_, err := Open(m.Dir(), Options{})
			if !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("open: %v", err)
			}
			if _, err := Reconstruct(m.Dir(), ReconstructOptions{Name: "user.fred",
				NewUIDValidity: func() (uint32, error) { return 43, nil }}); err != nil {
				t.Fatal(err)
			}
			m2, err := Open(m.Dir(), Options{})
			if err != nil {
				t.Fatalf("after reconstruct: %v", err)
			}
			defer m2.Close()
			if n := mustSnapshot(t, m2).Exists(); n != 3 {
				t.Errorf("exists %d after reconstruct", n)
			}
		})
	}
}

func TestCorruptCacheServesMessageFile(t *testing.T) {
	m := newMailbox(t, Options{})
	appendN(t, m, 3)
	v := mustSnapshot(t, m)
	r := v.Records[1]
	flipByte(t, filepath.Join(m.Dir(), cacheFile), int64(r.cacheOffset)+20)
	c, err := v.Cached(r)
	if err != nil || c.Envelope.Subject != "msg 1" {
		t.Fatalf("cached after damage: %+v %v", c, err)
	}
	var subjects []string
	if err := v.ForEachCached(v.Records, func(_ Record, c *Cached) error {
		subjects = append(subjects, c.Envelope.Subject)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if strings.Join(subjects, ",") != "msg 0,msg 1,msg 2" {
		t.Errorf("subjects %v", subjects)
	}
	// With the message file gone as well: an error, not wrong data.
	os.Remove(m.MessagePath(r.UID))
	if _, err := v.Cached(r); !errors.Is(err, ErrCorrupt) {
		t.Errorf("want ErrCorrupt, got %v", err)
	}
	rep, err := Reconstruct(m.Dir(), ReconstructOptions{})
	if err != nil || len(rep.Dropped) != 1 {
		t.Fatalf("reconstruct %+v %v", rep, err)
	}
}

// A large index is decoded in parts, one per core: records out of order
// where two parts meet are caught as surely as anywhere else.
func TestParallelDecodeChecksSeams(t *testing.T) {
	m := newMailbox(t, Options{})
	dir := m.Dir()
	m.Close()
	const n = 4 * parallelDecodeMin
	for _, seamBroken := range []bool{false, true} {
		hdr := indexHeader{UIDValidity: 42, UIDNext: n + 10, NumRecords: n, Exists: n, HighestModSeq: n}
		index := make([]byte, indexHeaderSize, indexHeaderSize+n*indexRecordSize)
		for i := 0; i < n; i++ {
			uid := uint32(i + 1)
			if seamBroken && i == n/2 {
				uid = uint32(i) // equal to the previous record's UID
			}
			r := Record{UID: uid, ModSeq: uint64(i + 1), Size: 10}
			var b [indexRecordSize]byte
			encodeRecord(b[:], &r)
			index = append(index, b[:]...)
			hdr.QuotaUsed += 10
		}
		copy(index, encodeIndexHeader(&hdr))
		if err := os.WriteFile(filepath.Join(dir, indexFile), index, 0o600); err != nil {
			t.Fatal(err)
		}
		decodedIndexes.reset()
		m, err := Open(dir, Options{})
		if err == nil {
			var v *View
			if v, err = m.Snapshot(); err == nil && v.Exists() != n {
				t.Fatalf("decoded %d records of %d", v.Exists(), n)
			}
			m.Close()
		}
		if seamBroken != (err != nil) {
			t.Errorf("seam broken %v: open/snapshot error %v", seamBroken, err)
		}
		if seamBroken && err != nil && !strings.Contains(err.Error(), fmt.Sprintf("record %d: uid %d out of order", n/2, n/2)) {
			t.Errorf("error does not name the record: %v", err)
		}
	}
}

// Record must stay free of pointers: the garbage collector then never
// scans a decoded index, however large (see Record's doc).
func TestRecordHoldsNoPointers(t *testing.T) {
	var check func(reflect.Type, string)
	check = func(ty reflect.Type, path string) {
		switch ty.Kind() {
		case reflect.Struct:
			for i := 0; i < ty.NumField(); i++ {
				check(ty.Field(i).Type, path+"."+ty.Field(i).Name)
			}
		case reflect.Array:
			check(ty.Elem(), path+"[]")
		case reflect.Pointer, reflect.Slice, reflect.Map, reflect.String, reflect.Interface, reflect.Chan, reflect.Func, reflect.UnsafePointer:
			t.Errorf("%s is a %s: Record must hold no pointers", path, ty.Kind())
		}
	}
	check(reflect.TypeOf(Record{}), "Record")
}

// A panic in one of the goroutines decoding a large index is raised again
// in the goroutine that asked for the records (the session, whose
// recovery ends it alone) instead of ending the process.
func TestParallelDecodePanicReachesCaller(t *testing.T) {
	m := newMailbox(t, Options{})
	dir := m.Dir()
	m.Close()
	const n = 2 * parallelDecodeMin
	hdr := indexHeader{UIDValidity: 42, UIDNext: n + 1, NumRecords: n, Exists: n, HighestModSeq: n}
	index := make([]byte, indexHeaderSize, indexHeaderSize+n*indexRecordSize)
	for i := 0; i < n; i++ {
		r := Record{UID: uint32(i + 1), ModSeq: uint64(i + 1), Size: 10}
		var b [indexRecordSize]byte
		encodeRecord(b[:], &r)
		index = append(index, b[:]...)
		hdr.QuotaUsed += 10
	}
	copy(index, encodeIndexHeader(&hdr))
	if err := os.WriteFile(filepath.Join(dir, indexFile), index, 0o600); err != nil {
		t.Fatal(err)
	}
	decodedIndexes.reset()
	decodeFault = func(start int) {
		if start > 0 {
			var m map[string]int
			m["x"]++
		}
	}
	defer func() { decodeFault = nil }()

	var v any
	func() {
		defer func() { v = recover() }()
		m, err := Open(dir, Options{})
		if err != nil {
			t.Fatalf("open: %v", err)
		}
		defer m.Close()
		m.Snapshot()
	}()
	e, ok := v.(*panics.Error)
	if !ok {
		t.Fatalf("recovered %T %v in the caller, want *panics.Error", v, v)
	}
	if !strings.Contains(e.Error(), "assignment to entry in nil map") {
		t.Fatalf("panic value: %v", e)
	}
	// The mailbox is usable again once the fault is gone: no lock was left held.
	decodeFault = nil
	decodedIndexes.reset()
	m2, err := Open(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer m2.Close()
	if v, err := m2.Snapshot(); err != nil || v.Exists() != n {
		t.Fatalf("after the fault: %v", err)
	}
}
