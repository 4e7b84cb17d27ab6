package cyrusindex

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"os"
	"path/filepath"
	"strings"
	"time"
)

var (
	// ErrCorrupt is wrapped by every error about a damaged file.
	ErrCorrupt = errors.New("damaged Cyrus mailbox file")
	// ErrUnsupported is wrapped when a file is of a version not read yet.
	ErrUnsupported = errors.New("unsupported Cyrus mailbox file version")
)

// headerMagic opens both forms of cyrus.header.
const headerMagic = "\xa1\x02\x8b\x0dCyrus mailbox header\n"

// Header is what cyrus.header says of a mailbox.
type Header struct {
	Name      string // internal name (3.6+ form only)
	UniqueID  string
	QuotaRoot string
	ACL       [][2]string // identifier, rights, in file order
	UserFlags []string    // bit i of a record's user flags is UserFlags[i]
}

// ReadHeader reads dir/cyrus.header.
func ReadHeader(dir string) (*Header, error) {
	path := filepath.Join(dir, "cyrus.header")
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("cyrusindex: %w", err)
	}
	h, err := ParseHeader(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return h, nil
}

// ParseHeader parses a cyrus.header image.
func ParseHeader(data []byte) (*Header, error) {
	if !bytes.HasPrefix(data, []byte(headerMagic)) {
		return nil, fmt.Errorf("%w: not a cyrus.header (magic)", ErrCorrupt)
	}
	// Two quote lines follow the magic line.
	lines := strings.SplitN(string(data), "\n", 7)
	if len(lines) < 4 {
		return nil, fmt.Errorf("%w: truncated header", ErrCorrupt)
	}
	if strings.HasPrefix(lines[3], "%(") {
		d, _, err := ParseDList([]byte(lines[3]))
		if err != nil {
			return nil, err
		}
		if !d.IsKV {
			return nil, fmt.Errorf("%w: header dlist is not a key-value list", ErrCorrupt)
		}
		h := &Header{Name: d.Str("N"), UniqueID: d.Str("I"), QuotaRoot: d.Str("Q")}
		if a, ok := d.Get("A"); ok {
			for i, id := range a.Keys {
				h.ACL = append(h.ACL, [2]string{id, a.Items[i].Atom})
			}
		}
		if u, ok := d.Get("U"); ok {
			for _, f := range u.Items {
				h.UserFlags = append(h.UserFlags, f.Atom)
			}
		}
		if h.UniqueID == "" {
			return nil, fmt.Errorf("%w: header names no uniqueid", ErrCorrupt)
		}
		return h, nil
	}
	// The older form: "quotaroot\tuniqueid", the user flags, the ACL.
	if len(lines) < 6 {
		return nil, fmt.Errorf("%w: truncated header", ErrCorrupt)
	}
	h := &Header{}
	h.QuotaRoot, h.UniqueID, _ = strings.Cut(lines[3], "\t")
	h.UserFlags = strings.Fields(lines[4])
	f := strings.Split(strings.TrimSuffix(lines[5], "\t"), "\t")
	for i := 0; i+1 < len(f); i += 2 {
		h.ACL = append(h.ACL, [2]string{f[i], f[i+1]})
	}
	return h, nil
}

// System flag bits of an index record.
const (
	FlagAnswered = 1 << 0
	FlagFlagged  = 1 << 1
	FlagDeleted  = 1 << 2
	FlagDraft    = 1 << 3
	FlagSeen     = 1 << 4
	FlagUnlinked = 1 << 30
	FlagExpunged = 1 << 31
)

// Index is a decoded cyrus.index.
type Index struct {
	Version       uint32
	LastUID       uint32 // UIDNEXT is LastUID+1
	UIDValidity   uint32
	HighestModSeq uint64
	DeletedModSeq uint64
	Exists        uint32
	Records       []Record
}

// Record is one message of an index (an expunged one has FlagExpunged).
type Record struct {
	UID          uint32
	InternalDate time.Time
	SentDate     time.Time
	SaveDate     time.Time
	Size         uint32
	HeaderSize   uint32
	SystemFlags  uint32
	UserFlags    [4]uint32
	GUID         [20]byte
	ModSeq       uint64
}

// HasUserFlag reports whether bit i of the user flags is set.
func (r Record) HasUserFlag(i int) bool {
	return i >= 0 && i < 128 && r.UserFlags[i/32]&(1<<(i%32)) != 0
}

