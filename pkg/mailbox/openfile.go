package mailbox

import (
	"io"
	"os"

	"golang.org/x/sys/unix"
)

// openFile is os.OpenFile for the read path's regular files, without the
// network poller: os.OpenFile offers every descriptor to epoll, which
// refuses regular files after four fcntl calls and an epoll_ctl. A file
// opened here costs the openat and os.NewFile's one fcntl; reads and
// writes on a regular file block in the kernel either way.
func openFile(path string, flag int, perm uint32) (*os.File, error) {
	for {
		fd, err := unix.Open(path, flag|unix.O_CLOEXEC, perm)
		if err == nil {
			return os.NewFile(uintptr(fd), path), nil
		}
		if err != unix.EINTR {
			return nil, &os.PathError{Op: "open", Path: path, Err: err}
		}
	}
}

// readFile is os.ReadFile through openFile.
func readFile(path string) ([]byte, error) {
	f, err := openFile(path, os.O_RDONLY, 0)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(f)
}
