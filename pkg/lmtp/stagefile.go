package lmtp

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"golang.org/x/sys/unix"

	"gocyrus/pkg/mailbox"
)

// openStageFile returns an empty file in the stage directory of
// partition that has no name: an O_TMPFILE inode or, where the
// filesystem has none, a temp file unlinked at once. DATA is written to
// it as it arrives; closing it (or the process dying) frees it, so an
// abandoned or refused message leaves nothing on disk.
func (s *Server) openStageFile(partition string) (*os.File, error) {
	root, err := s.store.PartitionPath(partition)
	if err != nil {
		return nil, err
	}
	dir := filepath.Join(root, stageDirName)
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, fmt.Errorf("stage directory: %w", err)
	}
	return openUnlinked(dir)
}

func openUnlinked(dir string) (*os.File, error) {
	fd, err := unix.Open(dir, unix.O_TMPFILE|unix.O_RDWR|unix.O_CLOEXEC, 0o600)
	if err == nil {
		return os.NewFile(uintptr(fd), filepath.Join(dir, "(data)")), nil
	}
	if !errors.Is(err, unix.EOPNOTSUPP) && !errors.Is(err, unix.EISDIR) && !errors.Is(err, unix.EINVAL) {
		return nil, fmt.Errorf("stage file in %s: %w", dir, err)
	}
	// Named for this process: a crash before the unlink leaves a file
	// CleanStage removes.
	f, err := mailbox.CreateTemp(dir, "data.")
	if err != nil {
		return nil, fmt.Errorf("stage file: %w", err)
	}
	if err := os.Remove(f.Name()); err != nil {
		f.Close()
		return nil, fmt.Errorf("stage file: %w", err)
	}
	return f, nil
}
