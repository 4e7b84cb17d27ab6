package sievescripts

import (
	"fmt"
	"os"
	"path/filepath"

	"golang.org/x/sys/unix"
)

// lock creates the directory if needed and takes the exclusive writer lock
// on its .lock file; the returned function releases it.
func (d *Dir) lock() (unlock func(), err error) {
	if err := os.MkdirAll(d.path, 0o750); err != nil {
		return nil, fmt.Errorf("sievescripts: %w", err)
	}
	f, err := os.OpenFile(filepath.Join(d.path, lockFile), os.O_RDWR|os.O_CREATE, 0o640)
	if err != nil {
		return nil, fmt.Errorf("sievescripts: %w", err)
	}
	for {
		err = unix.Flock(int(f.Fd()), unix.LOCK_EX)
		if err != unix.EINTR {
			break
		}
	}
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("sievescripts: locking %s: %w", d.path, err)
	}
	return func() { f.Close() }, nil // closing drops the flock
}
