package mailbox

import (
	"encoding/binary"
	"hash/crc32"
	"sync/atomic"
	"time"
)

// File names inside a mailbox directory.
const (
	headerFile = "cyrus.header"
	indexFile  = "cyrus.index"
	cacheFile  = "cyrus.cache"
	lockFile   = "cyrus.lock"
	tempPrefix = "tmp."
)

// cyrus.index layout, version 1 (see doc.go). All integers little-endian.
const (
	indexMagic      = "gcyrusIX"
	indexVersion    = 1
	indexHeaderSize = 128
	indexRecordSize = 104
)

// GUID is the SHA-1 of the message file's bytes.
type GUID [20]byte

// Record is one message's index entry. It holds no pointers: its times
// are unix seconds, not time.Time, which makes a record a third smaller and
// lets the garbage collector skip the records of a decoded index (100,000
// of them for a large mailbox) entirely.
type Record struct {
	UID        uint32
	Flags      Flags
	Keywords   KeywordSet
	ModSeq     uint64
	Size       uint32 // RFC822.SIZE
	HeaderSize uint32 // bytes up to and including the blank line
	GUID       GUID

	// Ordered to pack: 104 bytes.
	cacheLen     uint32
	internalDate int64 // unix seconds, 0 = none
	sentDate     int64 // from the Date: header; a tombstone's expunge time
	saveDate     int64 // when the message entered this mailbox
	cacheOffset  uint64
	tzMinutes    int16 // the internal date's UTC offset
}

// InternalDate is when the message arrived, in its original UTC offset.
func (r Record) InternalDate() time.Time { return timeFromUnix(r.internalDate, int(r.tzMinutes)) }

// SentDate is the message's Date: header; zero if absent or unparsable.
func (r Record) SentDate() time.Time { return timeFromUnix(r.sentDate, 0) }

// SaveDate is when the message entered this mailbox.
func (r Record) SaveDate() time.Time { return timeFromUnix(r.saveDate, 0) }

// SetInternalDate sets the internal date, keeping its UTC offset in whole
// minutes.
func (r *Record) SetInternalDate(t time.Time) {
	_, off := t.Zone()
	r.internalDate, r.tzMinutes = unixOrZero(t), int16(off/60)
}

// SetSentDate sets the sent date.
func (r *Record) SetSentDate(t time.Time) { r.sentDate = unixOrZero(t) }

// SetSaveDate sets the save date.
func (r *Record) SetSaveDate(t time.Time) { r.saveDate = unixOrZero(t) }

// expunged reports whether r is a tombstone.
func (r *Record) expunged() bool { return r.Flags&flagExpunged != 0 }

// A tombstone needs no sent date, so its sent date holds the time it was
// expunged: a separate field would grow every record of every decoded
// index.
func (r *Record) expungedAt() time.Time { return r.SentDate() }

func (r *Record) setExpungedAt(t time.Time) { r.SetSentDate(t) }

// retained reports whether r is a tombstone whose file is kept for
// unexpunge (delayed expunge).
func (r *Record) retained() bool { return r.Flags&(flagExpunged|flagUnlinked) == flagExpunged }

// indexHeader is the fixed header of cyrus.index.
type indexHeader struct {
	UIDValidity   uint32
	UIDNext       uint32
	NumRecords    uint32 // committed records, tombstones included
	Exists        uint32 // live records
	HighestModSeq uint64
	QuotaUsed     uint64 // sum of Size over live records
	LastChanged   int64  // unix nanoseconds
	CacheLen      uint64 // committed length of cyrus.cache
	Generation    uint64 // bumped by every commit; readers use it to skip re-reading
	// DeletedModSeq is the highest modseq of the tombstones compaction
	// dropped: which UIDs vanished before it is no longer known.
	DeletedModSeq uint64
	// UnlinkPending is set by the commit that marks tombstones unlinked
	// and cleared once their files are gone (unlink.go): found set by a
	// writer, it means an earlier writer died in between.
	UnlinkPending bool
}

func encodeIndexHeader(h *indexHeader) []byte {
	b := make([]byte, indexHeaderSize)
	copy(b, indexMagic)
	le := binary.LittleEndian
	le.PutUint32(b[8:], indexVersion)
	le.PutUint32(b[12:], indexHeaderSize)
	le.PutUint32(b[16:], indexRecordSize)
	le.PutUint32(b[20:], h.UIDValidity)
	le.PutUint32(b[24:], h.UIDNext)
	le.PutUint32(b[28:], h.NumRecords)
	le.PutUint32(b[32:], h.Exists)
	le.PutUint64(b[40:], h.HighestModSeq)
	le.PutUint64(b[48:], h.QuotaUsed)
	le.PutUint64(b[56:], uint64(h.LastChanged))
	le.PutUint64(b[64:], h.CacheLen)
	le.PutUint64(b[72:], h.Generation)
	le.PutUint64(b[80:], h.DeletedModSeq)
	if h.UnlinkPending {
		le.PutUint32(b[88:], 1)
	}
	le.PutUint32(b[124:], crc32.Checksum(b[:124], crcTable))
	return b
}

