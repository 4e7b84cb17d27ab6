package mailbox

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"sort"
	"sync/atomic"
	"time"
)

// View is an immutable snapshot of a mailbox: its counters and its live
// records in UID order. Views are shared; do not modify Records.
type View struct {
	UIDValidity   uint32
	UIDNext       uint32
	HighestModSeq uint64
	QuotaUsed     uint64
	LastChanged   time.Time
	Header        Header
	Records       []Record // live messages, UID ascending

	img        *indexImage
	tombstones []tombstone
	cache      *os.File
	window     atomic.Pointer[cacheWindow] // see cacheBytes
	m          *Mailbox
}

type tombstone struct {
	uid    uint32
	modseq uint64
}

func newView(m *Mailbox, img *indexImage, hdr Header, cache *os.File) *View {
	v := &View{
		UIDValidity:   img.hdr.UIDValidity,
		UIDNext:       img.hdr.UIDNext,
		HighestModSeq: img.hdr.HighestModSeq,
		QuotaUsed:     img.hdr.QuotaUsed,
		LastChanged:   time.Unix(0, img.hdr.LastChanged),
		Header:        hdr,
		img:           img,
		cache:         cache,
		m:             m,
	}
	v.Records, v.tombstones = img.split()
	return v
}

// split returns img's live records and its tombstones. Without tombstones
// the live records are img's own; otherwise they are copied out once per
// image and shared by every view of it, so that a session selecting a
// large mailbox whose image another session decoded costs no copy. Both
// are capped: the writer may append to the image's spare capacity, and a
// view's slices must not grow into each other's.
func (img *indexImage) split() ([]Record, []tombstone) {
	if n := len(img.recs); int(img.hdr.Exists) == n {
		return img.recs[:n:n], nil
	}
	img.splitOnce.Do(func() {
		live := make([]Record, 0, img.hdr.Exists)
		var tombs []tombstone
		for i := range img.recs {
			r := &img.recs[i]
			if r.expunged() {
				tombs = append(tombs, tombstone{r.UID, r.ModSeq})
			} else {
				live = append(live, *r)
			}
		}
		img.live, img.tombs = live[:len(live):len(live)], tombs[:len(tombs):len(tombs)]
	})
	return img.live, img.tombs
}

// Exists is the number of live messages.
func (v *View) Exists() int { return len(v.Records) }

// Lookup finds the live record of uid.
func (v *View) Lookup(uid uint32) (Record, bool) {
	i := sort.Search(len(v.Records), func(i int) bool { return v.Records[i].UID >= uid })
	if i < len(v.Records) && v.Records[i].UID == uid {
		return v.Records[i], true
	}
	return Record{}, false
}

// SeqOf returns the 1-based message sequence number of uid in this view.
func (v *View) SeqOf(uid uint32) (uint32, bool) {
	i := sort.Search(len(v.Records), func(i int) bool { return v.Records[i].UID >= uid })
	if i < len(v.Records) && v.Records[i].UID == uid {
		return uint32(i + 1), true
	}
	return 0, false
}

// Keywords returns the keyword names set on r.
func (v *View) Keywords(r Record) []string {
	var out []string
	for i, name := range v.Header.Keywords {
		if r.Keywords.Has(i) {
			out = append(out, name)
		}
	}
	return out
}

// FlagNames returns r's system flags and keywords as IMAP flag names.
func (v *View) FlagNames(r Record) []string {
	return v.AppendFlagNames(nil, r)
}

// AppendFlagNames appends r's flag names (as FlagNames) to dst: with a
// buffer on the caller's stack, listing flags allocates nothing.
func (v *View) AppendFlagNames(dst []string, r Record) []string {
	dst = r.Flags.AppendNames(dst)
	for i, name := range v.Header.Keywords {
		if r.Keywords.Has(i) {
			dst = append(dst, name)
		}
	}
	return dst
}

// Changes is what changed after a modseq: live records whose modseq is
// higher (new messages and flag changes alike; a session tells them apart
// by UID) and the UIDs expunged since.
type Changes struct {
	HighestModSeq uint64
	Updated       []Record
	Expunged      []uint32
	// Forgotten is set when modseq predates tombstones that compaction
	// dropped: besides Expunged, any UID below UIDNext without a live
	// record may have vanished since (see AbsentUIDs).
	Forgotten bool
}

