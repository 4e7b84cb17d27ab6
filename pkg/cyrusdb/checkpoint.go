package cyrusdb

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/dgraph-io/badger/v4"
)

// maxGCRounds bounds the value-log collection of one Checkpoint.
const maxGCRounds = 100

// Checkpoint flushes badger to disk, rewrites value-log files until
// nothing is left to collect and writes a full backup to
// backupDir/BackupFileName through a temporary file, so the file is
// either the previous backup or the complete new one.
func (l *local) Checkpoint(ctx context.Context, backupDir string) error {
	if l.readOnly {
		return ErrReadOnly
	}
	if backupDir == "" {
		return fmt.Errorf("%w: empty backup directory", ErrInvalid)
	}
	if err := l.bdb.Sync(); err != nil {
		return fmt.Errorf("cyrusdb: checkpoint: flush: %w", err)
	}
	for range maxGCRounds {
		if err := ctx.Err(); err != nil {
			return err
		}
		err := l.bdb.RunValueLogGC(0.5)
		if errors.Is(err, badger.ErrNoRewrite) || errors.Is(err, badger.ErrRejected) {
			break
		}
		if err != nil {
			return fmt.Errorf("cyrusdb: checkpoint: value log GC: %w", err)
		}
	}
	return writeBackupFile(ctx, l, backupDir)
}

func writeBackupFile(ctx context.Context, l *local, backupDir string) error {
	if err := os.MkdirAll(backupDir, 0o700); err != nil {
		return fmt.Errorf("cyrusdb: checkpoint: %w", err)
	}
	tmp, err := os.CreateTemp(backupDir, BackupFileName+".tmp*")
	if err != nil {
		return fmt.Errorf("cyrusdb: checkpoint: %w", err)
	}
	defer os.Remove(tmp.Name()) // a no-op after the rename
	err = l.Backup(ctx, tmp)
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), filepath.Join(backupDir, BackupFileName))
	}
	if err == nil {
		err = syncDir(backupDir)
	}
	if err != nil {
		return fmt.Errorf("cyrusdb: checkpoint: %w", err)
	}
	return nil
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}
