package mailbox

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"time"

	"golang.org/x/sys/unix"
)

// QuotaHook keeps the mailbox's quota charge equal to its index. The
// caller binds it to the mailbox's quota root. Every change of usage is
// charged by the writer holding the exclusive lock, in the critical section
// of the index commit that makes it (append, expunge, unexpunge), so the
// charge and the index can only disagree after a crash between the two, and
// the next writer to charge — or Sync — puts them right (doc.go).
type QuotaHook interface {
	// Check tells whether bytes/msgs more would fit now, charging
	// nothing (APPEND asks before inviting a literal). A refusal wraps
	// ErrOverQuota.
	Check(ctx context.Context, bytes, msgs int64) error
	// Charge makes what is charged for the mailbox held plus the change
	// (bytes, msgs), where held is what the index holds before the
	// commit: a charge left by a crashed writer is corrected in the same
	// transaction. A refusal wraps ErrOverQuota; a reduction is always
	// allowed.
	Charge(ctx context.Context, held QuotaHeld, bytes, msgs int64) error
	// Sync makes what is charged equal to held (what a durable index
	// holds): the end of every commit that charged, and the repair after
	// a crash.
	Sync(ctx context.Context, held QuotaHeld) error
}

// QuotaHeld is the usage an index holds: its live messages and their bytes.
type QuotaHeld struct{ Bytes, Msgs int64 }

func heldOf(h *indexHeader) QuotaHeld {
	return QuotaHeld{Bytes: int64(h.QuotaUsed), Msgs: int64(h.Exists)}
}

// Options are the caller's hooks. The zero value works: no quota, no
// notification, logs discarded.
type Options struct {
	Logger *slog.Logger
	Quota  QuotaHook
	// Notify is called with the mailbox name after every commit that
	// changed it, so idling sessions elsewhere can wake.
	Notify func(mailboxName string)
	// KeepExpunged keeps the files of expunged messages for unexpunge
	// until PurgeExpunged removes them (expunge_mode: delayed).
	KeepExpunged bool
	// CrashAt, for tests only, is called at the points of a commit where a
	// crash must leave what the next writer repairs: "charged" (quota
	// charged, index not written) and "committed" (index durable, lock
	// still held). A test's child process exits there.
	CrashAt func(point string)
	// QuotaTimeout bounds each call of the quota hook made under the
	// exclusive lock (0 = DefaultQuotaTimeout): a db service that does not
	// answer fails the change, releasing the lock, instead of holding
	// every writer of the mailbox.
	QuotaTimeout time.Duration
}

// DefaultQuotaTimeout is the bound of a quota charge made under the lock:
// far above a healthy db service's few milliseconds, short enough that
// clients waiting on the lock get an answer.
const DefaultQuotaTimeout = 10 * time.Second

// quotaContext is the context of one quota call made under the lock,
// bounded by d (0 = DefaultQuotaTimeout).
func quotaContext(d time.Duration) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), boundOf(d))
}

func boundOf(d time.Duration) time.Duration {
	if d <= 0 {
		return DefaultQuotaTimeout
	}
	return d
}

// Mailbox is an open mailbox directory. It is safe for concurrent use.
type Mailbox struct {
	dir    string
	opts   Options
	log    *slog.Logger
	shared *sharedDir

	mu     sync.Mutex // guards view and closed
	rd     *sharedReader
	view   *View
	closed bool
}