// ChangesSince lists the changes after modseq (CONDSTORE CHANGEDSINCE,
// QRESYNC VANISHED, and the EXISTS/EXPUNGE/FETCH of an idling session).
func (v *View) ChangesSince(modseq uint64) Changes {
	c := Changes{HighestModSeq: v.HighestModSeq, Forgotten: modseq < v.img.hdr.DeletedModSeq}
	for _, r := range v.Records {
		if r.ModSeq > modseq {
			c.Updated = append(c.Updated, r)
		}
	}
	for _, t := range v.tombstones {
		if t.modseq > modseq {
			c.Expunged = append(c.Expunged, t.uid)
		}
	}
	return c
}

// AbsentUIDs calls fn with each run lo..hi of UIDs below UIDNext that have
// no live record: what may have vanished when Changes.Forgotten is set.
func (v *View) AbsentUIDs(fn func(lo, hi uint32)) {
	next := uint32(1)
	for _, r := range v.Records {
		if r.UID > next {
			fn(next, r.UID-1)
		}
		next = r.UID + 1
	}
	if next < v.UIDNext {
		fn(next, v.UIDNext-1)
	}
}

// Cached returns r's cache entry. A missing or damaged cache record (the
// cache is not fsync'd on every commit, see doc.go) is rebuilt from the
// message file; only when that fails too is an error returned.
//
// Calls for records that follow each other in the cache file (a FETCH
// walking a range) are served from a read-ahead window instead of one
// pread each.
func (v *View) Cached(r Record) (*Cached, error) {
	var err error
	end := r.cacheOffset + uint64(r.cacheLen)
	if r.cacheLen < cacheRecordFixed || end > v.img.hdr.CacheLen {
		err = corruptf(cacheFile, "uid %d: record outside the committed cache", r.UID)
	} else {
		var buf []byte
		if buf, err = v.cacheBytes(r.cacheOffset, end); err == nil {
			var c *Cached
			if c, err = decodeCacheRecord(r.UID, buf); err == nil {
				return c, nil
			}
		}
	}
	return v.rebuildCached(r, err)
}

// readAheadSize is how much of the cache one sequential miss reads.
const readAheadSize = 32 << 10

// cacheWindow is a read-only piece of the cache file. A View shares one
// between its users through an atomic pointer; a window is never written
// after it is published.
type cacheWindow struct {
	off  uint64
	data []byte
}

// cacheBytes returns the committed cache bytes [off, end). A request that
// starts where the previous window ended reads ahead readAheadSize bytes;
// any other reads just what it needs, so random access stays cheap.
func (v *View) cacheBytes(off, end uint64) ([]byte, error) {
	w := v.window.Load()
	if w != nil && off >= w.off && end <= w.off+uint64(len(w.data)) {
		return w.data[off-w.off : end-w.off], nil
	}
	n := end - off
	if w != nil && off == w.off+uint64(len(w.data)) {
		n = max(n, min(readAheadSize, v.img.hdr.CacheLen-off))
	}
	buf := make([]byte, n)
	rn, err := v.cache.ReadAt(buf, int64(off))
	if err != nil && !(err == io.EOF && uint64(rn) >= end-off) {
		return nil, err
	}
	v.window.Store(&cacheWindow{off: off, data: buf[:rn]})
	return buf[:end-off], nil
}

func (v *View) rebuildCached(r Record, cause error) (*Cached, error) {
	level := slog.LevelWarn
	if errors.Is(cause, errOldPayload) {
		level = slog.LevelDebug // expected until reconstruct rewrites the cache
	}
	v.m.log.Log(context.Background(), level, "cache record unusable, parsing message", "mailbox", v.Header.Name, "uid", r.UID, "err", cause)
	p, err := describeFile(messagePath(v.m.dir, r.UID))
	if err != nil {
		return nil, &CorruptError{Mailbox: v.Header.Name, File: cacheFile,
			Detail: fmt.Sprintf("uid %d: %v, and message file unreadable: %v", r.UID, cause, err)}
	}
	return decodeCached(p.payload)
}

