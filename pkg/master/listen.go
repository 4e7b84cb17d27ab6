package master

import (
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"syscall"

	"gocyrus/pkg/config"
	"gocyrus/pkg/service"

	"golang.org/x/sys/unix"
)

// boundSocket is a socket master owns: the listener (or, for a datagram service, the bound
// packet socket) and the duplicate descriptor handed to children and watched for readiness.
type boundSocket struct {
	addr service.Addr
	ln   io.Closer
	file *os.File
}

// listenAddr resolves an entry's listen; the entry name is the default port for "[addr]".
func listenAddr(e config.Entry) (service.Addr, error) {
	return service.ParseListen(e.Listen, e.Proto, e.Name)
}

// bind creates the socket with SO_REUSEADDR (Go's default), IPV6_V6ONLY for tcp6, the given
// backlog and, for unix sockets, mode 0777 so every local client (the MTA) can connect.
func bind(a service.Addr, backlog int) (*boundSocket, error) {
	if a.Network == "unix" || a.Network == "unixgram" {
		service.RemoveStaleSocket(a.Address)
	}
	if a.Datagram() {
		return bindDatagram(a)
	}
	ln, err := (&net.ListenConfig{}).Listen(context.Background(), a.Network, a.Address)
	if err != nil {
		return nil, err
	}
	sc, ok := ln.(syscall.Conn)
	if !ok {
		ln.Close()
		return nil, fmt.Errorf("%s: not a socket listener", a)
	}
	rc, err := sc.SyscallConn()
	if err != nil {
		ln.Close()
		return nil, err
	}
	var lerr error
	if backlog > 0 {
		// A second listen(2) on a listening socket only changes its backlog.
		rc.Control(func(fd uintptr) { lerr = unix.Listen(int(fd), backlog) })
	}
	if lerr != nil {
		ln.Close()
		return nil, fmt.Errorf("listen backlog %d: %w", backlog, lerr)
	}
	if a.Network == "unix" {
		if err := os.Chmod(a.Address, 0o777); err != nil {
			ln.Close()
			return nil, err
		}
	}
	var file *os.File
	switch l := ln.(type) {
	case *net.TCPListener:
		file, err = l.File()
	case *net.UnixListener:
		file, err = l.File()
	}
	if err != nil || file == nil {
		ln.Close()
		return nil, fmt.Errorf("%s: duplicating descriptor: %v", a, err)
	}
	return &boundSocket{addr: a, ln: ln, file: file}, nil
}

// bindDatagram binds a proto="udp" service's socket. The child gets the socket itself (there is
// no accept): master only watches it for a first datagram when prefork=0, as Cyrus does.
func bindDatagram(a service.Addr) (*boundSocket, error) {
	pc, err := (&net.ListenConfig{}).ListenPacket(context.Background(), a.Network, a.Address)
	if err != nil {
		return nil, err
	}
	if a.Network == "unixgram" {
		if err := os.Chmod(a.Address, 0o777); err != nil {
			pc.Close()
			return nil, err
		}
	}
	var file *os.File
	switch c := pc.(type) {
	case *net.UDPConn:
		file, err = c.File()
	case *net.UnixConn:
		file, err = c.File()
	}
	if err != nil || file == nil {
		pc.Close()
		return nil, fmt.Errorf("%s: duplicating descriptor: %v", a, err)
	}
	return &boundSocket{addr: a, ln: pc, file: file}, nil
}

func (b *boundSocket) close() {
	if b == nil {
		return
	}
	b.file.Close()
	b.ln.Close() // unlinks a unix stream socket's path
	if b.addr.Network == "unixgram" {
		os.Remove(b.addr.Address) // a datagram socket's path is not unlinked by Close
	}
}

// waitReadable blocks until the socket behind f has a pending connection, or fails once f is
// closed. Master never accepts: it only learns that a prefork=0 service needs a process.
// (A net.Listener's RawConn cannot wait for readability; the *os.File duplicate can.)
func waitReadable(f *os.File) error {
	rc, err := f.SyscallConn()
	if err != nil {
		return err
	}
	var perr error
	err = rc.Read(func(fd uintptr) bool {
		fds := []unix.PollFd{{Fd: int32(fd), Events: unix.POLLIN}}
		n, err := unix.Poll(fds, 0)
		if err != nil && err != unix.EINTR {
			perr = err
			return true
		}
		return n > 0 // false: wait for the poller to report readiness, then ask again
	})
	if err != nil {
		return err
	}
	return perr
}
