package sievescripts

import (
	"fmt"
	"os"
	"path/filepath"
)

// writeAtomic writes data to path through a synced temporary file in dir
// renamed into place, then syncs dir: a crash leaves the old or the new
// content, never a mix.
func writeAtomic(dir, path string, data []byte) (err error) {
	f, err := os.CreateTemp(dir, ".put-*.tmp")
	if err != nil {
		return fmt.Errorf("sievescripts: %w", err)
	}
	tmp := f.Name()
	defer func() {
		if err != nil {
			os.Remove(tmp)
		}
	}()
	if _, err = f.Write(data); err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(tmp, 0o640)
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		return fmt.Errorf("sievescripts: writing %s: %w", path, err)
	}
	return syncDir(dir)
}

// syncDir makes the directory's entries (renames, unlinks) durable.
func syncDir(dir string) error {
	f, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("sievescripts: %w", err)
	}
	defer f.Close()
	if err := f.Sync(); err != nil {
		return fmt.Errorf("sievescripts: syncing %s: %w", dir, err)
	}
	return nil
}

// WriteFile writes data to path as every script is written here: through a
// synced temporary file in path's directory renamed into place, then the
// directory synced. sievec writes its output file with it.
func WriteFile(path string, data []byte) error {
	return writeAtomic(filepath.Dir(path), path, data)
}
