package mailbox

import (
	"crypto/rand"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"time"

	"golang.org/x/sys/unix"
)

// ReconstructOptions tune Reconstruct.
type ReconstructOptions struct {
	// Name recreates a missing or unreadable cyrus.header; without it such a
	// mailbox is an error.
	Name string
	// UniqueID for a recreated header; empty: a new random one.
	UniqueID string
	// DryRun reports what would change without changing anything (-n).
	DryRun bool
	// RecomputeGUID re-reads every message and fixes wrong GUIDs (-G).
	RecomputeGUID bool
	// SkipStat trusts index sizes instead of stat'ing every file (-s).
	SkipStat bool
	// NewUIDValidity allocates a UIDVALIDITY (pkg/mboxlist's counter). It
	// is called only when the index header is lost: with it goes uidnext,
	// and UIDs of expunged messages whose files are gone could be given
	// again, so the mailbox must start a new UIDVALIDITY (RFC 3501
	// §2.3.1.1). Without it such a reconstruct fails with ErrNoUIDValidity.
	NewUIDValidity func() (uint32, error)
	Logger         *slog.Logger
}

// ReconstructReport says what Reconstruct found and changed.
type ReconstructReport struct {
	Mailbox         string
	Changes         []string // one line per repair, for the tool to print
	Adopted         []uint32 // message files without an index record, now indexed
	Dropped         []uint32 // records whose file was gone, now tombstones
	GUIDFixed       []uint32
	RemovedFiles    []uint32 // files of already expunged messages, deleted
	HeaderRecreated bool
	UIDValidity     uint32
	UIDNext         uint32
	HighestModSeq   uint64
	Exists          uint32
	QuotaUsedBefore uint64
	QuotaUsed       uint64
	DryRun          bool
}

// Changed reports whether anything was (or, in a dry run, would be) repaired.
func (r *ReconstructReport) Changed() bool { return len(r.Changes) > 0 }

func (r *ReconstructReport) addf(format string, args ...any) {
	r.Changes = append(r.Changes, fmt.Sprintf(format, args...))
}

// Reconstruct rebuilds cyrus.index and cyrus.cache of the mailbox in dir
// from its message files: UIDs come from the "<uid>." file names; flags,
// dates and modseqs are kept from every old index record whose checksum
// holds (also from a truncated index); stray files are adopted; records
// whose file is gone become tombstones; uidnext, uidvalidity,
// highestmodseq, exists and quota used are recomputed. It holds the
// exclusive lock throughout and replaces the files atomically.
func Reconstruct(dir string, opts ReconstructOptions) (*ReconstructReport, error) {
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	fi, err := os.Stat(dir)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("%s: %w", dir, ErrNotFound)
		}
		return nil, err
	}
	if !fi.IsDir() {
		return nil, fmt.Errorf("%s: not a directory: %w", dir, ErrNotFound)
	}
	lf, err := os.OpenFile(filepath.Join(dir, lockFile), os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, err
	}
	defer lf.Close()
	if err := flock(lf, unix.LOCK_EX); err != nil {
		return nil, err
	}
	rep := &ReconstructReport{DryRun: opts.DryRun}
	hdr, err := ReadHeader(dir)
	if err != nil {
		if opts.Name == "" {
			return nil, fmt.Errorf("reconstruct %s: %w (give the mailbox name to recreate cyrus.header)", dir, err)
		}
		hdr = Header{Name: opts.Name, UniqueID: opts.UniqueID}
		if hdr.UniqueID == "" {
			hdr.UniqueID = newUniqueID()
		}
		rep.HeaderRecreated = true
		rep.addf("cyrus.header: %v; recreated", err)
	}
	rep.Mailbox = hdr.Name
	rb := &rebuild{dir: dir, opts: opts, rep: rep, log: log}
	if err := rb.loadOld(); err != nil {
		return nil, err
	}
	if err := rb.scanDir(); err != nil {
		return nil, err
	}
	newHdr, recs, cache, err := rb.build(&hdr)
	if err != nil {
		return nil, err
	}
	rep.UIDValidity, rep.UIDNext, rep.HighestModSeq = newHdr.UIDValidity, newHdr.UIDNext, newHdr.HighestModSeq
	rep.Exists, rep.QuotaUsed = newHdr.Exists, newHdr.QuotaUsed
	if hdr.UIDValidity != newHdr.UIDValidity {
		hdr.UIDValidity = newHdr.UIDValidity
		if !rep.HeaderRecreated && rb.oldHdrOK { // else newUIDValidity said it
			rep.addf("cyrus.header: uidvalidity set to %d", hdr.UIDValidity)
		}
	}
	if opts.DryRun || !rep.Changed() {
		return rep, nil
	}
	if err := writeFileAtomic(dir, cacheFile, cache); err != nil {
		return nil, err
	}
	index := encodeIndexHeader(&newHdr)
	for i := range recs {
		var b [indexRecordSize]byte
		encodeRecord(b[:], &recs[i])
		index = append(index, b[:]...)
	}
	if err := writeFileAtomic(dir, indexFile, index); err != nil {
		return nil, err
	}
	if err := writeHeader(dir, hdr); err != nil {
		return nil, err
	}
	// The log's changes are in the new index; it applies to the old one.
	if err := removeIndexLog(dir); err != nil {
		return nil, err
	}
	if err := syncDir(dir); err != nil {
		return nil, err
	}
	for _, uid := range rep.RemovedFiles {
		os.Remove(messagePath(dir, uid))
	}
	for _, name := range rb.staleTemps {
		os.Remove(filepath.Join(dir, name))
	}
	log.Info("reconstructed mailbox", "mailbox", hdr.Name, "changes", len(rep.Changes))
	return rep, nil
}

