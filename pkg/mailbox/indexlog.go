package mailbox

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
)

// cyrus.indexlog: flag changes made durable without rewriting cyrus.index
// (doc.go, "Flag changes"). The log applies to exactly one index state, the
// one whose 128 header bytes it copies; a fold writes its changes into the
// index, whose header then differs, so a log left behind by a crash is
// stale and ignored, never applied twice.
const (
	indexLogFile  = "cyrus.indexlog"
	indexLogMagic = "gcyrusIL"
	indexLogVer   = 1
	// magic, u32 version, u32 zero, the base index header, u32 CRC-32C.
	indexLogHeaderSize = 8 + 4 + 4 + indexHeaderSize + 4
	// entry: u32 payload length, payload, u32 CRC-32C of length+payload.
	// payload: u64 highest modseq, u64 generation, i64 last changed, u32
	// count, then per changed record, in UID order, a tag byte — the
	// record's system flags (bits 0-4), bit 5: the UID is not the previous
	// one's plus 1, bit 6: the modseq is not the previous one's plus 1
	// (the first record's are counted from 0 and from the highest modseq
	// before the entry), bit 7: keywords are set — then, as the bits say,
	// uvarints: the UID delta, the modseq delta, both keyword words. A
	// STORE over a whole mailbox costs a byte per message.
	indexLogEntryFixed = 8 + 8 + 8 + 4
)

// indexLogMax bounds the log: a Store that would grow it past this folds
// it into the index first. It is also the most a reader reads. A variable
// so that tests can make folds frequent.
var indexLogMax int64 = 4 << 20

// Tag bits of a change in a log entry.
const (
	logUIDJump    = 1 << 5
	logModSeqJump = 1 << 6
	logKeywords   = 1 << 7
)

// The system flags fit the tag's low five bits (this fails to compile
// otherwise).
var _ [0]struct{} = [systemFlagMask >> 5]struct{}{}

// logChange is one record's new state in a log entry.
type logChange struct {
	uid      uint32
	flags    Flags
	keywords KeywordSet
	modseq   uint64
}

// logEntry is one committed Store: the records it changed and the header
// fields it moved.
type logEntry struct {
	highestModSeq uint64
	generation    uint64
	lastChanged   int64
	changes       []logChange
}

// indexLog is what a log file says about the index whose header bytes
// are base. It keeps no changes (a log may hold megabytes of them, and
// every session's handle reads it): readers need the last entry's header
// fields to see that something changed, and the changes only to decode
// the index afresh (scan again with a callback).
type indexLog struct {
	base    [indexHeaderSize]byte
	entries int
	last    logEntry // header fields of the last entry; no changes
	valid   int64    // bytes up to the end of the last good entry (0: no usable log)
	size    int64    // the file's size when read
	torn    bool     // bytes after valid: an unacknowledged, interrupted append
}

// applies reports whether l holds changes to the index with header bytes hdr.
func (l *indexLog) applies(hdr []byte) bool {
	return l != nil && l.entries > 0 && bytes.Equal(l.base[:], hdr)
}

// effective returns base with the header fields the log's entries moved.
func (l *indexLog) effective(base indexHeader) indexHeader {
	if l == nil || l.entries == 0 {
		return base
	}
	base.HighestModSeq, base.Generation, base.LastChanged = l.last.highestModSeq, l.last.generation, l.last.lastChanged
	return base
}

func encodeIndexLogHeader(base []byte) []byte {
	b := make([]byte, indexLogHeaderSize)
	copy(b, indexLogMagic)
	binary.LittleEndian.PutUint32(b[8:], indexLogVer)
	copy(b[16:], base)
	binary.LittleEndian.PutUint32(b[indexLogHeaderSize-4:], crc32.Checksum(b[:indexLogHeaderSize-4], crcTable))
	return b
}

