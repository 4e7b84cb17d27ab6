package twoskip

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"os"
)

// ErrCorrupt is wrapped by every error about the file's content.
var ErrCorrupt = errors.New("damaged twoskip file")

// Magic opens every twoskip file.
const Magic = "\xa1\x02\x8b\x0dtwoskip file\x00\x00\x00\x00"

const (
	headerSize = 64
	typeDummy  = '='
	typeRecord = '+'
	typeDelete = '-'
	typeCommit = '$'
	maxLevel   = 31
)

// Record is one live key and its value; both alias the file's bytes.
type Record struct {
	Key, Value []byte
}

// IsTwoskip reports whether data starts with the twoskip magic.
func IsTwoskip(data []byte) bool { return bytes.HasPrefix(data, []byte(Magic)) }

// ReadFile reads the file at path and returns its live records in file
// order (Cyrus's key order).
func ReadFile(path string) ([]Record, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("twoskip: %w", err)
	}
	recs, err := Parse(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return recs, nil
}

type rec struct {
	typ   byte
	level int
	next  [maxLevel + 2]uint64
	key   []byte
	value []byte
}

func corrupt(off uint64, format string, args ...any) error {
	return fmt.Errorf("%w: offset %d: %s", ErrCorrupt, off, fmt.Sprintf(format, args...))
}

// Parse returns the live records of a twoskip image.
func Parse(data []byte) ([]Record, error) {
	if len(data) < headerSize || !IsTwoskip(data) {
		return nil, corrupt(0, "not a twoskip file (magic)")
	}
	if v := binary.BigEndian.Uint32(data[20:]); v != 1 {
		return nil, corrupt(20, "version %d, only 1 is known", v)
	}
	if crc := binary.BigEndian.Uint32(data[60:]); crc != crc32.ChecksumIEEE(data[:60]) {
		return nil, corrupt(60, "header CRC mismatch")
	}
	end := binary.BigEndian.Uint64(data[48:])
	if end < headerSize || end > uint64(len(data)) {
		return nil, corrupt(48, "current size %d outside the file (%d bytes)", end, len(data))
	}
	img := data[:end]
	head, err := readRecord(img, headerSize)
	if err != nil {
		return nil, err
	}
	if head.typ != typeDummy {
		return nil, corrupt(headerSize, "first record is %q, not the dummy", head.typ)
	}
	var out []Record
	seen := map[uint64]bool{headerSize: true}
	cur := head
	for {
		off := levelZero(cur, end)
		if off == 0 {
			return out, nil
		}
		if seen[off] {
			return nil, corrupt(off, "loop: record reached twice")
		}
		seen[off] = true
		r, err := readRecord(img, off)
		if err != nil {
			return nil, err
		}
		switch r.typ {
		case typeRecord:
			out = append(out, Record{Key: r.key, Value: r.value})
		case typeDelete:
		default:
			return nil, corrupt(off, "record of type %q in the list", r.typ)
		}
		cur = r
	}
}

// levelZero is the live level-0 successor of r: a delete has one pointer;
// otherwise the larger of the two slots that lies within the committed
// size (Cyrus writes the new pointer in the older slot).
func levelZero(r *rec, end uint64) uint64 {
	if r.typ == typeDelete {
		return r.next[0]
	}
	a, b := r.next[0], r.next[1]
	if a >= end {
		a = 0
	}
	if b >= end {
		b = 0
	}
	return max(a, b)
}

func readRecord(img []byte, off uint64) (*rec, error) {
	size := uint64(len(img))
	if off%8 != 0 || off < headerSize || off+8 > size {
		return nil, corrupt(off, "record offset outside the committed file")
	}
	b := img[off:]
	r := &rec{typ: b[0], level: int(b[1])}
	keyLen := uint64(binary.BigEndian.Uint16(b[2:]))
	valLen := uint64(binary.BigEndian.Uint32(b[4:]))
	pos := uint64(8)
	if keyLen == 0xffff {
		if pos+8 > uint64(len(b)) {
			return nil, corrupt(off, "truncated key length")
		}
		keyLen = binary.BigEndian.Uint64(b[pos:])
		pos += 8
	}
	if valLen == 0xffffffff {
		if pos+8 > uint64(len(b)) {
			return nil, corrupt(off, "truncated value length")
		}
		valLen = binary.BigEndian.Uint64(b[pos:])
		pos += 8
	}
	switch r.typ {
	case typeDummy, typeRecord, typeDelete, typeCommit:
	default:
		return nil, corrupt(off, "unknown record type 0x%02x", r.typ)
	}
	if r.level > maxLevel {
		return nil, corrupt(off, "level %d over %d", r.level, maxLevel)
	}
	if r.typ != typeDelete && r.typ != typeCommit && r.level < 1 {
		return nil, corrupt(off, "level 0 record has no second level-0 pointer")
	}
	nptr := uint64(r.level + 1)
	if pos+nptr*8+8 > uint64(len(b)) {
		return nil, corrupt(off, "truncated pointers")
	}
	for i := range nptr {
		r.next[i] = binary.BigEndian.Uint64(b[pos:])
		pos += 8
	}
	if crc := binary.BigEndian.Uint32(b[pos:]); crc != crc32.ChecksumIEEE(b[:pos]) {
		return nil, corrupt(off, "record head CRC mismatch")
	}
	tailCRC := binary.BigEndian.Uint32(b[pos+4:])
	pos += 8
	if keyLen > uint64(len(b))-pos || valLen > uint64(len(b))-pos-keyLen {
		return nil, corrupt(off, "key and value run past the committed file")
	}
	padded := (keyLen + valLen + 7) &^ 7
	if padded > uint64(len(b))-pos {
		return nil, corrupt(off, "padding runs past the committed file")
	}
	if tailCRC != crc32.ChecksumIEEE(b[pos:pos+padded]) {
		return nil, corrupt(off, "record tail CRC mismatch")
	}
	r.key = b[pos : pos+keyLen : pos+keyLen]
	r.value = b[pos+keyLen : pos+keyLen+valLen : pos+keyLen+valLen]
	return r, nil
}