// ReadIndex reads dir/cyrus.index.
func ReadIndex(dir string) (*Index, error) {
	path := filepath.Join(dir, "cyrus.index")
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("cyrusindex: %w", err)
	}
	x, err := ParseIndex(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return x, nil
}

// layout is what differs between the index versions read: the header
// and record sizes and whether a record keeps its save date (@52; before
// version 15 that word is the content line count). Every other field
// read sits at the same offset in versions 12 to 17, and each CRC is the
// last word of its header or record.
type layout struct {
	header, record uint32
	saveDate       bool
}

// layouts are the versions read, from Cyrus::IndexFile's tables and
// checked against indexes the real Cyrus 3.6.1 wrote (reconstruct -V).
var layouts = map[uint32]layout{
	12: {header: 128, record: 96},  // Cyrus 2.4
	13: {header: 128, record: 104}, // 3.0 development: a conversation id
	14: {header: 160, record: 104}, // 3.0: the unseen count
	15: {header: 160, record: 104, saveDate: true},
	16: {header: 160, record: 112, saveDate: true}, // created modseqs
	17: {header: 160, record: 112, saveDate: true}, // 3.2 to 3.6
}

// ParseIndex decodes a cyrus.index image.
func ParseIndex(data []byte) (*Index, error) {
	be := binary.BigEndian
	if len(data) < 20 {
		return nil, fmt.Errorf("%w: index of %d bytes", ErrCorrupt, len(data))
	}
	x := &Index{Version: be.Uint32(data[8:])}
	lay, ok := layouts[x.Version]
	if !ok {
		return nil, fmt.Errorf("%w: cyrus.index version %d (read: 12 to 17)", ErrUnsupported, x.Version)
	}
	start, recSize := be.Uint32(data[12:]), be.Uint32(data[16:])
	if start != lay.header || recSize != lay.record || len(data) < int(lay.header) {
		return nil, fmt.Errorf("%w: version %d index with header %d and record %d bytes", ErrCorrupt, x.Version, start, recSize)
	}
	hcrc := lay.header - 4
	if crc := be.Uint32(data[hcrc:]); crc != crc32.ChecksumIEEE(data[:hcrc]) {
		return nil, fmt.Errorf("%w: index header CRC mismatch", ErrCorrupt)
	}
	n := be.Uint32(data[20:])
	if uint64(n) > uint64(len(data)-int(lay.header))/uint64(lay.record) {
		return nil, fmt.Errorf("%w: %d records do not fit in %d bytes", ErrCorrupt, n, len(data))
	}
	x.LastUID = be.Uint32(data[28:])
	x.UIDValidity = be.Uint32(data[44:])
	x.HighestModSeq = be.Uint64(data[68:])
	x.DeletedModSeq = be.Uint64(data[76:])
	x.Exists = be.Uint32(data[84:])
	x.Records = make([]Record, 0, n)
	var prev uint32
	for i := range n {
		b := data[int(lay.header)+int(i)*int(lay.record):][:lay.record]
		rcrc := lay.record - 4
		if crc := be.Uint32(b[rcrc:]); crc != crc32.ChecksumIEEE(b[:rcrc]) {
			return nil, fmt.Errorf("%w: record %d CRC mismatch", ErrCorrupt, i)
		}
		r := Record{
			UID:          be.Uint32(b[0:]),
			InternalDate: time.Unix(int64(be.Uint32(b[4:])), 0).UTC(),
			SentDate:     time.Unix(int64(be.Uint32(b[8:])), 0).UTC(),
			Size:         be.Uint32(b[12:]),
			HeaderSize:   be.Uint32(b[16:]),
			SystemFlags:  be.Uint32(b[32:]),
			ModSeq:       be.Uint64(b[80:]),
		}
		if lay.saveDate {
			r.SaveDate = time.Unix(int64(be.Uint32(b[52:])), 0).UTC()
		}
		for w := range 4 {
			r.UserFlags[w] = be.Uint32(b[36+4*w:])
		}
		copy(r.GUID[:], b[60:80])
		if r.UID <= prev || r.UID > x.LastUID {
			return nil, fmt.Errorf("%w: record %d has UID %d (previous %d, last %d)", ErrCorrupt, i, r.UID, prev, x.LastUID)
		}
		prev = r.UID
		x.Records = append(x.Records, r)
	}
	return x, nil
}
