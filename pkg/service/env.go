package service

import (
	"fmt"
	"os"
	"strconv"
	"time"
)

// Environment variables master sets for its children (see the package comment).
const (
	EnvService     = "CYRUS_SERVICE"
	EnvID          = "CYRUS_ID"
	EnvVerbose     = "CYRUS_VERBOSE"
	EnvIsDaemon    = "CYRUS_ISDAEMON"
	EnvMaxChild    = "CYRUS_MAXCHILD"
	EnvMaxFDs      = "CYRUS_MAXFDS"
	EnvIdleTimeout = "CYRUS_IDLE_TIMEOUT"
	EnvLifelineFD  = "CYRUS_LIFELINE_FD"
	EnvReadyFD     = "CYRUS_READY_FD"

	EnvListenFDs     = "LISTEN_FDS"
	EnvListenFDNames = "LISTEN_FDNAMES"
	EnvListenPID     = "LISTEN_PID"
)

// ListenFDsStart is the first inherited descriptor (systemd's SD_LISTEN_FDS_START).
const ListenFDsStart = 3

// Env is what master tells a child through its environment. The zero value means "not started
// by master": no limits, no idle exit.
type Env struct {
	Service     string
	ID          int
	Verbose     int
	IsDaemon    bool
	MaxChild    int
	MaxFDs      int
	IdleTimeout time.Duration
}

// ReadEnv reads the CYRUS_* variables of the current process.
func ReadEnv() (Env, error) { return parseEnv(os.Getenv) }

func parseEnv(get func(string) string) (Env, error) {
	e := Env{Service: get(EnvService), IsDaemon: get(EnvIsDaemon) == "1"}
	ints := []struct {
		name string
		dst  *int
	}{{EnvID, &e.ID}, {EnvVerbose, &e.Verbose}, {EnvMaxChild, &e.MaxChild}, {EnvMaxFDs, &e.MaxFDs}}
	for _, v := range ints {
		n, err := envInt(get, v.name)
		if err != nil {
			return Env{}, err
		}
		*v.dst = n
	}
	idle, err := envInt(get, EnvIdleTimeout)
	if err != nil {
		return Env{}, err
	}
	e.IdleTimeout = time.Duration(idle) * time.Second
	return e, nil
}

func envInt(get func(string) string, name string) (int, error) {
	s := get(name)
	if s == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("service: %s=%q: want a non-negative integer", name, s)
	}
	return n, nil
}

// Environ renders e as NAME=value pairs for a child's environment. Zero fields are left out.
func (e Env) Environ() []string {
	var out []string
	add := func(name string, v int) {
		if v != 0 {
			out = append(out, name+"="+strconv.Itoa(v))
		}
	}
	if e.Service != "" {
		out = append(out, EnvService+"="+e.Service)
	}
	out = append(out, EnvID+"="+strconv.Itoa(e.ID))
	add(EnvVerbose, e.Verbose)
	if e.IsDaemon {
		out = append(out, EnvIsDaemon+"=1")
	}
	add(EnvMaxChild, e.MaxChild)
	add(EnvMaxFDs, e.MaxFDs)
	add(EnvIdleTimeout, int(e.IdleTimeout/time.Second))
	return out
}
