package mailbox

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"golang.org/x/sys/unix"
)

// ImportRecord is one message of a mailbox brought from another server
// (cyr_import), kept exactly: its UID, flags, keywords, modseq and dates.
type ImportRecord struct {
	UID          uint32
	Flags        Flags
	Keywords     []string
	ModSeq       uint64
	InternalDate time.Time
	SaveDate     time.Time
	Source       string // the message file to copy (CRLF line ends, as Cyrus keeps them)
}

// ImportIndex is the state of an imported mailbox.
type ImportIndex struct {
	UIDNext       uint32 // at least the highest UID + 1
	HighestModSeq uint64 // raised to the highest record's if lower
	DeletedModSeq uint64 // the highest modseq of expunges not carried
	Records       []ImportRecord
}

// Import makes the mailbox in dir from imported state, keeping h (name,
// uniqueid, UIDVALIDITY) and every UID, modseq, flag and date. Each
// message file is copied and fsync'd, then the cache and index are
// written, and cyrus.header last (as Create does): until it exists the
// directory is not a mailbox, and a rerun of Import clears what an
// interrupted one left. A directory that already holds this mailbox (same
// header) is left alone and Import returns ErrExists wrapped, so a rerun
// changes nothing.
func Import(dir string, h Header, in ImportIndex) error {
	if h.UIDValidity == 0 {
		return fmt.Errorf("import %s: %w", dir, ErrNoUIDValidity)
	}
	if old, err := ReadHeader(dir); err == nil {
		if old.UniqueID == h.UniqueID && old.UIDValidity == h.UIDValidity {
			return fmt.Errorf("import %s: %w", dir, ErrExists)
		}
		return fmt.Errorf("import %s: holds another mailbox (%s): %w", dir, old.Name, ErrExists)
	} else if !errors.Is(err, fs.ErrNotExist) && !errors.Is(err, ErrNotFound) {
		return fmt.Errorf("import %s: %w", dir, err)
	}
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return err
	}
	lf, err := os.OpenFile(filepath.Join(dir, lockFile), os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return err
	}
	defer lf.Close()
	if err := flock(lf, unix.LOCK_EX); err != nil {
		return err
	}
	// What an interrupted import left: no header, so no mailbox yet.
	entries, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	for _, e := range entries {
		if e.Name() != lockFile && ownFile(e) {
			if err := os.Remove(filepath.Join(dir, e.Name())); err != nil {
				return err
			}
		}
	}
	ih := indexHeader{UIDValidity: h.UIDValidity, UIDNext: max(in.UIDNext, 1), HighestModSeq: in.HighestModSeq,
		DeletedModSeq: in.DeletedModSeq, Generation: 1, LastChanged: time.Now().UnixNano()}
	cache := cacheFileHeader()
	recs := make([]Record, 0, len(in.Records))
	keywords := h.Keywords
	var prev uint32
	for _, ir := range in.Records {
		if ir.UID <= prev {
			return fmt.Errorf("import %s: UID %d after %d: %w", dir, ir.UID, prev, ErrInvalidImport)
		}
		prev = ir.UID
		if ir.Flags&^systemFlagMask != 0 {
			return fmt.Errorf("import %s: UID %d: flags %#x: %w", dir, ir.UID, ir.Flags, ErrInvalidImport)
		}
		r := Record{UID: ir.UID, Flags: ir.Flags, ModSeq: ir.ModSeq}
		for _, k := range ir.Keywords {
			i, err := keywordIndex(&keywords, k)
			if err != nil {
				return fmt.Errorf("import %s: UID %d: %w", dir, ir.UID, err)
			}
			r.Keywords = r.Keywords.With(i)
		}
		path := messagePath(dir, ir.UID)
		tmp, err := copyToTemp(dir, ir.Source)
		if err != nil {
			return fmt.Errorf("import %s: UID %d: %w", dir, ir.UID, err)
		}
		if err := os.Rename(tmp, path); err != nil {
			os.Remove(tmp)
			return err
		}
		p, err := describeFile(path)
		if err != nil {
			return err
		}
		r.Size, r.HeaderSize, r.GUID = p.size, p.headerSize, p.guid
		r.SetInternalDate(ir.InternalDate)
		r.SetSentDate(p.sentDate)
		r.SetSaveDate(ir.SaveDate)
		framed := encodeCacheRecord(ir.UID, p.payload)
		r.cacheOffset, r.cacheLen = uint64(len(cache)), uint32(len(framed))
		cache = append(cache, framed...)
		ih.Exists++
		ih.QuotaUsed += uint64(r.Size)
		ih.HighestModSeq = max(ih.HighestModSeq, r.ModSeq)
		ih.UIDNext = max(ih.UIDNext, ir.UID+1)
		recs = append(recs, r)
	}
	ih.NumRecords = uint32(len(recs))
	ih.CacheLen = uint64(len(cache))
	h.Keywords = keywords
	if _, err := encodeHeader(h); err != nil {
		return fmt.Errorf("import %s: %w", dir, err)
	}
	if err := writeFileAtomic(dir, cacheFile, cache); err != nil {
		return err
	}
	index := encodeIndexHeader(&ih)
	for i := range recs {
		var b [indexRecordSize]byte
		encodeRecord(b[:], &recs[i])
		index = append(index, b[:]...)
	}
	if err := writeFileAtomic(dir, indexFile, index); err != nil {
		return err
	}
	// The message files' names and the index must be durable before the
	// header makes the directory a mailbox.
	if err := syncDir(dir); err != nil {
		return err
	}
	if err := writeHeader(dir, h); err != nil {
		return err
	}
	if err := syncDir(dir); err != nil {
		return err
	}
	return syncDir(filepath.Dir(dir))
}

// ErrInvalidImport: the imported state breaks a rule of the index (UIDs
// out of order, unknown flag bits).
var ErrInvalidImport = errors.New("invalid imported mailbox state")
