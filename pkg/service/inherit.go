package service

import (
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// Listener is an inherited listening socket with its LISTEN_FDNAMES name ("" when unnamed).
type Listener struct {
	Name string
	net.Listener
}

// PacketListener is an inherited datagram socket (a proto="udp" service) with its name.
type PacketListener struct {
	Name string
	net.PacketConn
}

// Inherited is what a process received from master or systemd.
type Inherited struct {
	Listeners []Listener
	// Packets are the inherited datagram sockets: master hands a udp service its bound socket
	// as it hands a stream service its listener, and the service reads packets from it.
	Packets []PacketListener
	// Lifeline is the read end of master's lifeline pipe (nil when not started by master):
	// it reaches EOF when master exits, however it exits.
	Lifeline *os.File
	// Ready is where a wait=y daemon reports readiness (nil unless asked for).
	Ready *os.File
}

// Inherit takes the descriptors passed by master or systemd and unsets LISTEN_FDS,
// LISTEN_FDNAMES, LISTEN_PID, CYRUS_LIFELINE_FD and CYRUS_READY_FD. With none passed it returns
// an empty Inherited and no error. LISTEN_PID is checked only when set: systemd sets it,
// master cannot know the pid before exec and leaves it out.
func Inherit() (*Inherited, error) {
	defer func() {
		for _, v := range []string{EnvListenFDs, EnvListenFDNames, EnvListenPID, EnvLifelineFD, EnvReadyFD} {
			os.Unsetenv(v)
		}
	}()
	inh := &Inherited{}
	if pid := os.Getenv(EnvListenPID); pid != "" && pid != strconv.Itoa(os.Getpid()) {
		return inh, nil // meant for another process
	}
	n, err := envInt(os.Getenv, EnvListenFDs)
	if err != nil {
		return nil, err
	}
	var names []string
	if s := os.Getenv(EnvListenFDNames); s != "" {
		names = strings.Split(s, ":")
	}
	for i := range n {
		fd := ListenFDsStart + i
		name := ""
		if i < len(names) {
			name = names[i]
		}
		if isDatagram(fd) {
			pc, err := filePacketConn(fd, name)
			if err != nil {
				inh.Close()
				return nil, err
			}
			inh.Packets = append(inh.Packets, PacketListener{Name: name, PacketConn: pc})
			continue
		}
		l, err := fileListener(fd, name)
		if err != nil {
			inh.Close()
			return nil, err
		}
		inh.Listeners = append(inh.Listeners, Listener{Name: name, Listener: l})
	}
	if inh.Lifeline, err = inheritedFile(EnvLifelineFD, "lifeline"); err != nil {
		inh.Close()
		return nil, err
	}
	if inh.Ready, err = inheritedFile(EnvReadyFD, "ready"); err != nil {
		inh.Close()
		return nil, err
	}
	return inh, nil
}

// Close closes everything inherited (used on error paths and by callers that give up).
func (inh *Inherited) Close() {
	for _, l := range inh.Listeners {
		l.Close()
	}
	for _, p := range inh.Packets {
		p.Close()
	}
	for _, f := range []*os.File{inh.Lifeline, inh.Ready} {
		if f != nil {
			f.Close()
		}
	}
}

// NetListeners returns the listeners without their names, for Serve.
func (inh *Inherited) NetListeners() []net.Listener {
	out := make([]net.Listener, len(inh.Listeners))
	for i, l := range inh.Listeners {
		out[i] = l.Listener
	}
	return out
}

func fileListener(fd int, name string) (net.Listener, error) {
	unix.CloseOnExec(fd)
	f := os.NewFile(uintptr(fd), name)
	if f == nil {
		return nil, fmt.Errorf("service: inherited fd %d is not open", fd)
	}
	defer f.Close() // FileListener dups it
	l, err := net.FileListener(f)
	if err != nil {
		return nil, fmt.Errorf("service: inherited fd %d (%q) is not a listening socket: %w", fd, name, err)
	}
	return l, nil
}

// isDatagram reports whether descriptor fd is a datagram socket.
func isDatagram(fd int) bool {
	t, err := unix.GetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_TYPE)
	return err == nil && t == unix.SOCK_DGRAM
}

func filePacketConn(fd int, name string) (net.PacketConn, error) {
	unix.CloseOnExec(fd)
	f := os.NewFile(uintptr(fd), name)
	if f == nil {
		return nil, fmt.Errorf("service: inherited fd %d is not open", fd)
	}
	defer f.Close() // FilePacketConn dups it
	pc, err := net.FilePacketConn(f)
	if err != nil {
		return nil, fmt.Errorf("service: inherited fd %d (%q) is not a datagram socket: %w", fd, name, err)
	}
	return pc, nil
}

// inheritedFile wraps the descriptor named by env as a pollable *os.File.
func inheritedFile(env, name string) (*os.File, error) {
	s := os.Getenv(env)
	if s == "" {
		return nil, nil
	}
	fd, err := strconv.Atoi(s)
	if err != nil || fd < ListenFDsStart {
		return nil, fmt.Errorf("service: %s=%q: want a descriptor number >= %d", env, s, ListenFDsStart)
	}
	if _, err := unix.FcntlInt(uintptr(fd), unix.F_GETFD, 0); err != nil {
		return nil, fmt.Errorf("service: %s=%d: %w", env, fd, err)
	}
	unix.CloseOnExec(fd)
	// Non-blocking first, so os.NewFile registers it with the poller and Close wakes a reader.
	if err := unix.SetNonblock(fd, true); err != nil {
		return nil, fmt.Errorf("service: %s=%d: %w", env, fd, err)
	}
	return os.NewFile(uintptr(fd), name), nil
}

// NotifyReady tells master that a wait=y daemon is ready (it writes "ok\r\n" to the ready
// descriptor and closes it). Without a ready descriptor it does nothing.
func (inh *Inherited) NotifyReady() error {
	if inh.Ready == nil {
		return nil
	}
	_, err := inh.Ready.Write([]byte("ok\r\n"))
	cerr := inh.Ready.Close()
	inh.Ready = nil
	if err != nil {
		return fmt.Errorf("service: notify ready: %w", err)
	}
	return cerr
}
