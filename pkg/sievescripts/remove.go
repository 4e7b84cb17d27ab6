package sievescripts

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// RemoveUser removes userid's script directory with everything in it (the
// deletion of a user, Cyrus's user_deletesieve). The active mark goes
// first, so a delivery that races the removal finds either the old active
// script whole or no script at all; a directory that does not exist is
// not an error, so an interrupted removal is finished by running it again.
// Under sieveusehomedir nothing is managed here and nothing is removed.
func (s *Store) RemoveUser(userid string) error {
	if s.opts.UseHomeDir {
		return nil
	}
	path, err := s.userPath(userid)
	if err != nil {
		return err
	}
	if _, err := os.Lstat(path); errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	d := &Dir{path: path, store: s}
	unlock, err := d.lock()
	if err != nil {
		return err
	}
	err = removeContents(path)
	unlock()
	if err != nil {
		return err
	}
	// The lock file goes last: a writer waiting on it then finds the
	// directory gone and recreates it empty, as for a new user.
	if err := os.RemoveAll(path); err != nil {
		return fmt.Errorf("sievescripts: removing %s: %w", path, err)
	}
	return syncDir(filepath.Dir(path))
}

// removeContents unlinks the active mark, then every other entry but the
// lock file.
func removeContents(path string) error {
	if err := os.Remove(filepath.Join(path, activeLink)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("sievescripts: %w", err)
	}
	ents, err := os.ReadDir(path)
	if err != nil {
		return fmt.Errorf("sievescripts: %w", err)
	}
	for _, e := range ents {
		if e.Name() == lockFile {
			continue
		}
		if err := os.RemoveAll(filepath.Join(path, e.Name())); err != nil {
			return fmt.Errorf("sievescripts: %w", err)
		}
	}
	return nil
}