// encodeLogEntry frames e; prevModSeq is the highest modseq before it.
func encodeLogEntry(e *logEntry, prevModSeq uint64) []byte {
	return encodeLogFrame(e, len(e.changes), func(k int) logChange { return e.changes[k] }, prevModSeq)
}

// encodeLogFrame frames the entry with e's header fields and the n
// changes at gives (in UID order), so that a Store encodes straight from
// its records, with no list of changes in between.
func encodeLogFrame(e *logEntry, n int, at func(int) logChange, prevModSeq uint64) []byte {
	b := make([]byte, 4, 4+indexLogEntryFixed+n+8)
	b = binary.LittleEndian.AppendUint64(b, e.highestModSeq)
	b = binary.LittleEndian.AppendUint64(b, e.generation)
	b = binary.LittleEndian.AppendUint64(b, uint64(e.lastChanged))
	b = binary.LittleEndian.AppendUint32(b, uint32(n))
	var uid uint32
	modseq := prevModSeq
	for k := range n {
		c := at(k)
		tag := byte(c.flags & systemFlagMask)
		if c.uid != uid+1 {
			tag |= logUIDJump
		}
		if c.modseq != modseq+1 {
			tag |= logModSeqJump
		}
		if c.keywords != (KeywordSet{}) {
			tag |= logKeywords
		}
		b = append(b, tag)
		if tag&logUIDJump != 0 {
			b = binary.AppendUvarint(b, uint64(c.uid-uid))
		}
		if tag&logModSeqJump != 0 {
			b = binary.AppendUvarint(b, c.modseq-modseq)
		}
		if tag&logKeywords != 0 {
			b = binary.AppendUvarint(b, c.keywords[0])
			b = binary.AppendUvarint(b, c.keywords[1])
		}
		uid, modseq = c.uid, c.modseq
	}
	binary.LittleEndian.PutUint32(b, uint32(len(b)-4))
	return binary.LittleEndian.AppendUint32(b, crc32.Checksum(b, crcTable))
}

// parseIndexLog reads a log image, calling each (if not nil) with every
// good entry in order; the entry's changes are valid only during the
// call. A missing or torn file header is no log (never acknowledged: the
// first entry's fdatasync covers it); an entry running past the end or
// failing its checksum as the last thing in the file is a torn append
// (never acknowledged) and ends the log; a bad entry followed by more
// bytes, or one that does not decode, is damage (ErrCorrupt, returned
// with what came before it, for Reconstruct).
func parseIndexLog(data []byte, each func(*logEntry) error) (*indexLog, error) {
	l := &indexLog{size: int64(len(data))}
	if len(data) < indexLogHeaderSize || string(data[:8]) != indexLogMagic ||
		crc32.Checksum(data[:indexLogHeaderSize-4], crcTable) != binary.LittleEndian.Uint32(data[indexLogHeaderSize-4:]) {
		l.torn = len(data) > 0
		return l, nil
	}
	if v := binary.LittleEndian.Uint32(data[8:]); v != indexLogVer {
		return l, corruptf(indexLogFile, "unsupported version %d", v)
	}
	copy(l.base[:], data[16:])
	base, err := decodeIndexHeader(l.base[:])
	if err != nil {
		return l, corruptf(indexLogFile, "base header: %v", err)
	}
	l.valid = indexLogHeaderSize
	l.last = logEntry{highestModSeq: base.HighestModSeq, generation: base.Generation, lastChanged: base.LastChanged}
	return l, l.scan(data[indexLogHeaderSize:], each)
}

