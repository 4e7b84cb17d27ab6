package service

import (
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
)

// Addr is a parsed listen address, ready for net.Listen.
type Addr struct {
	Network string // "tcp", "tcp4", "tcp6", "unix"; datagram: "udp", "udp4", "udp6", "unixgram"
	Address string // "host:port" with a numeric port, or a socket path
}

// Datagram reports whether the address is a datagram socket (proto="udp" in cyrus.conf):
// master binds it and hands the socket itself to the service, which reads packets from it.
func (a Addr) Datagram() bool {
	switch a.Network {
	case "udp", "udp4", "udp6", "unixgram":
		return true
	}
	return false
}

func (a Addr) String() string { return a.Network + ":" + a.Address }

// ParseListen parses a cyrus.conf `listen` value (or a daemon's `-l ADDR`):
//
//	143 | imap | host:port | [v4-or-v6]:port | [addr] | /path/to/unix.sock
//
// proto is "tcp", "tcp4", "tcp6", "" (= tcp), or "udp", "udp4", "udp6" for a datagram service
// (a socket path with a udp proto is a unix datagram socket, as notifyd's is). A port given by name is looked up in
// /etc/services; defaultPort (also possibly a name) is used for "[addr]" without a port.
func ParseListen(listen, proto, defaultPort string) (Addr, error) {
	network := proto
	switch proto {
	case "", "tcp":
		network = "tcp"
	case "tcp4", "tcp6":
	case "udp", "udp4", "udp6":
	default:
		return Addr{}, fmt.Errorf("listen %q: unknown proto %q", listen, proto)
	}
	if listen == "" {
		return Addr{}, errors.New("empty listen address")
	}
	if strings.ContainsRune(listen, '/') {
		if len(listen) > 107 { // sun_path is 108 bytes including the NUL
			return Addr{}, fmt.Errorf("listen %q: unix socket path longer than 107 bytes", listen)
		}
		if strings.HasPrefix(network, "udp") {
			return Addr{Network: "unixgram", Address: listen}, nil
		}
		return Addr{Network: "unix", Address: listen}, nil
	}
	host, port, err := splitListen(listen, defaultPort)
	if err != nil {
		return Addr{}, fmt.Errorf("listen %q: %w", listen, err)
	}
	if host != "" && strings.ContainsAny(host, " \t[]") {
		return Addr{}, fmt.Errorf("listen %q: bad host %q", listen, host)
	}
	n, err := resolvePort(network, port)
	if err != nil {
		return Addr{}, fmt.Errorf("listen %q: %w", listen, err)
	}
	return Addr{Network: network, Address: net.JoinHostPort(host, strconv.Itoa(n))}, nil
}

// splitListen separates host and port. A bare word is a port; a host needs either a colon
// after it or brackets around it.
func splitListen(s, defaultPort string) (host, port string, err error) {
	if strings.HasPrefix(s, "[") {
		end := strings.IndexByte(s, ']')
		if end < 0 {
			return "", "", errors.New("missing ']'")
		}
		host, rest := s[1:end], s[end+1:]
		switch {
		case rest == "":
			if defaultPort == "" {
				return "", "", errors.New("no port")
			}
			return host, defaultPort, nil
		case rest[0] == ':':
			return host, rest[1:], nil
		default:
			return "", "", fmt.Errorf("unexpected %q after ']'", rest)
		}
	}
	switch strings.Count(s, ":") {
	case 0:
		return "", s, nil
	case 1:
		i := strings.IndexByte(s, ':')
		return s[:i], s[i+1:], nil
	default:
		return "", "", errors.New("an IPv6 address must be written [addr]:port")
	}
}

func resolvePort(network, port string) (int, error) {
	if port == "" {
		return 0, errors.New("no port")
	}
	if port[0] >= '0' && port[0] <= '9' {
		n, err := strconv.Atoi(port)
		if err != nil || n < 0 || n > 65535 {
			return 0, fmt.Errorf("bad port %q", port)
		}
		return n, nil
	}
	for _, c := range port {
		if !(c == '-' || c == '_' || c == '.' || c == '+' || c >= '0' && c <= '9' ||
			c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') {
			return 0, fmt.Errorf("bad service name %q", port)
		}
	}
	n, err := net.LookupPort(strings.TrimSuffix(network, "gram"), port)
	if err != nil {
		if n, ok := cyrusPorts[port]; ok {
			return n, nil
		}
		return 0, fmt.Errorf("unknown service name %q (not in /etc/services)", port)
	}
	return n, nil
}

// cyrusPorts are the ports Cyrus's installation adds to /etc/services (docs/CYRUS-BEHAVIOUR.md
// §6.3: listen= takes them by name), for systems whose file lacks them: Debian's has neither lmtp nor
// fud, and Cyrus's own fud falls back to 4201 the same way.
var cyrusPorts = map[string]int{"lmtp": 2003, "fud": 4201}

// Listen creates a listener for `-l ADDR` (see [ParseListen]). An existing unix socket file
// at the path is replaced.
func Listen(addr string) (net.Listener, error) {
	a, err := ParseListen(addr, "tcp", "")
	if err != nil {
		return nil, err
	}
	if a.Network == "unix" {
		RemoveStaleSocket(a.Address)
	}
	return net.Listen(a.Network, a.Address)
}