// Create makes a new, empty mailbox in dir (creating dir and its parents).
// h.Name, h.UniqueID and h.UIDValidity are required. The UIDVALIDITY is
// not chosen here: only the server-wide counter (pkg/mboxlist) knows which
// values were handed out before (RFC 3501 §2.3.1.1).
func Create(dir string, h Header) error {
	if h.UIDValidity == 0 {
		return fmt.Errorf("create %s: %w", dir, ErrNoUIDValidity)
	}
	if _, err := encodeHeader(h); err != nil {
		return fmt.Errorf("create %s: %w", dir, err)
	}
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return err
	}
	if _, err := os.Stat(filepath.Join(dir, headerFile)); err == nil {
		return fmt.Errorf("%s: %w", dir, ErrExists)
	}
	// The creation is the mailbox's first change: a mod-sequence-value
	// is at least 1 (RFC 7162 §7), and Cyrus gives the creation modseq 1.
	ih := indexHeader{UIDValidity: h.UIDValidity, UIDNext: 1, HighestModSeq: 1, LastChanged: time.Now().UnixNano(),
		CacheLen: cacheHeaderSize, Generation: 1}
	for _, f := range []struct {
		name string
		data []byte
	}{{lockFile, nil}, {cacheFile, cacheFileHeader()}, {indexFile, encodeIndexHeader(&ih)}} {
		if err := writeFileAtomic(dir, f.name, f.data); err != nil {
			return err
		}
	}
	// The header last: its presence is what makes the directory a mailbox.
	if err := writeHeader(dir, h); err != nil {
		return err
	}
	if err := syncDir(dir); err != nil {
		return err
	}
	return syncDir(filepath.Dir(dir))
}

// Open opens the mailbox in dir, validating cyrus.header and every index
// record's checksum. Damage yields an error wrapping ErrCorrupt.
func Open(dir string, opts Options) (*Mailbox, error) {
	dir = filepath.Clean(dir)
	s, rd, err := acquireReader(dir)
	if err != nil {
		return nil, err
	}
	m := &Mailbox{dir: dir, opts: opts, log: opts.Logger, shared: s, rd: rd}
	if m.log == nil {
		m.log = slog.New(slog.DiscardHandler)
	}
	v, err := m.Snapshot()
	if err != nil {
		m.Close()
		return nil, err
	}
	m.finishUnlinksAtOpen(v)
	return m, nil
}

// Dir returns the mailbox directory.
func (m *Mailbox) Dir() string { return m.dir }

// Name returns the mailbox name from cyrus.header as last read.
func (m *Mailbox) Name() string {
	m.rd.mu.Lock()
	defer m.rd.mu.Unlock()
	return m.rd.h.header.Name
}

// Close releases the mailbox's descriptors. Views taken from it must not be
// used afterwards.
func (m *Mailbox) Close() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return nil
	}
	m.closed = true
	return releaseReader(m.shared, m.rd)
}

// Snapshot returns a consistent view of the mailbox, read under the shared
// lock. It is cheap when nothing changed since the last call.
func (m *Mailbox) Snapshot() (*View, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return nil, ErrClosed
	}
	h, unlock, err := m.rd.lockShared()
	if err != nil {
		return nil, err
	}
	defer unlock()
	img, err := h.loadIndex()
	if err != nil {
		return nil, err
	}
	if m.view != nil && m.view.img == img && m.view.Header.Name == h.header.Name &&
		len(m.view.Header.Keywords) == len(h.header.Keywords) {
		return m.view, nil
	}
	m.view = newView(m, img, h.header, h.cache)
	return m.view, nil
}

// UIDNext reads the next UID from the index header alone: cheap even for
// a large mailbox whose records no handle of the process has decoded yet.
func (m *Mailbox) UIDNext() (uint32, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return 0, ErrClosed
	}
	h, unlock, err := m.rd.lockShared()
	if err != nil {
		return 0, err
	}
	defer unlock()
	hdr, err := h.readIndexHeader()
	if err != nil {
		return 0, err
	}
	return hdr.UIDNext, nil
}

// MessagePath returns the path of a message file. The file of a live
// message exists; that of an expunged one may be kept (KeepExpunged).
func (m *Mailbox) MessagePath(uid uint32) string { return messagePath(m.dir, uid) }

// OpenMessage opens the raw message file of uid.
func (m *Mailbox) OpenMessage(uid uint32) (*os.File, error) {
	f, err := openFile(messagePath(m.dir, uid), os.O_RDONLY, 0)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%s uid %d: %w", m.dir, uid, ErrNoSuchMessage)
	}
	return f, err
}