// scan reads the entries in data, the file's bytes from l.valid on (a
// log read before and grown since is read on from where it ended).
func (l *indexLog) scan(data []byte, each func(*logEntry) error) error {
	l.size = l.valid + int64(len(data))
	var scratch []logChange
	for off := 0; off < len(data); {
		rest := data[off:]
		if len(rest) < 8 {
			l.torn = true
			break
		}
		n := int(binary.LittleEndian.Uint32(rest))
		if n > len(rest)-8 {
			l.torn = true // runs past the end: an interrupted append
			break
		}
		frame := rest[:4+n]
		if crc32.Checksum(frame, crcTable) != binary.LittleEndian.Uint32(rest[4+n:]) {
			if off+8+n == len(data) {
				l.torn = true
				break
			}
			return corruptf(indexLogFile, "entry at offset %d: checksum mismatch", l.valid)
		}
		e, err := decodeLogEntry(frame[4:], l.last.highestModSeq, l.last.generation, scratch, each != nil)
		if err != nil {
			return corruptf(indexLogFile, "entry at offset %d: %v", l.valid, err)
		}
		if each != nil {
			if err := each(&e); err != nil {
				return err
			}
		}
		scratch = e.changes[:0]
		e.changes = nil
		l.entries++
		l.last = e
		off += 8 + n
		l.valid += int64(8 + n)
	}
	return nil
}

// decodeLogEntry decodes and checks an entry's payload, with changes its
// changes too, into scratch's space when it is large enough. Without, it
// checks the header fields only (what a reader needs to see a change; the
// checksum held), so that each session's handle does not decode every
// change of a large STORE only to learn that one happened.
func decodeLogEntry(p []byte, prevModSeq, prevGen uint64, scratch []logChange, changes bool) (logEntry, error) {
	var e logEntry
	if len(p) < indexLogEntryFixed {
		return e, errors.New("short entry")
	}
	le := binary.LittleEndian
	e.highestModSeq, e.generation, e.lastChanged = le.Uint64(p), le.Uint64(p[8:]), int64(le.Uint64(p[16:]))
	count := int(le.Uint32(p[24:]))
	p = p[indexLogEntryFixed:]
	// Each change takes at least a byte: the count cannot promise more
	// than the entry holds, so a hostile count allocates nothing.
	if count == 0 || count > len(p) || e.generation <= prevGen || e.highestModSeq <= prevModSeq {
		return e, fmt.Errorf("impossible entry (count %d, modseq %d after %d, generation %d after %d)",
			count, e.highestModSeq, prevModSeq, e.generation, prevGen)
	}
	if !changes {
		return e, nil
	}
	if cap(scratch) >= count {
		e.changes = scratch[:count]
	} else {
		e.changes = make([]logChange, count)
	}
	var uid uint32
	modseq := prevModSeq
	next := func() (uint64, bool) {
		x, n := binary.Uvarint(p)
		if n <= 0 {
			return 0, false
		}
		p = p[n:]
		return x, true
	}
	for i := range e.changes {
		if len(p) == 0 {
			return e, fmt.Errorf("change %d: truncated", i)
		}
		tag := p[0]
		p = p[1:]
		du, dm := uint64(1), uint64(1)
		var kw KeywordSet
		ok := true
		if tag&logUIDJump != 0 {
			du, ok = next()
		}
		if ok && tag&logModSeqJump != 0 {
			dm, ok = next()
		}
		if ok && tag&logKeywords != 0 {
			kw[0], ok = next()
			if ok {
				kw[1], ok = next()
			}
		}
		if !ok || du == 0 || du > uint64(^uint32(0)-uid) || dm == 0 || dm > e.highestModSeq-modseq {
			return e, fmt.Errorf("change %d: impossible values", i)
		}
		uid += uint32(du)
		modseq += dm
		e.changes[i] = logChange{uid: uid, flags: Flags(tag) & systemFlagMask, keywords: kw, modseq: modseq}
	}
	if len(p) != 0 {
		return e, errors.New("trailing bytes")
	}
	return e, nil
}

