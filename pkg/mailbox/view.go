package mailbox

import (
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
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
	if int(img.hdr.Exists) == len(img.recs) {
		v.Records = img.recs
		return v
	}
	v.Records = make([]Record, 0, img.hdr.Exists)
	for i := range img.recs {
		r := &img.recs[i]
		if r.expunged() {
			v.tombstones = append(v.tombstones, tombstone{r.UID, r.ModSeq})
		} else {
			v.Records = append(v.Records, *r)
		}
	}
	return v
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
	return append(r.Flags.Names(), v.Keywords(r)...)
}

// Changes is what changed after a modseq: live records whose modseq is
// higher (new messages and flag changes alike; a session tells them apart
// by UID) and the UIDs expunged since.
type Changes struct {
	HighestModSeq uint64
	Updated       []Record
	Expunged      []uint32
}

// ChangesSince lists the changes after modseq (CONDSTORE CHANGEDSINCE,
// QRESYNC VANISHED, and the EXISTS/EXPUNGE/FETCH of an idling session).
func (v *View) ChangesSince(modseq uint64) Changes {
	c := Changes{HighestModSeq: v.HighestModSeq}
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

// Cached returns r's cache entry. A missing or damaged cache record (the
// cache is not fsync'd on every commit, see doc.go) is rebuilt from the
// message file; only when that fails too is an error returned.
func (v *View) Cached(r Record) (*Cached, error) {
	buf := make([]byte, r.cacheLen)
	var err error
	if r.cacheLen < cacheRecordFixed || r.cacheOffset+uint64(r.cacheLen) > v.img.hdr.CacheLen {
		err = corruptf(cacheFile, "uid %d: record outside the committed cache", r.UID)
	} else if _, err = v.cache.ReadAt(buf, int64(r.cacheOffset)); err == nil {
		var c *Cached
		if c, err = decodeCacheRecord(r.UID, buf); err == nil {
			return c, nil
		}
	}
	return v.rebuildCached(r, err)
}

func (v *View) rebuildCached(r Record, cause error) (*Cached, error) {
	v.m.log.Warn("cache record unusable, parsing message", "mailbox", v.Header.Name, "uid", r.UID, "err", cause)
	raw, err := os.ReadFile(messagePath(v.m.dir, r.UID))
	if err != nil {
		return nil, &CorruptError{Mailbox: v.Header.Name, File: cacheFile,
			Detail: fmt.Sprintf("uid %d: %v, and message file unreadable: %v", r.UID, cause, err)}
	}
	p := parseMessage(raw)
	return &p.cached, nil
}

// ForEachCached calls fn with the cache entry of each record, reading the
// cache file in large chunks: the fast way to fetch many envelopes. A
// non-nil error from fn stops the walk and is returned.
func (v *View) ForEachCached(recs []Record, fn func(Record, *Cached) error) error {
	const chunk = 1 << 20
	var buf []byte
	var bufOff uint64
	for _, r := range recs {
		end := r.cacheOffset + uint64(r.cacheLen)
		var c *Cached
		err := errors.New("cache record out of range")
		if r.cacheLen >= cacheRecordFixed && end <= v.img.hdr.CacheLen {
			if r.cacheOffset < bufOff || end > bufOff+uint64(len(buf)) {
				n := max(uint64(chunk), uint64(r.cacheLen))
				n = min(n, v.img.hdr.CacheLen-r.cacheOffset)
				buf = make([]byte, n)
				bufOff = r.cacheOffset
				var rn int
				rn, err = v.cache.ReadAt(buf, int64(bufOff))
				if err == io.EOF {
					err = nil
				}
				buf = buf[:rn]
			} else {
				err = nil
			}
			if err == nil && end <= bufOff+uint64(len(buf)) {
				c, err = decodeCacheRecord(r.UID, buf[r.cacheOffset-bufOff:end-bufOff])
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