func decodeIndexHeader(b []byte) (indexHeader, error) {
	var h indexHeader
	if len(b) < indexHeaderSize {
		return h, corruptf(indexFile, "header truncated (%d bytes)", len(b))
	}
	le := binary.LittleEndian
	if string(b[:8]) != indexMagic {
		return h, corruptf(indexFile, "bad magic")
	}
	if got, want := crc32.Checksum(b[:124], crcTable), le.Uint32(b[124:]); got != want {
		return h, corruptf(indexFile, "header checksum mismatch")
	}
	if v := le.Uint32(b[8:]); v != indexVersion {
		return h, corruptf(indexFile, "unsupported version %d", v)
	}
	if le.Uint32(b[12:]) != indexHeaderSize || le.Uint32(b[16:]) != indexRecordSize {
		return h, corruptf(indexFile, "unexpected header or record size")
	}
	h.UIDValidity = le.Uint32(b[20:])
	h.UIDNext = le.Uint32(b[24:])
	h.NumRecords = le.Uint32(b[28:])
	h.Exists = le.Uint32(b[32:])
	// An index written before creations took modseq 1 holds 0 for a
	// mailbox never changed since: it reads as the creation's 1, so it
	// answers a valid HIGHESTMODSEQ and its next change takes 2.
	h.HighestModSeq = max(le.Uint64(b[40:]), 1)
	h.QuotaUsed = le.Uint64(b[48:])
	h.LastChanged = int64(le.Uint64(b[56:]))
	h.CacheLen = le.Uint64(b[64:])
	h.Generation = le.Uint64(b[72:])
	h.DeletedModSeq = le.Uint64(b[80:])
	h.UnlinkPending = le.Uint32(b[88:])&1 != 0
	if h.UIDNext == 0 || h.Exists > h.NumRecords {
		return h, corruptf(indexFile, "impossible header values (uidnext %d, exists %d of %d)",
			h.UIDNext, h.Exists, h.NumRecords)
	}
	return h, nil
}

func encodeRecord(b []byte, r *Record) {
	le := binary.LittleEndian
	le.PutUint32(b[0:], r.UID)
	le.PutUint32(b[4:], uint32(r.Flags))
	le.PutUint64(b[8:], r.ModSeq)
	le.PutUint64(b[16:], uint64(r.internalDate))
	le.PutUint64(b[24:], uint64(r.sentDate))
	le.PutUint64(b[32:], uint64(r.saveDate))
	le.PutUint32(b[40:], r.Size)
	le.PutUint32(b[44:], r.HeaderSize)
	le.PutUint64(b[48:], r.cacheOffset)
	le.PutUint32(b[56:], r.cacheLen)
	le.PutUint16(b[60:], uint16(r.tzMinutes))
	le.PutUint16(b[62:], 0)
	le.PutUint64(b[64:], r.Keywords[0])
	le.PutUint64(b[72:], r.Keywords[1])
	copy(b[80:100], r.GUID[:])
	le.PutUint32(b[100:], crc32.Checksum(b[:100], crcTable))
}

// decodeRecord checks the record's checksum and sanity and decodes it.
func decodeRecord(b []byte, r *Record) bool {
	le := binary.LittleEndian
	if crc32.Checksum(b[:100], crcTable) != le.Uint32(b[100:]) {
		return false
	}
	tz := int16(le.Uint16(b[60:]))
	if tz <= -24*60 || tz >= 24*60 {
		return false
	}
	r.UID = le.Uint32(b[0:])
	r.Flags = Flags(le.Uint32(b[4:]))
	r.ModSeq = le.Uint64(b[8:])
	r.internalDate, r.tzMinutes = int64(le.Uint64(b[16:])), tz
	r.sentDate = int64(le.Uint64(b[24:]))
	r.saveDate = int64(le.Uint64(b[32:]))
	r.Size = le.Uint32(b[40:])
	r.HeaderSize = le.Uint32(b[44:])
	r.cacheOffset = le.Uint64(b[48:])
	r.cacheLen = le.Uint32(b[56:])
	r.Keywords = KeywordSet{le.Uint64(b[64:]), le.Uint64(b[72:])}
	copy(r.GUID[:], b[80:100])
	return r.UID != 0 && r.Flags&^(systemFlagMask|flagExpunged|flagUnlinked) == 0 &&
		(r.Flags&flagUnlinked == 0 || r.expunged())
}

