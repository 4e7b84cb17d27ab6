package service

import (
	"bytes"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"syscall"
	"testing"
)

// keepNofile restores the test process's RLIMIT_NOFILE when the test ends.
func keepNofile(t *testing.T) syscall.Rlimit {
	t.Helper()
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
			t.Errorf("restoring RLIMIT_NOFILE: %v", err)
		}
	})
	return lim
}

// beyondSystem is a maxfds no process may have, privileged or not: above fs.nr_open.
func beyondSystem(t *testing.T) int {
	t.Helper()
	b, err := os.ReadFile("/proc/sys/fs/nr_open")
	if err != nil {
		t.Fatal(err)
	}
	n, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil {
		t.Fatal(err)
	}
	return n + 1
}

// A maxfds above what the system allows leaves the daemon running with the hard limit, says
// so, and sizes its connection cap to that limit instead of exiting.
func TestMaxFDsAboveTheSystemLimit(t *testing.T) {
	lim := keepNofile(t)
	want := beyondSystem(t)
	got, err := SetMaxFDs(want)
	if err == nil || !strings.Contains(err.Error(), "using the hard limit") {
		t.Fatalf("SetMaxFDs(%d) = %d, %v: want the hard limit and an error saying so", want, got, err)
	}
	if got != int(lim.Max) {
		t.Fatalf("limit in effect %d, want the hard limit %d", got, lim.Max)
	}

	var logs bytes.Buffer
	opts := Options{Logger: slog.New(slog.NewTextHandler(&logs, nil)), MaxConns: want}
	applyFDLimit(want, &opts)
	if fit := connsForFDs(int(lim.Max)); opts.MaxConns != fit {
		t.Fatalf("MaxConns = %d, want %d for %d descriptors", opts.MaxConns, fit, lim.Max)
	}
	for _, s := range []string{"maxfds not applied in full", "maxchild capped by the file descriptor limit"} {
		if !strings.Contains(logs.String(), s) {
			t.Errorf("log lacks %q:\n%s", s, logs.String())
		}
	}
}

// Within the limits, maxfds is applied exactly and an unlimited connection cap becomes what
// the descriptors allow.
func TestMaxFDsApplied(t *testing.T) {
	lim := keepNofile(t)
	n := int(min(lim.Max, 4096))
	opts := Options{}
	applyFDLimit(n, &opts)
	var now syscall.Rlimit
	syscall.Getrlimit(syscall.RLIMIT_NOFILE, &now)
	if now.Cur != uint64(n) {
		t.Fatalf("soft limit %d, want %d", now.Cur, n)
	}
	if opts.MaxConns != connsForFDs(n) || opts.MaxConns < 1 {
		t.Fatalf("MaxConns = %d, want %d", opts.MaxConns, connsForFDs(n))
	}
	small := Options{MaxConns: 3}
	applyFDLimit(0, &small)
	if small.MaxConns != 3 {
		t.Fatalf("a maxchild within the limit changed to %d", small.MaxConns)
	}
}
