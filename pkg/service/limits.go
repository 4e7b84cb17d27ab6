package service

import (
	"fmt"
	"syscall"
)

// SetMaxFDs sets RLIMIT_NOFILE to n (n <= 0 leaves it alone). The hard limit is raised only
// when n exceeds it, which needs privilege.
func SetMaxFDs(n int) error {
	if n <= 0 {
		return nil
	}
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		return fmt.Errorf("service: getrlimit: %w", err)
	}
	lim.Cur = uint64(n)
	if lim.Max < lim.Cur {
		lim.Max = lim.Cur
	}
	// syscall.Setrlimit (not x/sys) so the runtime knows not to restore the limit for exec'd programs.
	if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		return fmt.Errorf("service: setrlimit NOFILE=%d: %w", n, err)
	}
	return nil
}
