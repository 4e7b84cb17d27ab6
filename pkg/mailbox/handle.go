package mailbox

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"syscall"

	"golang.org/x/sys/unix"

	"gocyrus/pkg/panics"
)

// handle is one set of open descriptors on a mailbox directory. Each
// process has one per directory for reading, shared by its Mailbox values
// (sharedReader), and one for writing. flock is per open file description, so two handles in one
// process exclude each other exactly as two processes do.
type handle struct {
	dir    string
	lock   *os.File // cyrus.lock: the flock target, never replaced
	index  *os.File
	cache  *os.File
	header Header
	hdrID  fileID
	// retired holds replaced descriptors that views may still read; they
	// are closed with the handle.
	retired []*os.File
	image   *indexImage // last decoded index, keyed by generation
	// log is cyrus.indexlog, nil while there is none (indexlog.go);
	// logRead is what it said when read for the index header logFor.
	log     *os.File
	logRead *indexLog
	logFor  [indexHeaderSize]byte
	// pending is the log whose changes readIndexHeader last found
	// applying to the index (nil: none), for loadIndex.
	pending *indexLog
}

// fileID identifies a file version; Reconstruct and keyword changes replace
// files by rename, which changes the inode.
type fileID struct {
	dev, ino uint64
	ctime    int64
}

func idOf(fi os.FileInfo) fileID {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return fileID{}
	}
	return fileID{dev: uint64(st.Dev), ino: uint64(st.Ino), ctime: st.Ctim.Nano()}
}

// indexImage is a decoded cyrus.index. It is immutable once published,
// except that the writer may append records to recs's spare capacity
// (beyond every reader's length) once, to derive the next image cheaply.
type indexImage struct {
	hdr  indexHeader
	recs []Record // all records, tombstones included, UID order
	// extended is set, under the writer lock, once an image's spare
	// capacity has been used by a successor; another must copy.
	extended bool
	// shared is set while recs are still another image's (a writer's
	// draft before its first change: own).
	shared bool
	// live and tombs split recs once for all views (split).
	splitOnce sync.Once
	live      []Record
	tombs     []tombstone
}

// own gives a writer's draft image its own copy of the records before it
// changes any: the image it was derived from is published and immutable.
func (img *indexImage) own() {
	if img.shared {
		img.recs, img.shared = append([]Record(nil), img.recs...), false
	}
}

// publishImage makes img, just committed by the writer handle h, the
// current image of h and of the process's other handles on the directory,
// so that no reader decodes again what the writer just wrote. Lock held.
func (h *handle) publishImage(img *indexImage) {
	h.image = img
	if img == nil {
		return
	}
	fi, err := h.index.Stat()
	if err != nil {
		return // readers decode the file themselves
	}
	decodedIndexes.put(h.dir, idOf(fi), img)
}

func openHandle(dir string) (*handle, error) {
	if _, err := os.Stat(filepath.Join(dir, headerFile)); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("%s: %w", dir, ErrNotFound)
		}
		return nil, err
	}
	lf, err := openFile(filepath.Join(dir, lockFile), os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, err
	}
	return &handle{dir: dir, lock: lf}, nil
}

func (h *handle) close() error {
	var first error
	for _, f := range append(h.retired, h.lock, h.index, h.cache, h.log) {
		if f != nil {
			if err := f.Close(); err != nil && first == nil {
				first = err
			}
		}
	}
	*h = handle{dir: h.dir}
	return first
}

func flock(f *os.File, how int) error {
	for {
		err := unix.Flock(int(f.Fd()), how)
		if err != unix.EINTR {
			return err
		}
	}
}

// lockShared takes the shared lock and makes the descriptors current.
func (h *handle) lockShared() error { return h.lockAndRefresh(unix.LOCK_SH) }

// lockExclusive takes the exclusive lock and makes the descriptors current.
func (h *handle) lockExclusive() error { return h.lockAndRefresh(unix.LOCK_EX) }

func (h *handle) unlock() { _ = flock(h.lock, unix.LOCK_UN) }

func (h *handle) lockAndRefresh(how int) error {
	if h.lock == nil {
		return ErrClosed
	}
	if err := flock(h.lock, how); err != nil {
		return fmt.Errorf("lock %s: %w", h.dir, err)
	}
	if err := h.refresh(how == unix.LOCK_EX); err != nil {
		h.unlock()
		return err
	}
	return nil
}

