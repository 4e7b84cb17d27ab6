package master

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"gocyrus/pkg/config"
	"gocyrus/pkg/service"
)

type childKind int

const (
	kindService childKind = iota
	kindDaemon
	kindEvent
	kindStart
)

func (k childKind) String() string {
	return [...]string{"service", "daemon", "event", "start"}[k]
}

// child is one running process master started.
type child struct {
	kind     childKind
	name     string // cyrus.conf entry name
	pid      int
	id       int // CYRUS_ID
	cmd      *exec.Cmd
	started  time.Time
	retiring bool // told to finish; not replaced, not a failure
	svc      *serviceState
	dmn      *daemonState
	evt      *eventState
}

// lookPath finds an entry's program: absolute as given, else beside the master binary, else PATH.
func (m *Master) lookPath(prog string) (string, error) {
	if filepath.IsAbs(prog) {
		return prog, checkExecutable(prog)
	}
	if m.opts.BinDir != "" {
		p := filepath.Join(m.opts.BinDir, prog)
		if checkExecutable(p) == nil {
			return p, nil
		}
	}
	if strings.ContainsRune(prog, '/') {
		return "", fmt.Errorf("cannot find executable %q", prog)
	}
	p, err := exec.LookPath(prog)
	if err != nil {
		return "", fmt.Errorf("cannot find executable %q beside master or in PATH", prog)
	}
	return p, nil
}

func checkExecutable(p string) error {
	fi, err := os.Stat(p)
	if err != nil {
		return err
	}
	if fi.IsDir() || fi.Mode().Perm()&0o111 == 0 {
		return fmt.Errorf("%s is not executable", p)
	}
	return nil
}

// command prepares an entry's process: argv (with "-C imapd.conf" when master was given -C),
// an environment without inherited LISTEN_* and CYRUS_* variables, a process group of its own
// (see groups.go) and SIGKILL as the parent-death signal: if master dies without its shutdown
// (kill -9), nothing it started goes on serving.
func (m *Master) command(e config.Entry, env service.Env) (*exec.Cmd, error) {
	if len(e.Cmd) == 0 {
		return nil, errors.New("empty cmd")
	}
	path, err := m.lookPath(e.Cmd[0])
	if err != nil {
		return nil, err
	}
	args := []string{e.Cmd[0]}
	if m.opts.ImapdConfPath != "" {
		args = append(args, "-C", m.opts.ImapdConfPath)
	}
	args = append(args, e.Cmd[1:]...)
	cmd := &exec.Cmd{Path: path, Args: args, Stdout: m.opts.ChildOutput, Stderr: m.opts.ChildOutput}
	cmd.Env = append(cleanEnviron(), env.Environ()...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	return cmd, nil
}

func cleanEnviron() []string {
	var out []string
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "LISTEN_") || strings.HasPrefix(kv, "CYRUS_") {
			continue
		}
		out = append(out, kv)
	}
	return out
}

// withFiles appends descriptors (3, 4, ...) to cmd: the listeners first, then the lifeline, then
// an optional ready pipe, and names them in the environment.
func withFiles(cmd *exec.Cmd, serviceName string, listeners []*os.File, lifeline, ready *os.File) {
	cmd.ExtraFiles = append(cmd.ExtraFiles, listeners...)
	if n := len(listeners); n > 0 {
		names := make([]string, n)
		for i := range names {
			names[i] = serviceName
		}
		cmd.Env = append(cmd.Env, service.EnvListenFDs+"="+strconv.Itoa(n),
			service.EnvListenFDNames+"="+strings.Join(names, ":"))
	}
	next := service.ListenFDsStart + len(cmd.ExtraFiles)
	if lifeline != nil {
		cmd.ExtraFiles = append(cmd.ExtraFiles, lifeline)
		cmd.Env = append(cmd.Env, service.EnvLifelineFD+"="+strconv.Itoa(next))
		next++
	}
	if ready != nil {
		cmd.ExtraFiles = append(cmd.ExtraFiles, ready)
		cmd.Env = append(cmd.Env, service.EnvReadyFD+"="+strconv.Itoa(next))
	}
}

// start starts c.cmd and posts its exit to the loop.
func (m *Master) start(c *child) error {
	if err := c.cmd.Start(); err != nil {
		return err
	}
	c.pid = c.cmd.Process.Pid
	c.started = time.Now()
	m.children[c.pid] = c
	m.logFor(c.name, c.pid).Debug("started", "kind", c.kind.String(), "id", c.id)
	go func() {
		err := c.cmd.Wait()
		m.post(func() { m.onExit(c, err) })
	}()
	return nil
}

// captureOutput points cmd's stdout and stderr at a pipe whose lines are logged under name and
// the process's pid. Call afterStart after Start: it closes master's copy of the write end and
// returns a channel closed once all output has been logged.
func (m *Master) captureOutput(cmd *exec.Cmd, name string) (afterStart func() <-chan struct{}, err error) {
	r, w, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	cmd.Stdout, cmd.Stderr = w, w
	return func() <-chan struct{} {
		w.Close()
		finished := make(chan struct{})
		pid := 0
		if cmd.Process != nil {
			pid = cmd.Process.Pid
		}
		log := m.logFor(name, pid)
		go func() {
			defer close(finished)
			defer r.Close()
			sc := bufio.NewScanner(r)
			sc.Buffer(make([]byte, 4096), 64*1024)
			for sc.Scan() {
				log.Info("output", "line", sc.Text())
			}
		}()
		return finished
	}, nil
}

// exitDescription renders a Wait result the way Cyrus logs it, and whether it was abnormal.
func exitDescription(err error) (desc string, abnormal bool) {
	if err == nil {
		return "exited, status 0", false
	}
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			return fmt.Sprintf("signaled to death by signal %d (%s)", int(ws.Signal()), ws.Signal()), true
		}
		return fmt.Sprintf("exited, status %d", ee.ExitCode()), true
	}
	return err.Error(), true
}