func applyLogEntry(recs []Record, e *logEntry) error {
	j := 0
	for _, c := range e.changes {
		j += sort.Search(len(recs)-j, func(i int) bool { return recs[j+i].UID >= c.uid })
		if j == len(recs) || recs[j].UID != c.uid || recs[j].expunged() {
			return corruptf(indexLogFile, "change to uid %d, which the index does not hold", c.uid)
		}
		r := &recs[j]
		r.Flags, r.Keywords, r.ModSeq = c.flags, c.keywords, c.modseq
	}
	return nil
}

// readIndexLog returns what the log says about the index whose header
// bytes are hdr. It reads only the log's header while the log and the
// index header are as when it last read the log, and only the new entries
// when the log grew. (A log changes only by appending entries for the
// same base, or by being started again for another index header, which
// its header then names: these three things tell every state apart.)
// Lock held; refresh opened h.log.
func (h *handle) readIndexLog(hdr []byte) (*indexLog, error) {
	if h.log == nil {
		return nil, nil
	}
	fi, err := h.log.Stat()
	if err != nil {
		return nil, err
	}
	size := fi.Size()
	if size > indexLogMax {
		return nil, nameCorrupt(h.header.Name, corruptf(indexLogFile, "%d bytes, over the %d a log may hold", size, indexLogMax))
	}
	if c := h.logRead; c != nil && bytes.Equal(h.logFor[:], hdr) && c.valid > 0 && !c.torn && size >= c.valid {
		head := make([]byte, indexLogHeaderSize)
		if _, err := h.log.ReadAt(head, 0); err == nil && bytes.Equal(head[16:16+indexHeaderSize], c.base[:]) {
			if size == c.size {
				return c, nil
			}
			tail, err := readAtFull(h.log, c.valid, size-c.valid)
			if err != nil {
				return nil, err
			}
			l := *c
			if err := l.scan(tail, nil); err != nil {
				return nil, nameCorrupt(h.header.Name, err)
			}
			h.logRead = &l
			return &l, nil
		}
	}
	data, err := readAtFull(h.log, 0, size)
	if err != nil {
		return nil, err
	}
	l, err := parseIndexLog(data, nil)
	if err != nil {
		return nil, nameCorrupt(h.header.Name, err)
	}
	h.logRead = l
	copy(h.logFor[:], hdr)
	return l, nil
}

// readAtFull reads n bytes of f at off.
func readAtFull(f *os.File, off, n int64) ([]byte, error) {
	data := make([]byte, n)
	if got, err := f.ReadAt(data, off); got < len(data) {
		if err == nil || errors.Is(err, io.EOF) {
			err = io.ErrUnexpectedEOF
		}
		return nil, err
	}
	return data, nil
}

// applyIndexLog reads the log again and applies its changes to recs, the
// records of its base index, in place. Lock held; l is what readIndexLog
// just said.
func (h *handle) applyIndexLog(recs []Record, l *indexLog) error {
	data, err := readAtFull(h.log, 0, l.valid)
	if err != nil {
		return err
	}
	_, err = parseIndexLog(data, func(e *logEntry) error { return applyLogEntry(recs, e) })
	return nameCorrupt(h.header.Name, err)
}

