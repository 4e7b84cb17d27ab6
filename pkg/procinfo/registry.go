package procinfo

import (
	"bufio"
	"cmp"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// writeBound bounds how long a process spends answering one lister that
// does not read.
const writeBound = 5 * time.Second

// Registry is one process's open sessions of one service. A nil
// *Registry registers nothing (a server built without one).
type Registry struct {
	service string

	mu      sync.Mutex
	entries map[*Entry]uint64 // entry -> the order it was added in
	next    uint64
	ln      *net.UnixListener
	done    chan struct{} // closed when the accept loop has returned
}

// Entry is one session's row. Its setters are safe to call from the
// session's goroutine while a lister reads it; all are no-ops on nil.
type Entry struct {
	reg  *Registry
	addr string // the client's IP, "" for a unix socket

	mu                     sync.Mutex
	user, mailbox, command string
}

// New returns the registry of service (the cyrus.conf entry name, Cyrus's
// config_ident).
func New(service string) *Registry {
	return &Registry{service: service, entries: map[*Entry]uint64{}}
}

// Add registers a session of a client at remote; call Remove when it ends.
func (r *Registry) Add(remote net.Addr) *Entry {
	if r == nil {
		return nil
	}
	e := &Entry{reg: r, addr: remoteIP(remote)}
	r.mu.Lock()
	r.entries[e] = r.next
	r.next++
	r.mu.Unlock()
	return e
}

// Set records who is logged in (user, "" before login), the selected
// mailbox (its internal name, "" when none) and the running command (""
// between commands).
func (e *Entry) Set(user, mailbox, command string) {
	if e == nil {
		return
	}
	e.mu.Lock()
	e.user, e.mailbox, e.command = user, mailbox, command
	e.mu.Unlock()
}

// Remove takes the session out of its registry.
func (e *Entry) Remove() {
	if e == nil {
		return
	}
	e.reg.mu.Lock()
	delete(e.reg.entries, e)
	e.reg.mu.Unlock()
}

// Rows returns the process's sessions in the order they started.
func (r *Registry) Rows() []Row {
	if r == nil {
		return nil
	}
	pid := os.Getpid()
	r.mu.Lock()
	type ordered struct {
		e   *Entry
		seq uint64
	}
	list := make([]ordered, 0, len(r.entries))
	for e, seq := range r.entries {
		list = append(list, ordered{e, seq})
	}
	r.mu.Unlock()
	slices.SortFunc(list, func(a, b ordered) int { return cmp.Compare(a.seq, b.seq) })
	rows := make([]Row, 0, len(list))
	for _, o := range list {
		o.e.mu.Lock()
		rows = append(rows, Row{Pid: pid, Service: r.service, Addr: o.e.addr,
			User: o.e.user, Mailbox: o.e.mailbox, Command: o.e.command})
		o.e.mu.Unlock()
	}
	return rows
}

// SocketPath is where the process pid answers in dir (proc_path).
func SocketPath(dir string, pid int) string {
	return filepath.Join(dir, strconv.Itoa(pid))
}

// maxSocketPath is sun_path's 108 bytes less the NUL.
const maxSocketPath = 107

// Listen starts answering listers on <dir>/<pid>, creating dir if needed.
// A file already there is a dead process's (the pid is ours now) and is
// replaced. Close stops and removes the socket.
func (r *Registry) Listen(dir string) error {
	if r == nil {
		return nil
	}
	path := SocketPath(dir, os.Getpid())
	if len(path) > maxSocketPath {
		return fmt.Errorf("procinfo: socket path %q is longer than %d bytes", path, maxSocketPath)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("procinfo: %w", err)
	}
	if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("procinfo: removing a stale socket: %w", err)
	}
	ln, err := net.ListenUnix("unix", &net.UnixAddr{Name: path, Net: "unix"})
	if err != nil {
		return fmt.Errorf("procinfo: %w", err)
	}
	ln.SetUnlinkOnClose(true)
	r.mu.Lock()
	r.ln, r.done = ln, make(chan struct{})
	r.mu.Unlock()
	go r.serve(ln, r.done)
	return nil
}

// Close stops answering and removes the socket.
func (r *Registry) Close() error {
	if r == nil {
		return nil
	}
	r.mu.Lock()
	ln, done := r.ln, r.done
	r.ln = nil
	r.mu.Unlock()
	if ln == nil {
		return nil
	}
	err := ln.Close()
	<-done
	return err
}

// serve answers each lister with the rows, one at a time: answering is a
// few bytes per session and needs no lock held while writing.
func (r *Registry) serve(ln *net.UnixListener, done chan struct{}) {
	defer close(done)
	for {
		c, err := ln.AcceptUnix()
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return
			}
			continue // a transient accept failure (EMFILE): the lister retries
		}
		c.SetWriteDeadline(time.Now().Add(writeBound))
		bw := bufio.NewWriter(c)
		for _, row := range r.Rows() {
			bw.WriteString(row.wire())
		}
		bw.Flush()
		c.Close()
	}
}

// remoteIP is the address as Cyrus's clienthost holds it before a name is
// looked up: the IP, "" for a unix socket.
func remoteIP(addr net.Addr) string {
	switch a := addr.(type) {
	case nil:
		return ""
	case *net.TCPAddr:
		return a.IP.String()
	case *net.UnixAddr:
		return ""
	}
	if h, _, err := net.SplitHostPort(addr.String()); err == nil {
		return h
	}
	return ""
}

// clean keeps a field on its line and in its column: a tab, newline or
// other control character (a hostile user name) becomes '?'.
func clean(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return '?'
		}
		return r
	}, s)
}
