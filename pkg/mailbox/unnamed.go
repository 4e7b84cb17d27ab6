package mailbox

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"

	"golang.org/x/sys/unix"

	"gocyrus/pkg/panics"
)

// Unnamed files: Append writes each message to an O_TMPFILE inode of the
// mailbox directory's filesystem and links it under its final name at
// commit. Allocating an inode is the dearest step of an append on ext4
// (far more than writing and fsyncing 4 KiB), so a pool creates a few per
// directory ahead of need, in the background, while the appender waits
// for its fsyncs. An unnamed file needs no cleanup: if the process dies it
// vanishes, so a crash leaves nothing for Reconstruct to remove.

// unnamedDepth is how many unnamed files are kept ready per directory;
// unnamedDirs bounds the directories with a pool (the least recently used
// is dropped).
// maxUnnamedBatch is the largest Append that uses them.
const (
	unnamedDepth    = 4
	unnamedDirs     = 8
	maxUnnamedBatch = 64
)

var unnamed = unnamedPool{ready: map[string][]*os.File{}, filling: map[string]bool{}}

type unnamedPool struct {
	mu      sync.Mutex
	ready   map[string][]*os.File
	filling map[string]bool
	order   []string // directories, most recently used last
	// off is set once the filesystem or /proc turned out not to support
	// unnamed files, or a fill panicked; callers then use named temp files.
	off bool
	// fault is a fill's panic (a bug), handed to the next take as its
	// error, so that the request it served fails and logs it.
	fault *panics.Error
}

// take returns an empty unnamed file in dir, from the pool or made now, and
// starts refilling the pool. It returns nil, nil when unnamed files are not
// supported here.
func (p *unnamedPool) take(dir string) (*os.File, error) {
	p.mu.Lock()
	if fault := p.fault; fault != nil {
		p.fault = nil
		p.mu.Unlock()
		return nil, fmt.Errorf("preparing unnamed files in %s: %w", dir, fault)
	}
	if p.off {
		p.mu.Unlock()
		return nil, nil
	}
	var f *os.File
	if fs := p.ready[dir]; len(fs) > 0 {
		f = fs[len(fs)-1]
		p.ready[dir] = fs[:len(fs)-1]
	}
	p.touch(dir)
	if !p.filling[dir] {
		p.filling[dir] = true
		go p.fill(dir)
	}
	p.mu.Unlock()
	if f != nil {
		return f, nil
	}
	f, err := openUnnamed(dir)
	if errors.Is(err, errUnnamedUnsupported) {
		p.mu.Lock()
		p.off = true
		p.mu.Unlock()
		return nil, nil
	}
	return f, err
}

// touch marks dir most recently used, dropping the pool of the least
// recently used directory beyond unnamedDirs. p.mu held.
func (p *unnamedPool) touch(dir string) {
	for i, d := range p.order {
		if d == dir {
			p.order = append(p.order[:i:i], p.order[i+1:]...)
			break
		}
	}
	p.order = append(p.order, dir)
	for len(p.order) > unnamedDirs {
		old := p.order[0]
		p.order = p.order[1:]
		for _, f := range p.ready[old] {
			f.Close()
		}
		delete(p.ready, old)
	}
}

// fill creates unnamed files in dir until its pool is full or dir is no
// longer pooled; a failure (the directory was deleted) just stops it. A
// panic (a bug) turns the pool off and fails the next take with it:
// unrecovered in this background goroutine it would end the process.
func (p *unnamedPool) fill(dir string) {
	defer panics.Guard(func(e *panics.Error) {
		p.mu.Lock()
		p.off, p.fault = true, e
		p.mu.Unlock()
	})
	defer func() {
		p.mu.Lock()
		p.filling[dir] = false
		p.mu.Unlock()
	}()
	for {
		p.mu.Lock()
		_, pooled := p.ready[dir]
		need := len(p.ready[dir]) < unnamedDepth && (pooled || p.inOrder(dir))
		p.mu.Unlock()
		if !need {
			return
		}
		f, err := openUnnamed(dir)
		if err != nil {
			return
		}
		p.mu.Lock()
		if p.inOrder(dir) {
			p.ready[dir] = append(p.ready[dir], f)
			f = nil
		}
		p.mu.Unlock()
		if f != nil {
			f.Close()
			return
		}
	}
}

func (p *unnamedPool) inOrder(dir string) bool {
	for _, d := range p.order {
		if d == dir {
			return true
		}
	}
	return false
}

var errUnnamedUnsupported = errors.New("unnamed files not supported")

// openUnnamed makes an O_TMPFILE inode on dir's filesystem.
func openUnnamed(dir string) (*os.File, error) {
	if _, err := os.Stat("/proc/self/fd"); err != nil {
		return nil, errUnnamedUnsupported // linkUnnamed needs /proc
	}
	fd, err := unix.Open(dir, unix.O_TMPFILE|unix.O_RDWR|unix.O_CLOEXEC, 0o600)
	for err == unix.EINTR {
		fd, err = unix.Open(dir, unix.O_TMPFILE|unix.O_RDWR|unix.O_CLOEXEC, 0o600)
	}
	switch {
	case err == unix.EOPNOTSUPP || err == unix.EISDIR || err == unix.EINVAL:
		return nil, errUnnamedUnsupported
	case err == unix.EPERM && removedDir(dir):
		// ext4 says EPERM for a directory removed after the path was
		// looked up: the mailbox was deleted meanwhile, as ENOENT says.
		return nil, &os.PathError{Op: "open O_TMPFILE", Path: dir, Err: unix.ENOENT}
	case err != nil:
		return nil, &os.PathError{Op: "open O_TMPFILE", Path: dir, Err: err}
	}
	return os.NewFile(uintptr(fd), dir+"/(unnamed)"), nil
}

// removedDir reports a directory that is gone or has no links left.
func removedDir(dir string) bool {
	var st unix.Stat_t
	err := unix.Stat(dir, &st)
	return err == unix.ENOENT || err == nil && st.Nlink == 0
}

// linkUnnamed gives the unnamed file f the name path.
func linkUnnamed(f *os.File, path string) error {
	src := procPath(f)
	if err := unix.Linkat(unix.AT_FDCWD, src, unix.AT_FDCWD, path, unix.AT_SYMLINK_FOLLOW); err != nil {
		return &os.LinkError{Op: "link", Old: src, New: path, Err: err}
	}
	return nil
}

// linkUnnamedOrCopy links f at path, or copies it there when it cannot be
// linked any more: an unnamed file that was linked and then unlinked
// again (a prepared message whose first append was rolled back) has lost
// the right to a new name (ENOENT), but its contents are still readable.
func linkUnnamedOrCopy(f *os.File, path string) error {
	err := linkUnnamed(f, path)
	if !errors.Is(err, unix.ENOENT) {
		return err
	}
	tmp, err := copyToTemp(filepath.Dir(path), procPath(f))
	if err != nil {
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return err
	}
	return nil
}

// procPath names f's inode through /proc, readable even without a name.
func procPath(f *os.File) string { return fmt.Sprintf("/proc/self/fd/%d", f.Fd()) }

// source is a path the prepared message can be read from.
func (p *Prepared) source() string {
	if p.file != nil {
		return procPath(p.file)
	}
	return p.path
}