// appendIndexLog makes e, encoded as frame, durable in the log of the index whose header
// bytes are base (one write, one fdatasync), starting the log afresh when
// it holds nothing for this index. It reports false, having written
// nothing, when the entry does not fit or the log ends in a torn append
// (the caller then folds and writes the index). Exclusive lock held.
func (h *handle) appendIndexLog(base []byte, e *logEntry, frame []byte, crashAt func(string)) (bool, error) {
	created := false
	if h.log == nil {
		f, err := os.OpenFile(filepath.Join(h.dir, indexLogFile), os.O_RDWR|os.O_CREATE, 0o600)
		if err != nil {
			return false, err
		}
		h.log, created = f, true
	}
	l, err := h.readIndexLog(base)
	if err != nil {
		return false, err
	}
	var buf []byte
	var off int64
	switch {
	case l != nil && l.torn && l.applies(base):
		return false, nil
	case l != nil && l.applies(base):
		off = l.valid
	default:
		buf = encodeIndexLogHeader(base)
	}
	if off+int64(len(buf)+len(frame)) > indexLogMax {
		return false, nil
	}
	buf = append(buf, frame...)
	if off == 0 {
		// A stale log (its index folded or rebuilt since) is replaced.
		if err := h.log.Truncate(0); err != nil {
			return false, err
		}
	}
	if _, err := h.log.WriteAt(buf, off); err != nil {
		return false, err
	}
	crash(crashAt, "log-written")
	if err := fdatasync(h.log); err != nil {
		return false, err
	}
	if created {
		if err := syncDir(h.dir); err != nil {
			return false, err
		}
	}
	crash(crashAt, "log-synced")
	// What the log now says, without reading it back.
	next := &indexLog{valid: off + int64(len(buf)), size: off + int64(len(buf)), entries: 1,
		last: logEntry{highestModSeq: e.highestModSeq, generation: e.generation, lastChanged: e.lastChanged}}
	copy(next.base[:], base)
	if off > 0 {
		next.entries += l.entries
	}
	h.logRead = next
	copy(h.logFor[:], base)
	return true, nil
}

// foldIndexLog writes the log's changes into cyrus.index: the changed
// records first, fdatasync'd, then the header the log ended with,
// fdatasync'd — the header is the commit point: a crash before it leaves
// the log applying to the old header (its changes rewritten into records
// that may already hold them, which is harmless: a change is a state),
// after it the log is stale. The log is then emptied. Exclusive lock held.
func (h *handle) foldIndexLog(crashAt func(string)) error {
	if h.log == nil {
		return nil
	}
	b := make([]byte, indexHeaderSize)
	if _, err := h.index.ReadAt(b, 0); err != nil && !errors.Is(err, io.EOF) {
		return err
	}
	l, err := h.readIndexLog(b)
	if err != nil || l == nil {
		return err
	}
	if l.applies(b) {
		img, err := h.loadIndex()
		if err != nil {
			return err
		}
		// The span of the records the log changed.
		data, err := readAtFull(h.log, 0, l.valid)
		if err != nil {
			return err
		}
		lo, hi := len(img.recs), -1
		_, err = parseIndexLog(data, func(e *logEntry) error {
			for _, c := range []uint32{e.changes[0].uid, e.changes[len(e.changes)-1].uid} {
				i := sort.Search(len(img.recs), func(i int) bool { return img.recs[i].UID >= c })
				lo, hi = min(lo, i), max(hi, min(i, len(img.recs)-1))
			}
			return nil
		})
		if err != nil {
			return nameCorrupt(h.header.Name, err)
		}
		buf := make([]byte, (hi-lo+1)*indexRecordSize)
		for i := lo; i <= hi; i++ {
			encodeRecord(buf[(i-lo)*indexRecordSize:], &img.recs[i])
		}
		if _, err := h.index.WriteAt(buf, indexHeaderSize+int64(lo)*indexRecordSize); err != nil {
			return err
		}
		crash(crashAt, "fold-records")
		if err := fdatasync(h.index); err != nil {
			return err
		}
		crash(crashAt, "fold-synced")
		if _, err := h.index.WriteAt(encodeIndexHeader(&img.hdr), 0); err != nil {
			return err
		}
		if err := fdatasync(h.index); err != nil {
			return err
		}
		crash(crashAt, "fold-committed")
		// The image is unchanged; the file's identity (its change time)
		// is not: published again, no handle decodes it afresh.
		h.publishImage(img)
	}
	if l.size == 0 {
		return nil
	}
	// Emptying needs no sync: a log left stale is ignored.
	return h.log.Truncate(0)
}

// removeIndexLog removes a mailbox's log after Reconstruct replaced the
// index it applied to.
func removeIndexLog(dir string) error {
	err := os.Remove(filepath.Join(dir, indexLogFile))
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	return err
}