// rebuild carries Reconstruct's working state.
type rebuild struct {
	dir  string
	opts ReconstructOptions
	rep  *ReconstructReport
	log  *slog.Logger

	oldHdr     indexHeader
	oldHdrOK   bool
	old        map[uint32]Record
	oldCache   []byte
	files      map[uint32]os.FileInfo
	staleTemps []string
}

func (rb *rebuild) loadOld() error {
	data, err := os.ReadFile(filepath.Join(rb.dir, indexFile))
	switch {
	case errors.Is(err, fs.ErrNotExist):
		rb.rep.addf("cyrus.index missing: rebuilt from message files (flags are lost)")
	case err != nil:
		return err
	default:
		rb.oldHdr, err = decodeIndexHeader(data)
		rb.oldHdrOK = err == nil
	}
	l, changes, err := rb.loadLog(data)
	if err != nil {
		return err
	}
	if rb.oldHdrOK {
		if _, _, derr := decodeIndexAs(data, l.effective(rb.oldHdr)); derr != nil {
			rb.rep.addf("%v", derr)
		}
		rb.oldHdr = l.effective(rb.oldHdr)
	}
	rb.old = map[uint32]Record{}
	for _, r := range salvageRecords(data) {
		if prev, dup := rb.old[r.UID]; !dup || r.ModSeq > prev.ModSeq {
			rb.old[r.UID] = r
		}
	}
	for _, c := range changes {
		if r, ok := rb.old[c.uid]; ok && !r.expunged() {
			r.Flags, r.Keywords, r.ModSeq = c.flags, c.keywords, c.modseq
			rb.old[c.uid] = r
		}
	}
	if rb.oldHdrOK {
		rb.rep.QuotaUsedBefore = rb.oldHdr.QuotaUsed
	}
	rb.oldCache, err = os.ReadFile(filepath.Join(rb.dir, cacheFile))
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	if checkCacheFileHeader(rb.oldCache) != nil {
		rb.oldCache = nil
	}
	return nil
}

// loadLog reads cyrus.indexlog (indexlog.go) when its changes apply to
// the index whose image is data: their flags are kept like the index's
// own. A damaged log gives the entries before the damage and is
// reported; a log applying to no index is debris, removed.
func (rb *rebuild) loadLog(data []byte) (*indexLog, []logChange, error) {
	path := filepath.Join(rb.dir, indexLogFile)
	fi, err := os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return &indexLog{}, nil, nil
	}
	if err != nil {
		return nil, nil, err
	}
	l := &indexLog{}
	var changes []logChange
	if fi.Size() > indexLogMax {
		rb.rep.addf("%s: %d bytes, over the %d a log may hold: ignored", indexLogFile, fi.Size(), indexLogMax)
	} else {
		buf, err := os.ReadFile(path)
		if err != nil {
			return nil, nil, err
		}
		if l, err = parseIndexLog(buf, func(e *logEntry) error {
			changes = append(changes, e.changes...)
			return nil
		}); err != nil {
			rb.rep.addf("%v: the %d entries before it kept", err, l.entries)
		}
	}
	if len(data) < indexHeaderSize || !l.applies(data[:indexHeaderSize]) {
		if !rb.opts.DryRun {
			if err := removeIndexLog(rb.dir); err != nil {
				return nil, nil, err
			}
		}
		return &indexLog{}, nil, nil
	}
	return l, changes, nil
}