// refresh reopens files replaced since they were opened and rereads
// cyrus.header when it changed. Called with the lock held.
func (h *handle) refresh(write bool) error {
	fi, err := os.Stat(filepath.Join(h.dir, headerFile))
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("%s: %w", h.dir, ErrNotFound)
		}
		return err
	}
	if id := idOf(fi); id != h.hdrID {
		data, err := readFile(filepath.Join(h.dir, headerFile))
		if err != nil {
			return err
		}
		hdr, err := decodeHeader(data)
		if err != nil {
			return nameCorrupt(h.dir, err)
		}
		h.header, h.hdrID = hdr, id
	}
	flag := os.O_RDONLY
	if write {
		flag = os.O_RDWR
	}
	for _, f := range []struct {
		name string
		fp   **os.File
	}{{indexFile, &h.index}, {cacheFile, &h.cache}} {
		if err := h.reopenIfReplaced(f.name, f.fp, flag); err != nil {
			return err
		}
	}
	return h.refreshLog(flag)
}

// refreshLog opens cyrus.indexlog when it exists and reopens it when it was
// replaced (Reconstruct removes it); it is optional. Lock held.
func (h *handle) refreshLog(flag int) error {
	path := filepath.Join(h.dir, indexLogFile)
	fi, err := os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) {
		if h.log != nil {
			h.retired = append(h.retired, h.log)
			h.log, h.logRead = nil, nil
		}
		return nil
	}
	if err != nil {
		return err
	}
	if h.log != nil {
		if cur, err := h.log.Stat(); err == nil && os.SameFile(cur, fi) {
			return nil
		}
		h.retired = append(h.retired, h.log)
		h.log, h.logRead = nil, nil
	}
	f, err := openFile(path, flag, 0)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		return err
	}
	h.log = f
	return nil
}

func (h *handle) reopenIfReplaced(name string, fp **os.File, flag int) error {
	path := filepath.Join(h.dir, name)
	fi, err := os.Stat(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return &CorruptError{Mailbox: h.header.Name, File: name, Detail: "missing"}
		}
		return err
	}
	if *fp != nil {
		cur, err := (*fp).Stat()
		if err == nil && os.SameFile(cur, fi) {
			return nil
		}
		h.retired = append(h.retired, *fp)
		*fp = nil
		h.image = nil
	}
	f, err := openFile(path, flag, 0)
	if err != nil {
		return err
	}
	*fp = f
	return nil
}

// readIndexHeader reads and checks the index header and returns it as
// cyrus.indexlog moves it (the highest modseq, generation and change time
// of its last entry): the header of the state readers see. Lock held.
func (h *handle) readIndexHeader() (indexHeader, error) {
	b := make([]byte, indexHeaderSize)
	if _, err := h.index.ReadAt(b, 0); err != nil && !errors.Is(err, io.EOF) {
		return indexHeader{}, err
	}
	hdr, err := decodeIndexHeader(b)
	if err != nil {
		return hdr, nameCorrupt(h.header.Name, err)
	}
	l, err := h.readIndexLog(b)
	if err != nil {
		return hdr, err
	}
	h.pending = nil
	if l.applies(b) {
		h.pending = l
		hdr = l.effective(hdr)
	}
	return hdr, nil
}

// loadIndex returns the decoded index, rereading it only when another
// commit happened since the last call. Lock held.
func (h *handle) loadIndex() (*indexImage, error) {
	hdr, err := h.readIndexHeader()
	if err != nil {
		return nil, err
	}
	if img := h.image; img != nil && img.hdr == hdr {
		return img, nil
	}
	fi, err := h.index.Stat()
	if err != nil {
		return nil, err
	}
	id := idOf(fi)
	if img := decodedIndexes.get(h.dir, id, hdr); img != nil {
		h.image = img
		return img, nil
	}
	size := indexHeaderSize + int64(hdr.NumRecords)*indexRecordSize
	if fi.Size() < size {
		return nil, &CorruptError{Mailbox: h.header.Name, File: indexFile,
			Detail: fmt.Sprintf("truncated: %d bytes, header promises %d records (%d bytes)", fi.Size(), hdr.NumRecords, size)}
	}
	// Records a fold wrote before a crash may hold the log's modseqs:
	// they are checked against the effective header's.
	recs, err := h.readRecords(hdr)
	if err != nil {
		return nil, nameCorrupt(h.header.Name, err)
	}
	if h.pending != nil {
		if err := h.applyIndexLog(recs, h.pending); err != nil {
			return nil, err
		}
	}
	h.image = &indexImage{hdr: hdr, recs: recs}
	decodedIndexes.put(h.dir, id, h.image)
	return h.image, nil
}

// indexReadChunk is how many records loadIndex reads at a time.
const indexReadChunk = 2048

// parallelDecodeMin is the number of records from which readRecords
// decodes in one goroutine per core: the first SELECT of a large mailbox
// in a process is spent checksumming, decoding and faulting in the
// records' memory, and all three spread over the cores.
const parallelDecodeMin = 16384

