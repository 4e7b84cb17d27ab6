package mailbox

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
)

// sharedReader is the read handle shared by the Mailbox values of one
// directory in a process: N sessions selecting one mailbox hold one
// cyrus.lock, cyrus.index and cyrus.cache descriptor between them, not N
// of each, so an idle session costs its socket alone.
//
// flock is per open file description: two sessions taking the shared lock
// through one description hold one lock, which the first to unlock would
// release under the other. So mu is held for the whole span of each lock
// (lockShared to its unlock): the process's readers take turns on the
// description, and the lock each holds is a lock of its own. The span is
// short (a header read when nothing changed) and a decode one reader pays
// is shared with the others (decodedIndexes). The writer handle stays a
// description of its own, so the exclusive lock still excludes these
// readers as it excludes other processes.
type sharedReader struct {
	mu     sync.Mutex // held while h is locked or refreshed
	h      *handle
	lockID fileID // identity of h's cyrus.lock, to notice a mailbox made anew
	refs   int    // Mailbox values using it; guarded by registryMu
}

// readerLocked, set only by tests, runs while a reader holds the shared
// lock, so a test can check that the lock is really held then.
var readerLocked func(lock *os.File)

// lockShared takes the shared lock through the shared handle and makes
// its descriptors current. The returned function unlocks; until then no
// other reader of the process uses the handle.
func (r *sharedReader) lockShared() (*handle, func(), error) {
	r.mu.Lock()
	if err := r.h.lockShared(); err != nil {
		r.mu.Unlock()
		return nil, nil, err
	}
	if readerLocked != nil {
		readerLocked(r.h.lock)
	}
	return r.h, func() { r.h.unlock(); r.mu.Unlock() }, nil
}

// acquireReader returns dir's shared state and its reader, opening the
// reader's lock file when the process has none for dir yet — or when the
// cyrus.lock it has is no longer the one in dir (the mailbox was deleted
// and made again: a lock on the old file would exclude no one).
func acquireReader(dir string) (*sharedDir, *sharedReader, error) {
	if _, err := os.Stat(filepath.Join(dir, headerFile)); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, nil, fmt.Errorf("%s: %w", dir, ErrNotFound)
		}
		return nil, nil, err
	}
	cur := fileID{}
	if fi, err := os.Stat(filepath.Join(dir, lockFile)); err == nil {
		cur = idOf(fi)
	}
	registryMu.Lock()
	if s := registry[dir]; s != nil && s.rd != nil && cur != (fileID{}) && s.rd.lockID == cur {
		s.rd.refs++
		s.refs++
		registryMu.Unlock()
		return s, s.rd, nil
	}
	registryMu.Unlock()

	h, err := openHandle(dir)
	if err != nil {
		return nil, nil, err
	}
	fi, err := h.lock.Stat()
	if err != nil {
		h.close()
		return nil, nil, err
	}
	r := &sharedReader{h: h, lockID: idOf(fi), refs: 1}
	registryMu.Lock()
	defer registryMu.Unlock()
	s := acquireShared(dir)
	if s.rd != nil && s.rd.lockID == r.lockID {
		// Another opener got there first with the same file.
		s.rd.refs++
		h.close()
		return s, s.rd, nil
	}
	// A reader of an older cyrus.lock stays with the Mailbox values
	// using it, and is closed with the last of them.
	s.rd = r
	return s, r, nil
}

// releaseReader drops a Mailbox's references to s and r, closing r's
// descriptors with its last user.
func releaseReader(s *sharedDir, r *sharedReader) error {
	registryMu.Lock()
	defer registryMu.Unlock()
	releaseShared(s)
	r.refs--
	if r.refs > 0 {
		return nil
	}
	if s.rd == r {
		s.rd = nil
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.h.close()
}