// ForEachCached calls fn with the cache entry of each record, reading the
// cache file in large chunks: the fast way to fetch many envelopes. Each
// entry is the caller's to keep. A non-nil error from fn stops the walk and
// is returned.
func (v *View) ForEachCached(recs []Record, fn func(Record, *Cached) error) error {
	return v.forEachCached(recs, decodeCopy, fn)
}

// ForEachCachedBorrowed is ForEachCached without copying: the entry passed
// to fn, and every string and slice in it, is valid only until fn returns
// (it aliases the read buffer, which the next chunk overwrites). Callers
// that keep anything must copy it; FETCH and SEARCH, which only look, save
// two allocations and a copy of the payload per message.
func (v *View) ForEachCachedBorrowed(recs []Record, fn func(Record, *Cached) error) error {
	return v.forEachCached(recs, decodeBorrowed, fn)
}

// ForEachEnvelopeBorrowed is ForEachCachedBorrowed for a caller that needs
// only the envelope (FETCH ENVELOPE): the body structure and the header
// block are not decoded, and the entry's Body and Headers are nil — unless
// the cache record had to be rebuilt from the message file.
func (v *View) ForEachEnvelopeBorrowed(recs []Record, fn func(Record, *Cached) error) error {
	return v.forEachCached(recs, decodeEnvelope, fn)
}

// decodeMode is how forEachCached decodes each cache record.
type decodeMode int

const (
	decodeCopy     decodeMode = iota // a private copy of everything
	decodeBorrowed                   // everything, aliasing the read buffer
	decodeEnvelope                   // the envelope only, aliasing the read buffer
)

func (v *View) forEachCached(recs []Record, mode decodeMode, fn func(Record, *Cached) error) error {
	const chunk = 1 << 20
	var buf []byte
	var bufOff uint64
	var arena *cachedArena
	if mode != decodeCopy {
		arena = new(cachedArena)
	}
	for i, r := range recs {
		end := r.cacheOffset + uint64(r.cacheLen)
		var c *Cached
		err := errors.New("cache record out of range")
		if r.cacheLen >= cacheRecordFixed && end <= v.img.hdr.CacheLen {
			err = nil
			if r.cacheOffset < bufOff || end > bufOff+uint64(len(buf)) {
				buf, err = v.readChunk(buf, r.cacheOffset, v.chunkSize(recs[i:], chunk))
				bufOff = r.cacheOffset
			}
			if err == nil && end <= bufOff+uint64(len(buf)) {
				c, err = v.decodeAt(r.UID, buf[r.cacheOffset-bufOff:end-bufOff], arena, mode == decodeEnvelope)
			} else if err == nil {
				err = io.ErrUnexpectedEOF
			}
		}
		if err != nil {
			if c, err = v.rebuildCached(r, err); err != nil {
				return err
			}
		}
		if err := fn(r, c); err != nil {
			return err
		}
	}
	return nil
}

// decodeAt decodes the framed cache record b of uid: into a private copy
// when arena is nil, else borrowing b and arena (only the envelope when
// envelopeOnly).
func (v *View) decodeAt(uid uint32, b []byte, arena *cachedArena, envelopeOnly bool) (*Cached, error) {
	if arena == nil {
		return decodeCacheRecord(uid, b)
	}
	payload, err := checkCacheRecord(uid, b)
	if err != nil {
		return nil, err
	}
	return decodeCachedPayload(uid, payload, arena, envelopeOnly)
}

// chunkSize is how much to read for the walk over recs: up to limit bytes,
// but no more than the records ahead need (a short walk reads little), and
// never less than the first record.
func (v *View) chunkSize(recs []Record, limit uint64) uint64 {
	first := recs[0]
	n := uint64(first.cacheLen)
	for _, r := range recs[1:] {
		end := r.cacheOffset + uint64(r.cacheLen)
		if r.cacheOffset < first.cacheOffset || end-first.cacheOffset > limit {
			break
		}
		n = end - first.cacheOffset
	}
	return min(n, v.img.hdr.CacheLen-first.cacheOffset)
}

// readChunk reads n cache bytes at off into buf, growing it when needed.
func (v *View) readChunk(buf []byte, off, n uint64) ([]byte, error) {
	if uint64(cap(buf)) < n {
		buf = make([]byte, n)
	}
	buf = buf[:n]
	rn, err := v.cache.ReadAt(buf, int64(off))
	if err == io.EOF {
		err = nil
	}
	return buf[:rn], err
}