// readRecords reads and checks the records hdr promises, each part through
// a small reused buffer. Lock held; hdr was just read and checked.
func (h *handle) readRecords(hdr indexHeader) ([]Record, error) {
	recs := make([]Record, hdr.NumRecords)
	parts := 1
	if len(recs) >= parallelDecodeMin {
		parts = min(runtime.GOMAXPROCS(0), 4)
	}
	ds := make([]recordDecoder, parts)
	errs := make([]error, parts)
	var wg sync.WaitGroup
	var box panics.Box // a decoder's panic is raised again here, in the session
	for p := range ds {
		ds[p] = recordDecoder{h: hdr, recs: recs, next: len(recs) * p / parts, end: len(recs) * (p + 1) / parts}
		if parts == 1 {
			errs[p] = h.readRange(&ds[p]) // a small index: no goroutine
			break
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer box.Catch()
			errs[p] = h.readRange(&ds[p])
		}()
	}
	wg.Wait()
	box.Rethrow()
	all := recordDecoder{h: hdr, recs: recs, end: len(recs)}
	for p := range ds {
		if errs[p] != nil {
			return nil, errs[p]
		}
		// Each part checked its own order; the seams are checked here.
		if first := ds[p].start; p > 0 && first < len(recs) && recs[first].UID <= all.prev {
			return nil, corruptf(indexFile, "record %d: uid %d out of order (previous %d, uidnext %d)",
				first, recs[first].UID, all.prev, hdr.UIDNext)
		}
		all.next, all.prev = ds[p].next, ds[p].prev
		all.exists += ds[p].exists
		all.used += ds[p].used
	}
	return recs, all.finish()
}

// decodeFault, set only by tests, runs at the start of each part of a
// decode so a test can inject a panic where a bug would cause one.
var decodeFault func(start int)

// readRange reads and decodes d's records, d.next up to d.end.
func (h *handle) readRange(d *recordDecoder) error {
	d.start = d.next
	if decodeFault != nil {
		decodeFault(d.start)
	}
	buf := make([]byte, min(d.end-d.next, indexReadChunk)*indexRecordSize)
	off := indexHeaderSize + int64(d.next)*indexRecordSize
	for d.next < d.end {
		n := min(d.end-d.next, indexReadChunk) * indexRecordSize
		rn, err := h.index.ReadAt(buf[:n], off)
		if rn < n {
			if err == nil || errors.Is(err, io.EOF) {
				err = corruptf(indexFile, "truncated at byte %d", off+int64(rn))
			}
			return err
		}
		if err := d.decode(buf[:n]); err != nil {
			return err
		}
		off += int64(n)
	}
	return nil
}

// cachedImage returns the decoded image matching hdr if this handle or
// another of the process has it, without reading the file. Lock held.
func (h *handle) cachedImage(hdr indexHeader) *indexImage {
	if img := h.image; img != nil && img.hdr == hdr {
		return img
	}
	fi, err := h.index.Stat()
	if err != nil {
		return nil
	}
	return decodedIndexes.get(h.dir, idOf(fi), hdr)
}

// decodedIndexes shares decoded cyrus.index images between the handles of
// one process, so that a session selecting a large mailbox another session
// (or an earlier one) already read skips reading and checksumming every
// record again. An image is immutable once published (writers change a
// private copy), so sharing it needs no copying.
//
// An entry is valid while the index file is the same inode (Reconstruct
// and the like replace it by rename) and its header is unchanged: every
// commit bumps the generation and the change time in the header. The
// cache is bounded by a count of records so that a process serving many
// mailboxes does not keep all their images.
var decodedIndexes = imageCache{maxRecords: 1 << 20}

type imageCache struct {
	mu         sync.Mutex
	maxRecords int
	records    int
	entries    []imageEntry // most recently used last
}

type imageEntry struct {
	dir string
	id  fileID
	img *indexImage
}

// reset forgets every image (benchmarks measuring a cold open).
func (c *imageCache) reset() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.entries, c.records = nil, 0
}

// get returns the image of dir's index if it is the one with that file
// identity and header.
func (c *imageCache) get(dir string, id fileID, hdr indexHeader) *indexImage {
	c.mu.Lock()
	defer c.mu.Unlock()
	for i, e := range c.entries {
		if e.dir != dir {
			continue
		}
		if e.id != id || e.img.hdr != hdr {
			return nil
		}
		c.entries = append(append(c.entries[:i:i], c.entries[i+1:]...), e)
		return e.img
	}
	return nil
}

// put records img as dir's current image, replacing an older one and
// dropping the least recently used entries beyond the bound.
func (c *imageCache) put(dir string, id fileID, img *indexImage) {
	if id == (fileID{}) || len(img.recs) > c.maxRecords {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for i, e := range c.entries {
		if e.dir == dir {
			c.records -= len(e.img.recs)
			c.entries = append(c.entries[:i:i], c.entries[i+1:]...)
			break
		}
	}
	c.entries = append(c.entries, imageEntry{dir: dir, id: id, img: img})
	c.records += len(img.recs)
	for c.records > c.maxRecords {
		c.records -= len(c.entries[0].img.recs)
		c.entries = c.entries[1:]
	}
}
