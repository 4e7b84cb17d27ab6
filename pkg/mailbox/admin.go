package mailbox

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// isMessageFile reports whether name is "<uid>." and returns the uid.
func isMessageFile(name string) (uint32, bool) {
	digits, ok := strings.CutSuffix(name, ".")
	if !ok || digits == "" || digits[0] == '0' {
		return 0, false
	}
	n, err := strconv.ParseUint(digits, 10, 32)
	if err != nil {
		return 0, false
	}
	return uint32(n), true
}

// ownFile reports whether name belongs to the mailbox itself rather than
// to a child mailbox's subdirectory (legacy layout).
func ownFile(e fs.DirEntry) bool {
	if e.IsDir() {
		return false
	}
	n := e.Name()
	_, msg := isMessageFile(n)
	return msg || strings.HasPrefix(n, "cyrus.") || strings.HasPrefix(n, tempPrefix)
}

// Delete removes the mailbox in dir: its header first (so a crash leaves
// no half mailbox for reconstruct -f to adopt), then its other files, then
// the directory if nothing else (a child's directory) is left in it.
func Delete(dir string) error {
	lf, err := os.OpenFile(filepath.Join(dir, lockFile), os.O_RDWR, 0)
	if errors.Is(err, fs.ErrNotExist) {
		if _, herr := os.Stat(filepath.Join(dir, headerFile)); herr != nil {
			return fmt.Errorf("%s: %w", dir, ErrNotFound)
		}
	} else if err != nil {
		return err
	} else {
		defer lf.Close()
		if err := flock(lf, unix.LOCK_EX); err != nil {
			return err
		}
	}
	return deleteLocked(dir)
}

// deleteLocked removes the mailbox's files; the caller holds its lock.
func deleteLocked(dir string) error {
	if err := os.Remove(filepath.Join(dir, headerFile)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	for _, e := range entries {
		if ownFile(e) {
			if err := os.Remove(filepath.Join(dir, e.Name())); err != nil && !errors.Is(err, fs.ErrNotExist) {
				return err
			}
		}
	}
	if err := os.Remove(dir); err != nil && !errors.Is(err, unix.ENOTEMPTY) && !errors.Is(err, unix.EEXIST) {
		return err
	}
	return syncDir(filepath.Dir(dir))
}

// Rename moves the mailbox's own files from oldDir to newDir (hard links,
// or copies across filesystems), records newName in cyrus.header, then
// deletes the old files. With the uniqueid layout oldDir == newDir and only
// the name changes. Child directories (legacy layout) are not moved: the
// caller renames each mailbox of a tree.
func Rename(oldDir, newDir, newName string) error {
	oldDir, newDir = filepath.Clean(oldDir), filepath.Clean(newDir)
	h, err := ReadHeader(oldDir)
	if err != nil {
		return err
	}
	h.Name = newName
	if oldDir == newDir {
		lf, err := os.OpenFile(filepath.Join(oldDir, lockFile), os.O_RDWR|os.O_CREATE, 0o600)
		if err != nil {
			return err
		}
		defer lf.Close()
		if err := flock(lf, unix.LOCK_EX); err != nil {
			return err
		}
		if err := writeHeader(oldDir, h); err != nil {
			return err
		}
		return syncDir(oldDir)
	}
	if _, err := os.Stat(filepath.Join(newDir, headerFile)); err == nil {
		return fmt.Errorf("%s: %w", newDir, ErrExists)
	}
	if err := os.MkdirAll(newDir, 0o750); err != nil {
		return err
	}
	lf, err := os.OpenFile(filepath.Join(oldDir, lockFile), os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return err
	}
	defer lf.Close()
	if err := flock(lf, unix.LOCK_EX); err != nil {
		return err
	}
	entries, err := os.ReadDir(oldDir)
	if err != nil {
		return err
	}
	for _, e := range entries {
		if !ownFile(e) || e.Name() == headerFile || e.Name() == lockFile || strings.HasPrefix(e.Name(), tempPrefix) {
			continue
		}
		if err := linkOrCopy(filepath.Join(oldDir, e.Name()), filepath.Join(newDir, e.Name())); err != nil {
			return fmt.Errorf("rename %s to %s: %w", oldDir, newDir, err)
		}
	}
	if err := writeFileAtomic(newDir, lockFile, nil); err != nil {
		return err
	}
	if err := writeHeader(newDir, h); err != nil {
		return err
	}
	if err := syncDir(newDir); err != nil {
		return err
	}
	return deleteLocked(oldDir)
}

func linkOrCopy(src, dst string) error {
	err := os.Link(src, dst)
	if err == nil || !errors.Is(err, unix.EXDEV) {
		return err
	}
	tmp, err := copyToTemp(filepath.Dir(dst), src)
	if err != nil {
		return err
	}
	return os.Rename(tmp, dst)
}

// Usage returns the bytes and number of the live messages of the mailbox
// in dir, from its index (quota -f).
func Usage(dir string) (bytes, messages int64, err error) {
	m, err := Open(dir, Options{})
	if err != nil {
		return 0, 0, err
	}
	defer m.Close()
	v, err := m.Snapshot()
	if err != nil {
		return 0, 0, err
	}
	for _, r := range v.Records {
		bytes += int64(r.Size)
	}
	return bytes, int64(len(v.Records)), nil
}
