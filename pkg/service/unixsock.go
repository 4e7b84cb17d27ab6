package service

import (
	"io/fs"
	"os"
)

// RemoveStaleSocket unlinks path when it is a socket, so a restarted daemon (or master) can
// bind again. Anything else at the path is left alone for net.Listen to report.
func RemoveStaleSocket(path string) {
	if fi, err := os.Lstat(path); err == nil && fi.Mode().Type() == fs.ModeSocket {
		_ = os.Remove(path)
	}
}
