package logins

import (
	"fmt"
	"net"
	"strings"
	"sync"
)

// Limits are the caps of one login; 0 means no limit.
type Limits struct {
	PerUser int // maxlogins_per_user
	PerHost int // maxlogins_per_host
}

// TooMany is the refusal of a login over a limit. Its counts are the
// other sessions already logged in, as Cyrus reports them.
type TooMany struct {
	Host           string // the client host, as Cyrus prints it ("[127.0.0.1]")
	User           string
	HostN, MaxHost int
	UserN, MaxUser int
}

// Error is Cyrus's text without the protocol prefix:
// "Too many open connections (2 of 2 from [127.0.0.1], 1 of 3 for bob)".
// Each configured limit is listed, whichever was reached.
func (e *TooMany) Error() string {
	var parts []string
	if e.MaxHost > 0 {
		parts = append(parts, fmt.Sprintf("%d of %d from %s", e.HostN, e.MaxHost, e.Host))
	}
	if e.MaxUser > 0 {
		parts = append(parts, fmt.Sprintf("%d of %d for %s", e.UserN, e.MaxUser, e.User))
	}
	return "Too many open connections (" + strings.Join(parts, ", ") + ")"
}

// Registry counts logged-in sessions by user and by client host.
type Registry struct {
	mu    sync.Mutex
	users map[string]int
	hosts map[string]int
}

// NewRegistry returns an empty Registry.
func NewRegistry() *Registry {
	return &Registry{users: map[string]int{}, hosts: map[string]int{}}
}

// Slot is one counted session; Release gives it back.
type Slot struct {
	r          *Registry
	user, host string
	once       sync.Once
}

// Release uncounts the session. Safe to call on a nil Slot and more
// than once.
func (s *Slot) Release() {
	if s == nil {
		return
	}
	s.once.Do(func() {
		r := s.r
		r.mu.Lock()
		defer r.mu.Unlock()
		decrement(r.users, s.user)
		decrement(r.hosts, s.host)
	})
}

func decrement(m map[string]int, k string) {
	if m[k] <= 1 {
		delete(m, k)
		return
	}
	m[k]--
}

// Acquire counts a session of user from host unless the sessions already
// counted reach a limit of lim (Cyrus refuses at count >= max, the new
// session not yet counted); a refusal is a *TooMany.
func (r *Registry) Acquire(user, host string, lim Limits) (*Slot, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	hostN, userN := r.hosts[host], r.users[user]
	hostOver := lim.PerHost > 0 && hostN >= lim.PerHost
	userOver := lim.PerUser > 0 && userN >= lim.PerUser
	if hostOver || userOver {
		return nil, &TooMany{Host: DisplayHost(host), User: user,
			HostN: hostN, MaxHost: lim.PerHost, UserN: userN, MaxUser: lim.PerUser}
	}
	r.hosts[host]++
	r.users[user]++
	return &Slot{r: r, user: user, host: host}, nil
}

// Count returns the sessions counted for user and for host.
func (r *Registry) Count(user, host string) (users, hosts int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.users[user], r.hosts[host]
}

// HostOf returns the client host of a connection: its IP address without
// the port ("" for a unix socket or an unknown peer).
func HostOf(addr net.Addr) string {
	if addr == nil {
		return ""
	}
	switch a := addr.(type) {
	case *net.TCPAddr:
		return a.IP.String()
	case *net.UnixAddr:
		return ""
	}
	if h, _, err := net.SplitHostPort(addr.String()); err == nil {
		return h
	}
	return addr.String()
}

// DisplayHost prints a host as Cyrus's clienthost does when it has no
// name for the address: "[127.0.0.1]"; a unix socket is "[unix socket]".
func DisplayHost(host string) string {
	if host == "" {
		return "[unix socket]"
	}
	return "[" + host + "]"
}