// OpenLiveMessage is OpenMessage for a message that must not have been
// expunged meanwhile (its file may be kept after the expunge): the check
// follows the open, so the file read is one of a message live at that time.
func (m *Mailbox) OpenLiveMessage(uid uint32) (*os.File, error) {
	f, err := m.OpenMessage(uid)
	if err != nil {
		return nil, err
	}
	v, err := m.Snapshot()
	if err != nil {
		f.Close()
		return nil, err
	}
	if _, ok := v.Lookup(uid); !ok {
		f.Close()
		return nil, fmt.Errorf("%s uid %d: %w", m.dir, uid, ErrNoSuchMessage)
	}
	return f, nil
}

func messagePath(dir string, uid uint32) string {
	return filepath.Join(dir, fmt.Sprintf("%d.", uid))
}

// syncDir fsyncs a directory: made with raw system calls, because os.Open
// would first try to register the descriptor with the network poller (five
// system calls more on every commit).
func syncDir(dir string) error {
	fd, err := unix.Open(dir, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	for err == unix.EINTR {
		fd, err = unix.Open(dir, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	}
	if err != nil {
		return &os.PathError{Op: "open", Path: dir, Err: err}
	}
	defer unix.Close(fd)
	for {
		err = unix.Fsync(fd)
		if err != unix.EINTR {
			break
		}
	}
	if err != nil {
		return &os.PathError{Op: "fsync", Path: dir, Err: err}
	}
	return nil
}

// sharedDir is the per-process state of one mailbox directory: the reader
// and writer descriptors and the group-commit queue. Writers in one process
// share it so that concurrent appends share fsyncs; readers so that N
// sessions on one mailbox hold one set of descriptors, not N.
type sharedDir struct {
	dir  string
	refs int
	rd   *sharedReader // the current reader; guarded by registryMu

	writeMu sync.Mutex // serialises writers in this process; held with the flock
	wh      *handle

	qmu     sync.Mutex
	queue   []*appendReq
	running bool
}

var (
	registryMu sync.Mutex
	registry   = map[string]*sharedDir{}
)

// acquireShared returns dir's shared state, counting a reference.
// registryMu held.
func acquireShared(dir string) *sharedDir {
	s := registry[dir]
	if s == nil {
		s = &sharedDir{dir: dir}
		registry[dir] = s
	}
	s.refs++
	return s
}

// releaseShared drops a reference to s, closing the writer descriptors
// with the last. registryMu held.
func releaseShared(s *sharedDir) {
	s.refs--
	if s.refs > 0 {
		return
	}
	delete(registry, s.dir)
	s.writeMu.Lock()
	if s.wh != nil {
		s.wh.close()
		s.wh = nil
	}
	s.writeMu.Unlock()
}

// lockWriter takes the in-process writer mutex and the exclusive flock.
// The returned function undoes both.
func (s *sharedDir) lockWriter() (*handle, func(), error) { return s.lockWriterLog(true, nil) }

// lockWriterLog is lockWriter; with fold, cyrus.indexlog's changes are
// first written into cyrus.index (indexlog.go), which every writer but a
// flag change needs: they write records and the header in place.
func (s *sharedDir) lockWriterLog(fold bool, crashAt func(string)) (*handle, func(), error) {
	s.writeMu.Lock()
	if s.wh == nil {
		wh, err := openHandle(s.dir)
		if err != nil {
			s.writeMu.Unlock()
			return nil, nil, err
		}
		s.wh = wh
	}
	if err := s.wh.lockExclusive(); err != nil {
		if errors.Is(err, ErrNotFound) {
			s.wh.close()
			s.wh = nil
		}
		s.writeMu.Unlock()
		return nil, nil, err
	}
	if fold {
		if err := s.wh.foldIndexLog(crashAt); err != nil {
			s.wh.unlock()
			s.writeMu.Unlock()
			return nil, nil, err
		}
	}
	// Temp files of writers that died are removed by the next writer
	// (once per process and directory; tempfile.go).
	sweepOnce(s.dir)
	// So are the files of expunged messages a writer died before
	// removing (unlink.go). Housekeeping: what it cannot remove,
	// Reconstruct reports and removes.
	_ = s.wh.finishInterruptedUnlinks()
	return s.wh, func() { s.wh.unlock(); s.writeMu.Unlock() }, nil
}