func (rb *rebuild) scanDir() error {
	entries, err := os.ReadDir(rb.dir)
	if err != nil {
		return err
	}
	rb.files = map[uint32]os.FileInfo{}
	for _, e := range entries {
		name := e.Name()
		if uid, ok := isMessageFile(name); ok && e.Type().IsRegular() {
			fi, err := e.Info()
			if err != nil {
				continue // raced with an unlink
			}
			rb.files[uid] = fi
		} else if IsTempName(name) && e.Type().IsRegular() && !TempOwnerAlive(name) {
			// Left by a writer that died, whatever its age; a live
			// writer's file is its own to rename or remove.
			rb.staleTemps = append(rb.staleTemps, name)
			rb.rep.addf("stale temporary file %s removed", name)
		}
	}
	return nil
}

// oldPayload returns the cache payload of r from the old cache if intact.
func (rb *rebuild) oldPayload(r Record) ([]byte, bool) {
	end := r.cacheOffset + uint64(r.cacheLen)
	if r.cacheLen < cacheRecordFixed || end > uint64(len(rb.oldCache)) || r.cacheOffset < cacheHeaderSize {
		return nil, false
	}
	b := rb.oldCache[r.cacheOffset:end]
	if _, err := decodeCacheRecord(r.UID, b); err != nil {
		return nil, false
	}
	return b[8 : len(b)-4], true
}

// newUIDValidity gives a mailbox whose index header is lost a new
// UIDVALIDITY (old is cyrus.header's, 0 if unknown). A dry run allocates
// nothing and only says so.
func (rb *rebuild) newUIDValidity(nh *indexHeader, old uint32) error {
	if rb.opts.DryRun {
		rb.rep.addf("uidnext unknown: a new uidvalidity would replace %d", old)
		nh.UIDValidity = old
		return nil
	}
	if rb.opts.NewUIDValidity == nil {
		return fmt.Errorf("reconstruct %s: the index header is lost: %w", rb.dir, ErrNoUIDValidity)
	}
	v, err := rb.opts.NewUIDValidity()
	if err != nil {
		return fmt.Errorf("reconstruct %s: %w", rb.dir, err)
	}
	if v == 0 {
		return fmt.Errorf("reconstruct %s: the allocator gave 0: %w", rb.dir, ErrNoUIDValidity)
	}
	nh.UIDValidity = v
	rb.rep.addf("uidnext unknown: new uidvalidity %d (was %d)", v, old)
	return nil
}

