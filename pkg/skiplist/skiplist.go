package skiplist

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"sort"
)

// ErrCorrupt is wrapped by every error about the file's content.
var ErrCorrupt = errors.New("damaged skiplist file")

// Magic opens every skiplist file.
const Magic = "\xa1\x02\x8b\x0dskiplist file\x00\x00\x00"

const (
	headerSize = 48
	// maxLevel bounds the pointers of a record; Cyrus uses 20.
	maxLevel = 32

	typeInorder = 1
	typeAdd     = 2
	typeDelete  = 4
	typeCommit  = 255
	typeDummy   = 257
	endPointers = 0xffffffff
)

// Record is one live key and its value; both alias the file's bytes.
type Record struct {
	Key, Value []byte
}

// IsSkiplist reports whether data starts with the skiplist magic.
func IsSkiplist(data []byte) bool { return bytes.HasPrefix(data, []byte(Magic)) }

// ReadFile reads the file at path and returns its live records in key
// order (bytewise).
func ReadFile(path string) ([]Record, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("skiplist: %w", err)
	}
	recs, err := Parse(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return recs, nil
}

func corrupt(off uint64, format string, args ...any) error {
	return fmt.Errorf("%w: offset %d: %s", ErrCorrupt, off, fmt.Sprintf(format, args...))
}

// entry is a record as read: its type, key and value.
type entry struct {
	typ        uint32
	key, value []byte
	target     uint64 // of a DELETE
}

// Parse returns the live records of a skiplist image.
func Parse(data []byte) ([]Record, error) {
	if len(data) < headerSize || !IsSkiplist(data) {
		return nil, corrupt(0, "not a skiplist file (magic)")
	}
	be := binary.BigEndian
	if v := be.Uint32(data[20:]); v != 1 {
		return nil, corrupt(20, "version %d, only 1 is known", v)
	}
	levels := be.Uint32(data[28:])
	if levels < 1 || levels > maxLevel {
		return nil, corrupt(28, "maximum level %d outside 1..%d", levels, maxLevel)
	}
	logStart := uint64(be.Uint32(data[40:]))
	if logStart < headerSize || logStart > uint64(len(data)) {
		return nil, corrupt(40, "log start %d outside the file (%d bytes)", logStart, len(data))
	}
	size := uint64(len(data))
	live := map[string][]byte{}
	// byOffset finds the key a DELETE names.
	byOffset := map[uint64][]byte{}
	var pending []entry
	var pendingOff []uint64
	off := uint64(headerSize)
	first := true
	for off < size {
		e, next, err := readEntry(data, off, int(levels))
		if err != nil {
			// In the log, a record cut short at the end or anything
			// after an uncommitted record is an unfinished
			// transaction: Cyrus's recovery drops it, so does this.
			if off >= logStart && (len(pending) > 0 || errors.Is(err, errTruncated)) {
				break
			}
			return nil, err
		}
		switch {
		case first:
			if e.typ != typeDummy {
				return nil, corrupt(off, "first record is of type %d, not the dummy", e.typ)
			}
			first = false
		case e.typ == typeDummy:
			return nil, corrupt(off, "a second dummy record")
		case off < logStart:
			if e.typ != typeInorder {
				return nil, corrupt(off, "record of type %d before the log start", e.typ)
			}
			live[string(e.key)] = e.value
			byOffset[off] = e.key
		case e.typ == typeInorder:
			return nil, corrupt(off, "checkpointed record inside the log")
		case e.typ == typeCommit:
			for i, p := range pending {
				if err := apply(live, byOffset, p, pendingOff[i]); err != nil {
					return nil, err
				}
			}
			pending, pendingOff = pending[:0], pendingOff[:0]
		default:
			pending = append(pending, e)
			pendingOff = append(pendingOff, off)
		}
		off = next
	}
	if first {
		return nil, corrupt(headerSize, "no dummy record")
	}
	out := make([]Record, 0, len(live))
	for k, v := range live {
		out = append(out, Record{Key: []byte(k), Value: v})
	}
	sort.Slice(out, func(i, j int) bool { return bytes.Compare(out[i].Key, out[j].Key) < 0 })
	return out, nil
}

func apply(live map[string][]byte, byOffset map[uint64][]byte, e entry, off uint64) error {
	switch e.typ {
	case typeAdd:
		live[string(e.key)] = e.value
		byOffset[off] = e.key
	case typeDelete:
		key, ok := byOffset[e.target]
		if !ok {
			return corrupt(off, "delete of offset %d, which holds no record", e.target)
		}
		delete(live, string(key))
		delete(byOffset, e.target)
	}
	return nil
}

var errTruncated = errors.New("truncated")

// readEntry reads the record at off and returns it and the offset of the
// next one.
func readEntry(data []byte, off uint64, levels int) (entry, uint64, error) {
	be := binary.BigEndian
	size := uint64(len(data))
	u32 := func(at uint64) (uint32, error) {
		if at+4 > size {
			return 0, fmt.Errorf("%w: %w: record at %d runs past the end", ErrCorrupt, errTruncated, off)
		}
		return be.Uint32(data[at:]), nil
	}
	typ, err := u32(off)
	if err != nil {
		return entry{}, 0, err
	}
	e := entry{typ: typ}
	pos := off + 4
	switch typ {
	case typeCommit:
		return e, pos, nil
	case typeDelete:
		t, err := u32(pos)
		if err != nil {
			return entry{}, 0, err
		}
		e.target = uint64(t)
		return e, pos + 4, nil
	case typeDummy, typeInorder, typeAdd:
	default:
		return entry{}, 0, corrupt(off, "unknown record type %d", typ)
	}
	var field [2][]byte
	for i := range field {
		n, err := u32(pos)
		if err != nil {
			return entry{}, 0, err
		}
		pos += 4
		padded := (uint64(n) + 3) &^ 3
		if padded > size-pos {
			return entry{}, 0, fmt.Errorf("%w: %w: offset %d: length %d runs past the end", ErrCorrupt, errTruncated, off, n)
		}
		field[i] = data[pos : pos+uint64(n) : pos+uint64(n)]
		pos += padded
	}
	e.key, e.value = field[0], field[1]
	for l := 0; ; l++ {
		p, err := u32(pos)
		if err != nil {
			return entry{}, 0, err
		}
		pos += 4
		if p == endPointers {
			if l == 0 {
				return entry{}, 0, corrupt(off, "record with no pointer")
			}
			break
		}
		if l >= levels {
			return entry{}, 0, corrupt(off, "more than %d pointers", levels)
		}
	}
	return e, pos, nil
}
