package service

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"
)

const childRoleEnv = "SERVICE_TEST_CHILD"

// TestMain lets the test binary act as a daemon started by master (the child role).
func TestMain(m *testing.M) {
	if os.Getenv(childRoleEnv) == "daemon" {
		os.Exit(runTestDaemon())
	}
	os.Exit(m.Run())
}

// runTestDaemon greets each connection with what it inherited, then echoes.
func runTestDaemon() int {
	inh, err := Inherit()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	var names []string
	for _, l := range inh.Listeners {
		names = append(names, l.Name)
	}
	greeting := fmt.Sprintf("names=%s env=%q lifeline=%v\n", strings.Join(names, ","),
		os.Getenv(EnvListenFDs)+os.Getenv(EnvListenFDNames)+os.Getenv(EnvLifelineFD), inh.Lifeline != nil)
	h := func(ctx context.Context, c net.Conn) {
		io.WriteString(c, greeting)
		echo(ctx, c)
	}
	if len(inh.Listeners) == 0 {
		fmt.Fprint(os.Stderr, greeting)
		return 3
	}
	if err := Serve(context.Background(), inh.NetListeners(), h, Options{Lifeline: inh.Lifeline, OrphanTimeout: 200 * time.Millisecond}); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return 0
}

type daemon struct {
	cmd       *exec.Cmd
	addrs     []string
	lifelineW *os.File
	exited    chan error
}

func startDaemon(t *testing.T, extraEnv ...string) *daemon {
	t.Helper()
	d := &daemon{exited: make(chan error, 1)}
	var files []*os.File
	for range 2 {
		l := listenLocal(t)
		f, err := l.(*net.TCPListener).File()
		if err != nil {
			t.Fatal(err)
		}
		l.Close()
		defer f.Close()
		files = append(files, f)
		d.addrs = append(d.addrs, l.Addr().String())
	}
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	d.lifelineW = w
	t.Cleanup(func() { w.Close() })
	files = append(files, r)

	d.cmd = exec.Command(os.Args[0], "-test.run=^$")
	d.cmd.Env = append(os.Environ(), childRoleEnv+"=daemon", EnvListenFDs+"=2", EnvListenFDNames+"=imap:imaps",
		EnvLifelineFD+"=5")
	d.cmd.Env = append(d.cmd.Env, extraEnv...)
	d.cmd.ExtraFiles = files
	if err := d.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { d.exited <- d.cmd.Wait() }()
	t.Cleanup(func() { d.cmd.Process.Kill() })
	return d
}

func (d *daemon) waitExit(t *testing.T, within time.Duration) error {
	t.Helper()
	select {
	case err := <-d.exited:
		return err
	case <-time.After(within):
		t.Fatalf("daemon still running after %v", within)
		return nil
	}
}

func greet(t *testing.T, addr string) string {
	t.Helper()
	c := dial(t, addr)
	defer c.Close()
	line, err := bufio.NewReader(c).ReadString('\n')
	if err != nil {
		t.Fatalf("greeting from %s: %v", addr, err)
	}
	return strings.TrimSpace(line)
}

func TestInheritAndStopOnSIGTERM(t *testing.T) {
	d := startDaemon(t)
	want := `names=imap,imaps env="" lifeline=true`
	for _, a := range d.addrs {
		if got := greet(t, a); got != want {
			t.Fatalf("greeting on %s = %q, want %q", a, got, want)
		}
	}
	d.cmd.Process.Signal(syscall.SIGTERM)
	if err := d.waitExit(t, 3*time.Second); err != nil {
		t.Fatalf("exit after SIGTERM: %v", err)
	}
}

func TestInheritOrphaned(t *testing.T) {
	d := startDaemon(t)
	c := dial(t, d.addrs[0])
	bufio.NewReader(c).ReadString('\n')
	d.lifelineW.Close() // as if master were killed
	if err := d.waitExit(t, 3*time.Second); err != nil {
		t.Fatalf("exit after master death: %v", err)
	}
}

func TestInheritOtherPID(t *testing.T) {
	d := startDaemon(t, EnvListenPID+"=1")
	err := d.waitExit(t, 3*time.Second)
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 3 {
		t.Fatalf("with LISTEN_PID of another process: %v, want exit 3 (nothing inherited)", err)
	}
}

func TestInheritErrors(t *testing.T) {
	for _, env := range [][2]string{{EnvListenFDs, "x"}, {EnvLifelineFD, "1"}, {EnvReadyFD, "999"}} {
		t.Setenv(env[0], env[1])
		if _, err := Inherit(); err == nil {
			t.Errorf("Inherit with %s=%s succeeded", env[0], env[1])
		}
		if os.Getenv(env[0]) != "" {
			t.Errorf("%s not unset", env[0])
		}
	}
}
