package mailbox

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
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
	Source       string    // the message file to copy (CRLF line ends, as Cyrus keeps them)
	Body         io.Reader // instead of Source: the message text (CRLF line ends)
}

// ImportIndex is the state of an imported mailbox.
type ImportIndex struct {
	UIDNext       uint32 // at least the highest UID + 1
	HighestModSeq uint64 // raised to the highest record's if lower
	DeletedModSeq uint64 // the highest modseq of expunges not carried
	Records       []ImportRecord
	// Stream, when set, gives the records instead of Records, calling add
	// for each in UID order: a mailbox of any size is imported in flat
	// memory (nothing of a message is kept once add returns).
	Stream func(add func(ImportRecord) error) error
}

// Import makes the mailbox in dir from imported state, keeping h (name,
// uniqueid, UIDVALIDITY) and every UID, modseq, flag and date. The
// message files, cache and index are written as the records come (the
// cache and index to temporary files, so memory stays flat), then made
// durable together (one syncfs rather than a sync per message) and
// renamed, and cyrus.header is written last (as Create does): until it
// exists the directory is not a mailbox, and a rerun of Import clears
// what an interrupted one left. A directory that already holds this
// mailbox (same header) is left alone and Import returns ErrExists
// wrapped, so a rerun changes nothing.
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
	if err := clearPartial(dir); err != nil {
		return err
	}
	w, err := newImportWriter(dir, h, in)
	if err != nil {
		return err
	}
	defer w.discard()
	if in.Stream != nil {
		err = in.Stream(w.add)
	} else {
		for _, ir := range in.Records {
			if err = w.add(ir); err != nil {
				break
			}
		}
	}
	if err == nil {
		err = w.finish()
	}
	if err != nil {
		w.discard()
		if _, herr := ReadHeader(dir); herr != nil {
			clearPartial(dir) // best effort: a rerun clears it too
		}
	}
	return err
}

// clearPartial removes the files of a mailbox directory that has no
// header yet: what an interrupted or failed import wrote.
func clearPartial(dir string) error {
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
	return nil
}

// importWriter writes an imported mailbox's files as records come.
type importWriter struct {
	dir          string
	h            Header
	ih           indexHeader
	cacheF, idxF *os.File
	cache, index *bufio.Writer
	cacheLen     uint64
	prev         uint32
}

func newImportWriter(dir string, h Header, in ImportIndex) (*importWriter, error) {
	h.Keywords = slices.Clone(h.Keywords) // add appends the new ones
	w := &importWriter{dir: dir, h: h}
	w.ih = indexHeader{UIDValidity: h.UIDValidity, UIDNext: max(in.UIDNext, 1), HighestModSeq: in.HighestModSeq,
		DeletedModSeq: in.DeletedModSeq, Generation: 1, LastChanged: time.Now().UnixNano()}
	var err error
	if w.cacheF, err = createTemp(dir, cacheFile+"."); err != nil {
		return nil, err
	}
	if w.idxF, err = createTemp(dir, indexFile+"."); err != nil {
		w.discard()
		return nil, err
	}
	w.cache, w.index = bufio.NewWriterSize(w.cacheF, 256<<10), bufio.NewWriterSize(w.idxF, 256<<10)
	head := cacheFileHeader()
	w.cache.Write(head)
	w.cacheLen = uint64(len(head))
	w.index.Write(make([]byte, indexHeaderSize)) // the header is written at the end
	return w, nil
}

func (w *importWriter) add(ir ImportRecord) error {
	if ir.UID <= w.prev {
		return fmt.Errorf("import %s: UID %d after %d: %w", w.dir, ir.UID, w.prev, ErrInvalidImport)
	}
	if ir.Flags&^systemFlagMask != 0 {
		return fmt.Errorf("import %s: UID %d: flags %#x: %w", w.dir, ir.UID, ir.Flags, ErrInvalidImport)
	}
	r := Record{UID: ir.UID, Flags: ir.Flags, ModSeq: ir.ModSeq}
	for _, k := range ir.Keywords {
		i, err := keywordIndex(&w.h.Keywords, k)
		if err != nil {
			return fmt.Errorf("import %s: UID %d: %w", w.dir, ir.UID, err)
		}
		r.Keywords = r.Keywords.With(i)
	}
	path := messagePath(w.dir, ir.UID)
	tmp, err := w.writeMessage(ir)
	if err != nil {
		return fmt.Errorf("import %s: UID %d: %w", w.dir, ir.UID, err)
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
	r.cacheOffset, r.cacheLen = w.cacheLen, uint32(len(framed))
	if _, err := w.cache.Write(framed); err != nil {
		return err
	}
	w.cacheLen += uint64(len(framed))
	var b [indexRecordSize]byte
	encodeRecord(b[:], &r)
	if _, err := w.index.Write(b[:]); err != nil {
		return err
	}
	w.prev = ir.UID
	w.ih.NumRecords++
	w.ih.Exists++
	w.ih.QuotaUsed += uint64(r.Size)
	w.ih.HighestModSeq = max(w.ih.HighestModSeq, r.ModSeq)
	w.ih.UIDNext = max(w.ih.UIDNext, ir.UID+1)
	return nil
}

// writeMessage writes the message to a temporary file in the mailbox,
// not yet synced (finish syncs them all at once).
func (w *importWriter) writeMessage(ir ImportRecord) (string, error) {
	in := ir.Body
	if in == nil {
		f, err := os.Open(ir.Source)
		if err != nil {
			return "", err
		}
		defer f.Close()
		in = f
	}
	out, err := createTemp(w.dir, "")
	if err != nil {
		return "", err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		os.Remove(out.Name())
		return "", err
	}
	if err := out.Close(); err != nil {
		os.Remove(out.Name())
		return "", err
	}
	return out.Name(), nil
}

func (w *importWriter) finish() error {
	if err := w.cache.Flush(); err != nil {
		return err
	}
	if err := w.index.Flush(); err != nil {
		return err
	}
	w.ih.CacheLen = w.cacheLen
	if _, err := w.idxF.WriteAt(encodeIndexHeader(&w.ih), 0); err != nil {
		return err
	}
	if _, err := encodeHeader(w.h); err != nil {
		return fmt.Errorf("import %s: %w", w.dir, err)
	}
	// Every message file, the cache and the index reach the disk before
	// their names do, and the names before the header.
	if err := unix.Syncfs(int(w.idxF.Fd())); err != nil {
		return fmt.Errorf("import %s: syncfs: %w", w.dir, err)
	}
	if err := os.Rename(w.cacheF.Name(), filepath.Join(w.dir, cacheFile)); err != nil {
		return err
	}
	if err := os.Rename(w.idxF.Name(), filepath.Join(w.dir, indexFile)); err != nil {
		return err
	}
	if err := syncDir(w.dir); err != nil {
		return err
	}
	if err := writeHeader(w.dir, w.h); err != nil {
		return err
	}
	if err := syncDir(w.dir); err != nil {
		return err
	}
	return syncDir(filepath.Dir(w.dir))
}

// discard closes the temporary files and removes any left (after finish
// renamed them, removing is a no-op).
func (w *importWriter) discard() {
	for _, f := range []*os.File{w.cacheF, w.idxF} {
		if f != nil {
			f.Close()
			os.Remove(f.Name())
		}
	}
}

// ErrInvalidImport: the imported state breaks a rule of the index (UIDs
// out of order, unknown flag bits).
var ErrInvalidImport = errors.New("invalid imported mailbox state")
