package squat

import (
	"errors"
	"fmt"
	"math"
	"os"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"syscall"

	"golang.org/x/sys/unix"
)

// Shared gives the sessions of one process the index files they search,
// read in place: each file is mapped read-only once, checked once, and
// shared by every holder of a Ref to it, so N sessions searching one
// mailbox cost one mapping (page cache, not heap). A mapping is
// unmapped when its last Ref closes; a file replaced since (squatter's
// rename, another inode) gets a new mapping while holders of the old one
// keep theirs until they close it. The zero value is not usable: use
// NewShared.
type Shared struct {
	mu sync.Mutex
	m  map[string]*mapping // by path: the newest mapping of that file
}

// NewShared returns an empty set of shared mappings.
func NewShared() *Shared { return &Shared{m: map[string]*mapping{}} }

// Version tells one version of a file from another: a rename gives
// another inode, a rewrite in place another size or modification time.
type Version struct {
	dev, ino uint64
	size     int64
	mtimeNs  int64
}

// StatVersion returns the identity of the file at path as Open would record
// it; a holder compares it with Ref.ID to notice a replaced file.
func StatVersion(path string) (Version, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return Version{}, err
	}
	return idOf(fi)
}

func idOf(fi os.FileInfo) (Version, error) {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return Version{}, fmt.Errorf("squat: %s: no inode", fi.Name())
	}
	return Version{dev: uint64(st.Dev), ino: uint64(st.Ino), size: fi.Size(), mtimeNs: fi.ModTime().UnixNano()}, nil
}

// mapping is one version of one file, mapped and checked once.
type mapping struct {
	path  string
	id    Version
	refs  int           // under Shared.mu
	ready chan struct{} // closed once data, ix and err are set
	data  []byte        // the mapping; nil when none was made
	ix    *Index        // over data; nil with err
	err   error
	// faulted: touching the mapping faulted (the file was truncated
	// under it), so no answer from it can be trusted any more.
	faulted atomic.Bool
}

// Ref is one holder's use of a shared index. It answers lookups from the
// mapping (search.TextIndex); its methods are safe for concurrent use.
// Close it when done; lookups after Close are not allowed.
type Ref struct {
	s      *Shared
	m      *mapping
	closed atomic.Bool
}

// Open returns a Ref to the index file at path, mapping and checking it
// unless a Ref to this version of it is held already. The error is the
// file's being unreadable; a damaged file still gives a Ref, whose Err
// (wrapping ErrCorrupt) says why it answers nothing: holding it keeps
// that verdict, so the other sessions are not each made to check the
// file again.
func (s *Shared) Open(path string) (*Ref, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close() // a mapping outlives its descriptor
	fi, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("squat: %w", err)
	}
	id, err := idOf(fi)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	m := s.m[path]
	if m != nil && m.id == id {
		m.refs++
		s.mu.Unlock()
		<-m.ready
	} else {
		// Another version replaces the old in the map; the old one's
		// holders keep it until their Close unmaps it.
		m = &mapping{path: path, id: id, refs: 1, ready: make(chan struct{})}
		s.m[path] = m
		s.mu.Unlock()
		m.load(f, fi.Size())
		close(m.ready)
	}
	return &Ref{s: s, m: m}, nil
}

// load maps the file's size bytes (validated as an index before any use,
// so nothing beyond them is touched) and parses them.
func (m *mapping) load(f *os.File, size int64) {
	if size < headerSize+crcSize || size > math.MaxInt {
		m.err = fmt.Errorf("%s: %w: %d bytes", m.path, ErrCorrupt, size)
		return
	}
	data, err := unix.Mmap(int(f.Fd()), 0, int(size), unix.PROT_READ, unix.MAP_SHARED)
	if err != nil {
		m.err = fmt.Errorf("squat: %s: mmap: %w", m.path, err)
		return
	}
	m.data = data
	err = guard(m, func() {
		m.ix, err = Parse(data)
	})
	if err == nil && m.ix == nil {
		err = errFaulted // unreachable: Parse returns one or the other
	}
	if err != nil {
		unix.Munmap(data) // nothing more is read from a damaged file
		m.data, m.ix = nil, nil
		m.err = fmt.Errorf("%s: %w", m.path, err)
	}
}

// errFaulted: the file was truncated under its mapping.
var errFaulted = fmt.Errorf("%w: file truncated while in use", ErrCorrupt)

// guard runs fn, turning a fault on the mapping (SIGBUS: the file was
// truncated after it was mapped, which squatter never does but an
// administrator's copy or restore in place may) into an error and marking
// the mapping unusable, instead of the process dying. Sizes are checked
// before any page is touched, so only truncation can fault.
func guard(m *mapping, fn func()) (err error) {
	old := debug.SetPanicOnFault(true)
	defer func() {
		debug.SetPanicOnFault(old)
		if p := recover(); p != nil {
			var fault interface{ Addr() uintptr }
			re, ok := p.(error)
			if !ok || !errors.As(re, &fault) {
				panic(p) // not a fault on memory: a bug, not ours to hide
			}
			m.faulted.Store(true)
			err = errFaulted
		}
	}()
	fn()
	return nil
}

// Err is why the file cannot be used (wrapping ErrCorrupt), nil when it
// can; a Ref with an error answers nothing.
func (r *Ref) Err() error { return r.m.err }

// Version is the identity of the file version r maps.
func (r *Ref) Version() Version { return r.m.id }

// UIDValidity is the mailbox's UIDVALIDITY when the index was written.
// 0 for a damaged file.
func (r *Ref) UIDValidity() uint32 {
	if r.m.ix == nil {
		return 0
	}
	return r.m.ix.UIDValidity
}

// Faulted reports whether the file was found truncated under the
// mapping; r then answers nothing (Covers is false).
func (r *Ref) Faulted() bool { return r.m.faulted.Load() }

// Covers reports whether the message with uid was indexed; false once the
// mapping faulted, so nothing is ruled out on a damaged answer.
func (r *Ref) Covers(uid uint32) bool {
	if r.m.ix == nil || r.m.faulted.Load() {
		return false
	}
	var ok bool
	if guard(r.m, func() { ok = r.m.ix.Covers(uid) }) != nil {
		return false
	}
	return ok && !r.m.faulted.Load()
}

// WithAll is Index.WithAll on the mapping; nil (and Covers false from
// then on) when it faulted.
func (r *Ref) WithAll(grams []uint32) []uint32 {
	var out []uint32
	if r.m.ix == nil || r.m.faulted.Load() || guard(r.m, func() { out = r.m.ix.WithAll(grams) }) != nil {
		return nil
	}
	return out
}

// Close drops r's hold; the last holder of a mapping unmaps it.
func (r *Ref) Close() {
	if r == nil || r.closed.Swap(true) {
		return
	}
	s, m := r.s, r.m
	s.mu.Lock()
	m.refs--
	last := m.refs == 0
	if last && s.m[m.path] == m {
		delete(s.m, m.path)
	}
	s.mu.Unlock()
	if last && m.data != nil {
		unix.Munmap(m.data)
		m.data, m.ix = nil, nil
	}
}

// Mappings reports how many mappings s holds by path (for tests and
// diagnostics): versions replaced but still held are not counted.
func (s *Shared) Mappings() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.m)
}