func unixOrZero(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.Unix()
}

// zones holds one shared location per UTC offset in minutes (-1439..1439),
// filled on first use, so that decoding 100,000 records neither allocates a
// location each nor takes a lock.
var zones [2*24*60 - 1]atomic.Pointer[time.Location]

// timeFromUnix rebuilds a time with its original UTC offset (minutes,
// within ±24 hours: decodeRecord checks).
func timeFromUnix(sec int64, tzMinutes int) time.Time {
	if sec == 0 {
		return time.Time{}
	}
	if tzMinutes == 0 {
		return time.Unix(sec, 0).UTC()
	}
	slot := &zones[tzMinutes+24*60-1]
	loc := slot.Load()
	if loc == nil {
		loc = time.FixedZone("", tzMinutes*60)
		slot.CompareAndSwap(nil, loc)
		loc = slot.Load()
	}
	return time.Unix(sec, 0).In(loc)
}

// decodeIndex validates and decodes a whole cyrus.index image: the header,
// then exactly NumRecords records, each with a good checksum, UIDs strictly
// ascending and below UIDNext, modseqs not above HighestModSeq.
func decodeIndex(data []byte) (indexHeader, []Record, error) {
	h, err := decodeIndexHeader(data)
	if err != nil {
		return h, nil, err
	}
	return decodeIndexAs(data, h)
}

// decodeIndexAs is decodeIndex checking the records against h, the header
// as cyrus.indexlog moves it: records a fold wrote before a crash hold
// modseqs above the file header's.
func decodeIndexAs(data []byte, h indexHeader) (indexHeader, []Record, error) {
	n := int(h.NumRecords)
	if need := indexHeaderSize + n*indexRecordSize; len(data) < need {
		return h, nil, corruptf(indexFile, "truncated: header promises %d records, file holds %d bytes of %d",
			n, len(data), need)
	}
	d := recordDecoder{h: h, recs: make([]Record, n), end: n}
	if err := d.decode(data[indexHeaderSize : indexHeaderSize+n*indexRecordSize]); err != nil {
		return h, nil, err
	}
	return h, d.recs, d.finish()
}

// recordDecoder decodes and checks the records of an index with header h
// in order, a piece at a time (loadIndex streams the file through a small
// buffer rather than holding a second copy of a large index).
type recordDecoder struct {
	h      indexHeader
	recs   []Record // NumRecords long
	start  int      // the first record this decoder decodes
	next   int      // the next record to decode
	end    int      // where this decoder stops (a part of recs)
	prev   uint32
	exists uint32
	used   uint64
}

// decode decodes the whole records in b, which continue where the last
// call stopped.
func (d *recordDecoder) decode(b []byte) error {
	for ; len(b) >= indexRecordSize && d.next < d.end; b = b[indexRecordSize:] {
		i, off := d.next, indexHeaderSize+d.next*indexRecordSize
		r := &d.recs[i]
		if !decodeRecord(b[:indexRecordSize], r) {
			return corruptf(indexFile, "record %d (offset %d): checksum or field mismatch", i, off)
		}
		if r.UID <= d.prev || r.UID >= d.h.UIDNext {
			return corruptf(indexFile, "record %d: uid %d out of order (previous %d, uidnext %d)",
				i, r.UID, d.prev, d.h.UIDNext)
		}
		if r.ModSeq > d.h.HighestModSeq {
			return corruptf(indexFile, "record %d: modseq %d above highest %d", i, r.ModSeq, d.h.HighestModSeq)
		}
		if !r.expunged() {
			d.exists++
			d.used += uint64(r.Size)
		}
		d.prev = r.UID
		d.next++
	}
	return nil
}

// finish checks that every record was decoded and the header's counts.
func (d *recordDecoder) finish() error {
	if d.next != len(d.recs) {
		return corruptf(indexFile, "truncated: %d of %d records", d.next, len(d.recs))
	}
	if d.exists != d.h.Exists || d.used != d.h.QuotaUsed {
		return corruptf(indexFile, "header counts (exists %d, used %d) disagree with records (%d, %d)",
			d.h.Exists, d.h.QuotaUsed, d.exists, d.used)
	}
	return nil
}

// salvageRecords decodes every complete record of an index image whose
// checksum holds, ignoring the header's count: Reconstruct's way to keep
// flags from a truncated or partly damaged index.
func salvageRecords(data []byte) []Record {
	var out []Record
	for off := indexHeaderSize; off+indexRecordSize <= len(data); off += indexRecordSize {
		var r Record
		if decodeRecord(data[off:off+indexRecordSize], &r) {
			out = append(out, r)
		}
	}
	return out
}
