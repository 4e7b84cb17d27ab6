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
	Size         uint64 // a u32 before version 20
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

// layout is where a version keeps the fields read: the header and record
// sizes, then each field's byte offset in the header or in a record (a
// negative saveDate: the version keeps none). Each CRC is the last word
// of its header or record. wide is version 20's encoding: times are u64
// nanoseconds since the epoch and the size a u64, where earlier versions
// keep u32 seconds and a u32 size.
type layout struct {
	header, record uint32

	lastUID, uidValidity, highestModSeq, deletedModSeq, exists int

	internalDate, sentDate, size, headerSize, systemFlags, userFlags, saveDate, guid, modSeq int
	wide                                                                                     bool
}

// v12 is Cyrus 2.4's layout, the base of the others (mailbox.h OFFSET_*
// of 2.4; the v12 templates of imap/index_file.c).
var v12 = layout{header: 128, record: 96,
	lastUID: 28, uidValidity: 44, highestModSeq: 68, deletedModSeq: 76, exists: 84,
	internalDate: 4, sentDate: 8, size: 12, headerSize: 16, systemFlags: 32, userFlags: 36,
	saveDate: -1, guid: 60, modSeq: 80}

// with returns l changed by f, to build each version from the previous.
func (l layout) with(f func(*layout)) layout { f(&l); return l }

// layouts are the versions read. 12 to 17 are checked against indexes
// the real Cyrus 3.6.1 wrote (reconstruct -V); 18 to 20 (Cyrus 3.8) are
// from cyrus-imapd's imap/index_file.c version templates (v18_hdr_fields,
// v19_hdr_fields, v20_hdr_fields, v16_rec_fields, v20_rec_fields) and
// 3.8's imap/mailbox.h OFFSET_* constants, no Cyrus 3.8 being at hand.
var layouts = map[uint32]layout{
	12: v12,
	// 13: the conversation id (u64 @88) grows the record to 104.
	13: v12.with(func(l *layout) { l.record = 104 }),
	// 14: the unseen count grows the header to 160.
	14: v12.with(func(l *layout) { l.header, l.record = 160, 104 }),
	// 15: the save date takes the content line count's word @52.
	15: v12.with(func(l *layout) { l.header, l.record, l.saveDate = 160, 104, 52 }),
	// 16: the created modseq (u64 @96) grows the record to 112.
	16: v16,
	// 17 (3.2 to 3.6): changes_epoch @136 in a header spare.
	17: v16,
	// 18 (3.8): quota_deleted_used @140 and quota_expunged_used @148 in
	// the header's spares; nothing read moves.
	18: v16,
	// 19 (3.8): the header rearranged so its u64s are 8-byte aligned
	// (index_file.c v19_hdr_fields): exists @60, highestmodseq @72,
	// deletedmodseq @80; last_uid @28 and uidvalidity @44 stay. The
	// record is still version 16's.
	19: v16.with(func(l *layout) { l.exists, l.highestModSeq, l.deletedModSeq = 60, 72, 80 }),
	// 20 (3.8): a 192-byte header and 144-byte record with 64-bit
	// nanosecond times and size (3.8 mailbox.h: OFFSET_HIGHESTMODSEQ 72,
	// OFFSET_DELETEDMODSEQ 80, OFFSET_LAST_UID 88, OFFSET_UIDVALIDITY 92,
	// OFFSET_EXISTS 60; OFFSET_INTERNALDATE 8, OFFSET_SENTDATE 16,
	// OFFSET_SIZE 24, OFFSET_HEADER_SIZE 32, OFFSET_SYSTEM_FLAGS 36,
	// OFFSET_USER_FLAGS 40, OFFSET_MESSAGE_GUID 60, OFFSET_MODSEQ 80,
	// OFFSET_SAVEDATE 120).
	20: {header: 192, record: 144,
		lastUID: 88, uidValidity: 92, highestModSeq: 72, deletedModSeq: 80, exists: 60,
		internalDate: 8, sentDate: 16, size: 24, headerSize: 32, systemFlags: 36, userFlags: 40,
		saveDate: 120, guid: 60, modSeq: 80, wide: true},
}

// v16 is version 16's layout, which 17 and 18 keep.
var v16 = v12.with(func(l *layout) { l.header, l.record, l.saveDate = 160, 112, 52 })

// minVersion and maxVersion bound the versions read, for the messages.
const minVersion, maxVersion = 12, 20

// ParseIndex decodes a cyrus.index image.
func ParseIndex(data []byte) (*Index, error) {
	be := binary.BigEndian
	if len(data) < 20 {
		return nil, fmt.Errorf("%w: index of %d bytes", ErrCorrupt, len(data))
	}
	x := &Index{Version: be.Uint32(data[8:])}
	lay, ok := layouts[x.Version]
	if !ok {
		return nil, fmt.Errorf("%w: cyrus.index version %d (read: %d to %d)", ErrUnsupported, x.Version, minVersion, maxVersion)
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
	x.LastUID = be.Uint32(data[lay.lastUID:])
	x.UIDValidity = be.Uint32(data[lay.uidValidity:])
	x.HighestModSeq = be.Uint64(data[lay.highestModSeq:])
	x.DeletedModSeq = be.Uint64(data[lay.deletedModSeq:])
	x.Exists = be.Uint32(data[lay.exists:])
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
			InternalDate: lay.time(b, lay.internalDate),
			SentDate:     lay.time(b, lay.sentDate),
			HeaderSize:   be.Uint32(b[lay.headerSize:]),
			SystemFlags:  be.Uint32(b[lay.systemFlags:]),
			ModSeq:       be.Uint64(b[lay.modSeq:]),
		}
		if lay.wide {
			r.Size = be.Uint64(b[lay.size:])
		} else {
			r.Size = uint64(be.Uint32(b[lay.size:]))
		}
		if lay.saveDate >= 0 {
			r.SaveDate = lay.time(b, lay.saveDate)
		}
		for w := range 4 {
			r.UserFlags[w] = be.Uint32(b[lay.userFlags+4*w:])
		}
		copy(r.GUID[:], b[lay.guid:lay.guid+20])
		if r.UID <= prev || r.UID > x.LastUID {
			return nil, fmt.Errorf("%w: record %d has UID %d (previous %d, last %d)", ErrCorrupt, i, r.UID, prev, x.LastUID)
		}
		prev = r.UID
		x.Records = append(x.Records, r)
	}
	return x, nil
}

// time reads the time at off in a record: u32 seconds, or (version 20)
// u64 nanoseconds since the epoch.
func (l layout) time(b []byte, off int) time.Time {
	if l.wide {
		return time.Unix(0, int64(binary.BigEndian.Uint64(b[off:]))).UTC()
	}
	return time.Unix(int64(binary.BigEndian.Uint32(b[off:])), 0).UTC()
}
