package service

import (
	"io/fs"
	"os"
	"path/filepath"
)

// RemoveStaleSocket unlinks path when it is a socket, so a restarted daemon (or master) can
// bind again. Anything else at the path is left alone for net.Listen to report. A missing
// parent directory (configdirectory/socket on a fresh install) is created, owner-only
// writable, so the bind can succeed.
func RemoveStaleSocket(path string) {
	_ = os.MkdirAll(filepath.Dir(path), 0o755)
	if fi, err := os.Lstat(path); err == nil && fi.Mode().Type() == fs.ModeSocket {
		_ = os.Remove(path)
	}
}
