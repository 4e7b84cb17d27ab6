package twoskip

import (
	"encoding/binary"
	"errors"
	"hash/crc32"
	"os"
	"path/filepath"
	"testing"
)

// build writes a minimal twoskip image: the dummy and the given records
// linked at level 0 in order (slot 0), each of level 1. next, when set,
// overrides record i's successor (to make loops).
func build(kvs [][2]string, next map[int]uint64) []byte {
	img := make([]byte, headerSize)
	copy(img, Magic)
	binary.BigEndian.PutUint32(img[20:], 1)
	offs := make([]uint64, len(kvs)+1)
	size := uint64(headerSize)
	recSize := func(k, v string) uint64 { return 8 + 2*8 + 8 + (uint64(len(k)+len(v))+7)&^7 }
	offs[0] = size
	size += recSize("", "")
	for i, kv := range kvs {
		offs[i+1] = size
		size += recSize(kv[0], kv[1])
	}
	put := func(typ byte, k, v string, succ uint64) {
		r := []byte{typ, 1, 0, 0, 0, 0, 0, 0}
		binary.BigEndian.PutUint16(r[2:], uint16(len(k)))
		binary.BigEndian.PutUint32(r[4:], uint32(len(v)))
		r = binary.BigEndian.AppendUint64(r, succ)
		r = binary.BigEndian.AppendUint64(r, 0)
		r = binary.BigEndian.AppendUint32(r, crc32.ChecksumIEEE(r))
		tail := make([]byte, (len(k)+len(v)+7)&^7)
		copy(tail, k+v)
		r = binary.BigEndian.AppendUint32(r, crc32.ChecksumIEEE(tail))
		img = append(append(img, r...), tail...)
	}
	succ := func(i int) uint64 {
		if n, ok := next[i]; ok {
			return n
		}
		if i+1 < len(offs) {
			return offs[i+1]
		}
		return 0
	}
	put(typeDummy, "", "", succ(0))
	for i, kv := range kvs {
		put(typeRecord, kv[0], kv[1], succ(i+1))
	}
	binary.BigEndian.PutUint64(img[32:], uint64(len(kvs)))
	binary.BigEndian.PutUint64(img[48:], uint64(len(img)))
	binary.BigEndian.PutUint32(img[60:], crc32.ChecksumIEEE(img[:60]))
	return img
}

func TestBuiltFileReadsBack(t *testing.T) {
	recs, err := Parse(build([][2]string{{"a", "1"}, {"bb", "22"}, {"ccc", ""}}, nil))
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 3 || string(recs[1].Key) != "bb" || string(recs[1].Value) != "22" {
		t.Fatalf("got %q", recs)
	}
}

func TestHostile(t *testing.T) {
	good := build([][2]string{{"a", "1"}, {"bb", "22"}}, nil)
	flip := func(off int) []byte {
		b := append([]byte(nil), good...)
		b[off] ^= 0x40
		return b
	}
	trunc := append([]byte(nil), good[:len(good)-4]...)
	cases := map[string][]byte{
		"empty":             nil,
		"not twoskip":       []byte("flat\tfile\n"),
		"header crc":        flip(40),
		"truncated":         trunc,
		"record head crc":   flip(headerSize + 8),
		"record tail crc":   flip(len(good) - 1),
		"loop to itself":    build([][2]string{{"a", "1"}}, map[int]uint64{1: headerSize + 32}),
		"loop to the head":  build([][2]string{{"a", "1"}}, map[int]uint64{1: headerSize}),
		"pointer unaligned": build([][2]string{{"a", "1"}}, map[int]uint64{0: headerSize + 3}),
	}
	for name, data := range cases {
		if _, err := Parse(data); !errors.Is(err, ErrCorrupt) {
			t.Errorf("%s: err %v, want ErrCorrupt", name, err)
		}
	}
}

// A pointer past the committed size is an unfinished transaction: the
// list ends there instead of failing.
func TestIgnoresUncommittedTail(t *testing.T) {
	recs, err := Parse(build([][2]string{{"a", "1"}}, map[int]uint64{1: 1 << 40}))
	if err != nil || len(recs) != 1 {
		t.Fatalf("got %q, %v", recs, err)
	}
}

// Every prefix and every single-byte change of a real Cyrus file either
// parses or fails with ErrCorrupt, never panics.
func TestEveryDamageOfARealFile(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(tree, "conf", "mailboxes.db"))
	if err != nil {
		t.Fatal(err)
	}
	for n := range len(data) {
		if _, err := Parse(data[:n]); err != nil && !errors.Is(err, ErrCorrupt) {
			t.Fatalf("prefix %d: %v", n, err)
		}
	}
	for i := range data {
		b := append([]byte(nil), data...)
		b[i] ^= 0xff
		if _, err := Parse(b); err != nil && !errors.Is(err, ErrCorrupt) {
			t.Fatalf("byte %d: %v", i, err)
		}
	}
}

func FuzzParse(f *testing.F) {
	f.Add(build([][2]string{{"a", "1"}, {"bb", "22"}}, nil))
	f.Add(build([][2]string{{"a", "1"}}, map[int]uint64{1: headerSize}))
	if data, err := os.ReadFile(filepath.Join(tree, "conf", "mailboxes.db")); err == nil {
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		recs, err := Parse(data)
		if err != nil && !errors.Is(err, ErrCorrupt) {
			t.Fatalf("error not ErrCorrupt: %v", err)
		}
		for _, r := range recs {
			if len(r.Key)+len(r.Value) > len(data) {
				t.Fatal("record larger than the file")
			}
		}
	})
}
