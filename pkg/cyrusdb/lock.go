package cyrusdb

import (
	"errors"
	"fmt"
	"os"

	"golang.org/x/sys/unix"
)

var errLocked = errors.New("cyrusdb: badger directory locked")

// lockFree reports whether badger could take its directory lock on dir
// (exclusive, or shared for a read-only open) by briefly taking and
// releasing the same flock. badger's own error loses its cause, hence
// this check; a missing directory is free.
func lockFree(dir string, readOnly bool) error {
	f, err := os.Open(dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("cyrusdb: %w", err)
	}
	defer f.Close()
	how := unix.LOCK_EX
	if readOnly {
		how = unix.LOCK_SH
	}
	if err := unix.Flock(int(f.Fd()), how|unix.LOCK_NB); err != nil {
		if errors.Is(err, unix.EWOULDBLOCK) {
			return errLocked
		}
		return fmt.Errorf("cyrusdb: flock %s: %w", dir, err)
	}
	return unix.Flock(int(f.Fd()), unix.LOCK_UN)
}
