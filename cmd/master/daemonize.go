package main

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// notifyFDEnv names the descriptor on which a daemonised master reports "ok" (or the error
// that stopped it) to the foreground process that started it.
const notifyFDEnv = "GOCYRUS_MASTER_NOTIFY_FD"

func isDaemonChild() bool { return os.Getenv(notifyFDEnv) != "" }

// daemonize re-executes master detached (new session, stdio on /dev/null unless -L redirected
// it) and returns once the detached master reports it has started, or with its error.
func daemonize() error {
	exe, err := os.Executable()
	if err != nil {
		return err
	}
	r, w, err := os.Pipe()
	if err != nil {
		return err
	}
	defer r.Close()
	null, err := os.OpenFile(os.DevNull, os.O_RDWR, 0)
	if err != nil {
		return err
	}
	defer null.Close()
	stdout, stderr := null, null
	if isRedirected() {
		stdout, stderr = os.Stdout, os.Stderr
	}
	cmd := &exec.Cmd{
		Path:        exe,
		Args:        os.Args,
		Env:         append(os.Environ(), notifyFDEnv+"=3"),
		Stdin:       null,
		Stdout:      stdout,
		Stderr:      stderr,
		ExtraFiles:  []*os.File{w},
		SysProcAttr: &syscall.SysProcAttr{Setsid: true},
	}
	err = cmd.Start()
	w.Close()
	if err != nil {
		return err
	}
	defer cmd.Process.Release()
	line, err := bufio.NewReader(r).ReadString('\n')
	line = strings.TrimSpace(line)
	switch {
	case line == "ok":
		return nil
	case strings.HasPrefix(line, "error: "):
		return errors.New(strings.TrimPrefix(line, "error: "))
	default:
		return fmt.Errorf("background master (pid %d) exited during start-up: %v", cmd.Process.Pid, err)
	}
}

// isRedirected reports whether stderr is a regular file (-L): keep it for the background master.
func isRedirected() bool {
	fi, err := os.Stderr.Stat()
	return err == nil && fi.Mode().IsRegular()
}

// notifyPipe is the daemonised master's side of the start-up report; nil when in the foreground.
type notifyPipe struct{ f *os.File }

func takeNotifyPipe() *notifyPipe {
	s := os.Getenv(notifyFDEnv)
	os.Unsetenv(notifyFDEnv)
	fd, err := strconv.Atoi(s)
	if err != nil || fd < 3 {
		return nil
	}
	unix.CloseOnExec(fd)
	return &notifyPipe{f: os.NewFile(uintptr(fd), "notify")}
}

func (n *notifyPipe) started() {
	if n == nil || n.f == nil {
		return
	}
	n.f.Write([]byte("ok\n"))
	n.f.Close()
	n.f = nil
}

func (n *notifyPipe) failed(err error) {
	if n == nil || n.f == nil || err == nil {
		return
	}
	n.f.SetWriteDeadline(time.Now().Add(time.Second))
	fmt.Fprintf(n.f, "error: %s\n", strings.ReplaceAll(err.Error(), "\n", "; "))
	n.f.Close()
	n.f = nil
}
