package service

import (
	"fmt"
	"syscall"
)

// SetMaxFDs sets RLIMIT_NOFILE to n as far as the system allows and returns the soft limit in
// effect (n <= 0 leaves it alone). The hard limit is raised when n exceeds it, which needs
// privilege and stays within fs.nr_open; when that is refused the soft limit is raised to the
// hard limit instead, and the error says so: the caller logs it and goes on with what it got,
// since a daemon that exits over its maxfds would only make master restart it in a loop.
func SetMaxFDs(n int) (int, error) {
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		return 0, fmt.Errorf("service: getrlimit: %w", err)
	}
	if n <= 0 || lim.Cur == uint64(n) {
		return int(lim.Cur), nil
	}
	want := syscall.Rlimit{Cur: uint64(n), Max: max(lim.Max, uint64(n))}
	// syscall.Setrlimit (not x/sys) so the runtime knows not to restore the limit for exec'd programs.
	err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &want)
	if err == nil {
		return n, nil
	}
	err = fmt.Errorf("service: setrlimit NOFILE=%d: %w", n, err)
	if lim.Max >= uint64(n) {
		return int(lim.Cur), err
	}
	best := syscall.Rlimit{Cur: lim.Max, Max: lim.Max}
	if serr := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &best); serr != nil {
		return int(lim.Cur), err
	}
	return int(lim.Max), fmt.Errorf("%w; using the hard limit %d", err, lim.Max)
}

// fdsReserved are descriptors a daemon needs besides its connections: listeners, the lifeline,
// logs, the db socket, TLS and SASL files. Serving counts them (fdBudget); this is the figure
// for the cap below and where they cannot be counted.
const fdsReserved = 64

// connsForFDs is how many connections a process with fd limit nofile can serve at best: one
// socket each, beside fdsReserved and the fdReserve kept free for commands. What sessions hold
// besides their sockets (a mailbox's read handle, shared by the sessions selecting it) is counted
// when each connection is admitted (fdBudget).
func connsForFDs(nofile int) int {
	return max(nofile-fdsReserved-fdReserve, 1)
}

// applyFDLimit applies maxFDs (cyrus.conf's maxfds) as far as the system allows and caps
// opts.MaxConns by what the limit in effect leaves for connections, logging each adjustment;
// it never fails, so a bad maxfds cannot keep a daemon from serving.
func applyFDLimit(maxFDs int, opts *Options) {
	log := logger(opts.Logger)
	nofile, err := SetMaxFDs(maxFDs)
	if err != nil {
		log.Warn("maxfds not applied in full", "maxfds", maxFDs, "nofile", nofile, "err", err)
	}
	if nofile <= 0 {
		return
	}
	fit := connsForFDs(nofile)
	if opts.MaxConns <= 0 || opts.MaxConns > fit {
		if opts.MaxConns > 0 {
			log.Warn("maxchild capped by the file descriptor limit", "maxchild", opts.MaxConns, "nofile", nofile, "capped", fit)
		}
		opts.MaxConns = fit
	}
}
