package service

import (
	"encoding/binary"
	"os"
	"sync"
	"syscall"
)

const (
	// fdReserve is how many descriptors stay free when a connection is admitted: what the
	// sessions' commands open for a moment (a SELECT of a mailbox no session of the process has
	// open: its lock, index, cache and log; an APPEND: the writer handle, a spool file, its
	// directory), what sessions admitted since the last count came to hold, and the refusals'
	// own sockets. A connection that would leave less is refused (Options.NoDescriptors), so
	// a command never fails half-way for lack of descriptors.
	fdReserve = 256
	// recountEvery is how many admissions may pass without counting the process's descriptors;
	// between counts each admitted session is charged its socket alone. A session's share of
	// its mailbox's read handle (pkg/mailbox: shared by the process's sessions on one mailbox)
	// shows at the next count. recountEvery × a selected mailbox's descriptors stays well
	// within fdReserve.
	recountEvery = 32
	// fdsPerConnUncounted is the charge per session where the descriptors cannot be counted
	// (no /proc): its socket and an unshared mailbox's lock, index, cache and log, one spare.
	fdsPerConnUncounted = 6
)

// fdBudget admits connections while the process keeps fdReserve descriptors free after them.
// What a session holds is counted, not assumed: an idle session whose mailbox other sessions
// share costs its socket alone, so one process serves close to its descriptor limit in
// connections. The count of the process's descriptors is taken every recountEvery admissions
// and at every admission within 2×fdReserve of the limit, so a refusal is always decided on a
// fresh count.
type fdBudget struct {
	limit int                 // RLIMIT_NOFILE when serving began
	count func() (int, error) // descriptors open in the process

	mu         sync.Mutex
	others     int  // descriptors beyond the sessions' sockets at the last count
	sinceCount int  // admissions since that count
	short      bool // the last decision was a refusal (logged once per change)
}

func newFDBudget(limit int, count func() (int, error)) *fdBudget {
	b := &fdBudget{limit: limit, count: count}
	b.recount(0)
	return b
}

// admit reports whether a connection may start while sessions connections (the new one
// included) hold their sockets, and whether that decision changed from the last one.
func (b *fdBudget) admit(sessions int) (ok, changed bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.sinceCount++
	if b.sinceCount >= recountEvery || sessions+b.others+2*fdReserve > b.limit {
		b.recount(sessions)
	}
	ok = sessions+b.others+fdReserve <= b.limit
	changed = ok == b.short
	b.short = !ok
	return ok, changed
}

// recount takes the process's descriptors as they are now; b.mu is held (or b unshared).
func (b *fdBudget) recount(sessions int) {
	b.sinceCount = 0
	n, err := b.count()
	if err != nil {
		b.others = fdsReserved + (fdsPerConnUncounted-1)*sessions
		return
	}
	b.others = max(n-sessions, 0)
}

// openFDs counts the process's open descriptors by reading /proc/self/fd with a fixed buffer
// (no name is kept: near the limit this runs on every admission). Without /proc it fails, and
// the budget charges each session fdsPerConnUncounted.
func openFDs() (int, error) {
	d, err := os.Open("/proc/self/fd")
	if err != nil {
		return 0, err
	}
	defer d.Close()
	raw, err := d.SyscallConn()
	if err != nil {
		return 0, err
	}
	var buf [8192]byte
	n := -1 // the directory's own descriptor is listed too
	var rerr error
	err = raw.Read(func(fd uintptr) bool {
		for {
			got, err := syscall.ReadDirent(int(fd), buf[:])
			if err != nil {
				rerr = err
				return true
			}
			if got <= 0 {
				return true
			}
			n += countDirents(buf[:got])
		}
	})
	if err == nil {
		err = rerr
	}
	return n, err
}

// countDirents counts the linux_dirent64 records in b, less "." and "..": d_reclen is the
// uint16 at offset 16, the name starts at offset 19.
func countDirents(b []byte) int {
	n := 0
	for len(b) >= 19 {
		reclen := int(binary.NativeEndian.Uint16(b[16:18]))
		if reclen < 19 || reclen > len(b) {
			break
		}
		if name := b[19:reclen]; !isDotName(name) {
			n++
		}
		b = b[reclen:]
	}
	return n
}

// isDotName reports whether a NUL-terminated dirent name is "." or "..".
func isDotName(name []byte) bool {
	switch {
	case len(name) >= 2 && name[0] == '.' && name[1] == 0:
		return true
	case len(name) >= 3 && name[0] == '.' && name[1] == '.' && name[2] == 0:
		return true
	}
	return false
}
