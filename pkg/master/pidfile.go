package master

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"

	"golang.org/x/sys/unix"
)

// DefaultPidFile is where master records its pid unless told otherwise.
const DefaultPidFile = "/var/run/master.pid"

// pidFile is a pidfile held under an exclusive flock for master's lifetime, so a second master
// on the same pidfile refuses to start.
type pidFile struct {
	path string
	f    *os.File
}

// lockPidFile takes path, or — when path is empty — DefaultPidFile, falling back to
// <configdir>/master.pid when /var/run cannot be written.
func lockPidFile(path, configdir string) (*pidFile, error) {
	if path != "" {
		return lockPidPath(path)
	}
	p, err := lockPidPath(DefaultPidFile)
	if err == nil || !isUnwritable(err) {
		return p, err
	}
	return lockPidPath(filepath.Join(configdir, "master.pid"))
}

func isUnwritable(err error) bool {
	return errors.Is(err, os.ErrPermission) || errors.Is(err, os.ErrNotExist) || errors.Is(err, syscall.EROFS)
}

func lockPidPath(path string) (*pidFile, error) {
	for {
		f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
		if err != nil {
			return nil, fmt.Errorf("pidfile: %w", err)
		}
		if err := unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB); err != nil {
			buf := make([]byte, 32)
			n, _ := f.ReadAt(buf, 0)
			f.Close()
			if errors.Is(err, unix.EWOULDBLOCK) {
				return nil, fmt.Errorf("pidfile %s is locked: another master is running (pid %s)", path, strings.TrimSpace(string(buf[:n])))
			}
			return nil, fmt.Errorf("pidfile %s: lock: %w", path, err)
		}
		// The previous holder may have unlinked the file between our open and our lock: then
		// our lock is on a dead inode, so start again.
		if same, err := sameFile(f, path); err != nil || !same {
			f.Close()
			continue
		}
		if err := f.Truncate(0); err != nil {
			f.Close()
			return nil, fmt.Errorf("pidfile %s: %w", path, err)
		}
		if _, err := f.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), 0); err != nil {
			f.Close()
			return nil, fmt.Errorf("pidfile %s: %w", path, err)
		}
		return &pidFile{path: path, f: f}, nil
	}
}

func sameFile(f *os.File, path string) (bool, error) {
	a, err := f.Stat()
	if err != nil {
		return false, err
	}
	b, err := os.Stat(path)
	if err != nil {
		return false, nil
	}
	return os.SameFile(a, b), nil
}

// release removes the pidfile (still locked, so no other master can have taken it). When the
// directory is no longer writable — master dropped root — it empties the file instead.
func (p *pidFile) release() error {
	if p == nil {
		return nil
	}
	defer p.f.Close()
	if err := os.Remove(p.path); err != nil {
		if terr := p.f.Truncate(0); terr != nil {
			return fmt.Errorf("pidfile %s: %w", p.path, err)
		}
	}
	return nil
}