func (rb *rebuild) build(h *Header) (indexHeader, []Record, []byte, error) {
	rep := rb.rep
	var nh indexHeader
	if rb.oldHdrOK {
		nh = rb.oldHdr
	} else if err := rb.newUIDValidity(&nh, h.UIDValidity); err != nil {
		return nh, nil, nil, err
	}
	if nh.UIDNext == 0 {
		nh.UIDNext = 1
	}
	nh.HighestModSeq = max(nh.HighestModSeq, 1) // the creation's (mailbox.go Create)
	uidSet := map[uint32]bool{}
	for uid, r := range rb.old {
		uidSet[uid] = true
		nh.HighestModSeq = max(nh.HighestModSeq, r.ModSeq)
	}
	if !rb.oldHdrOK {
		// Which tombstones compaction dropped is lost with the header:
		// clients resynchronising from before now get every absent UID.
		nh.DeletedModSeq = nh.HighestModSeq
	}
	for uid := range rb.files {
		uidSet[uid] = true
	}
	uids := make([]uint32, 0, len(uidSet))
	for uid := range uidSet {
		uids = append(uids, uid)
	}
	sort.Slice(uids, func(i, j int) bool { return uids[i] < uids[j] })
	if n := len(uids); n > 0 && uids[n-1] >= nh.UIDNext {
		rep.addf("uidnext %d -> %d", nh.UIDNext, uids[n-1]+1)
		nh.UIDNext = uids[n-1] + 1
	}

	cache := cacheFileHeader()
	recs := make([]Record, 0, len(uids))
	nh.Exists, nh.QuotaUsed = 0, 0
	now := time.Now()
	for _, uid := range uids {
		r, hadRec := rb.old[uid]
		fi, hasFile := rb.files[uid]
		var payload []byte
		switch {
		case hadRec && r.expunged():
			// A retained file (delayed expunge) stays for unexpunge; one
			// whose unlink was interrupted goes.
			if hasFile && !r.retained() {
				rep.RemovedFiles = append(rep.RemovedFiles, uid)
				rep.addf("uid %d: file of expunged message removed", uid)
			}
			recs = append(recs, r)
			continue
		case hadRec && !hasFile:
			nh.HighestModSeq++
			r.Flags |= flagExpunged | flagUnlinked
			r.setExpungedAt(now)
			r.ModSeq = nh.HighestModSeq
			rep.Dropped = append(rep.Dropped, uid)
			rep.addf("uid %d: message file missing; record dropped", uid)
			recs = append(recs, r)
			continue
		case !hadRec:
			p, err := describeFile(messagePath(rb.dir, uid))
			if err != nil {
				return nh, nil, nil, err
			}
			nh.HighestModSeq++
			r = Record{UID: uid, ModSeq: nh.HighestModSeq, Size: p.size, HeaderSize: p.headerSize, GUID: p.guid}
			// The file's mtime is the best record left of when it was
			// written into this mailbox: both dates come from it
			// (man/man8/reconstruct.8), so SAVEDBEFORE still finds old mail.
			r.SetInternalDate(fi.ModTime())
			r.SetSentDate(p.sentDate)
			r.SetSaveDate(fi.ModTime())
			payload = p.payload
			rep.Adopted = append(rep.Adopted, uid)
			rep.addf("uid %d: message file without index record adopted", uid)
		default:
			var ok bool
			payload, ok = rb.oldPayload(r)
			sizeWrong := !rb.opts.SkipStat && fi.Size() != int64(r.Size)
			if !ok || sizeWrong || rb.opts.RecomputeGUID {
				p, err := describeFile(messagePath(rb.dir, uid))
				if err != nil {
					return nh, nil, nil, err
				}
				if !ok {
					rep.addf("uid %d: cache record rebuilt", uid)
				}
				payload = p.payload
				if sizeWrong || p.guid != r.GUID && rb.opts.RecomputeGUID {
					if p.guid != r.GUID {
						rep.GUIDFixed = append(rep.GUIDFixed, uid)
					}
					rep.addf("uid %d: size/GUID fixed from message file", uid)
					nh.HighestModSeq++
					r.ModSeq = nh.HighestModSeq
					r.Size, r.HeaderSize, r.GUID = p.size, p.headerSize, p.guid
					r.SetSentDate(p.sentDate)
				}
			}
		}
		framed := encodeCacheRecord(uid, payload)
		r.cacheOffset, r.cacheLen = uint64(len(cache)), uint32(len(framed))
		cache = append(cache, framed...)
		nh.Exists++
		nh.QuotaUsed += uint64(r.Size)
		recs = append(recs, r)
	}
	nh.NumRecords = uint32(len(recs))
	nh.CacheLen = uint64(len(cache))
	// The files of RemovedFiles go after the new index: should that be
	// interrupted, the flag has the next writer finish it.
	nh.UnlinkPending = len(rep.RemovedFiles) > 0
	nh.Generation++
	nh.LastChanged = now.UnixNano()
	if rb.oldHdrOK && (nh.Exists != rb.oldHdr.Exists || nh.QuotaUsed != rb.oldHdr.QuotaUsed) {
		rep.addf("exists %d -> %d, quota used %d -> %d", rb.oldHdr.Exists, nh.Exists, rb.oldHdr.QuotaUsed, nh.QuotaUsed)
	}
	return nh, recs, cache, nil
}

func newUniqueID() string {
	const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
	b := make([]byte, 24)
	rand.Read(b)
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b)
}
