package master

import (
	"bufio"
	"bytes"
	"flag"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// binDir holds the real master binary and the test service, built once by TestMain.
var binDir string

func TestMain(m *testing.M) {
	os.Exit(buildAndRun(m))
}

// The binaries are built under -short too: no test of this package is skipped.
func buildAndRun(m *testing.M) int {
	flag.Parse()
	dir, err := os.MkdirTemp("", "master-test-bin")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	for pkg, name := range map[string]string{"gocyrus/cmd/master": "master", "./testdata/testsvc": "testsvc"} {
		out, err := exec.Command("go", "build", "-o", filepath.Join(dir, name), pkg).CombinedOutput()
		if err != nil {
			fmt.Fprintf(os.Stderr, "building %s: %v\n%s", pkg, err, out)
			return 1
		}
	}
	binDir = dir
	return m.Run()
}

// syncBuffer collects master's output for assertions.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// rig is a configuration in a temp dir and a running master on it.
type rig struct {
	t         *testing.T
	dir       string
	confDir   string
	imapdConf string
	cyrusConf string
	pidFile   string
	cmd       *exec.Cmd
	out       *syncBuffer
	exited    chan error
	nofile    int // when set, master runs with this RLIMIT_NOFILE (soft and hard)
}

func newRig(t *testing.T, cyrusConf string) *rig {
	t.Helper()
	dir := t.TempDir()
	r := &rig{t: t, dir: dir, confDir: filepath.Join(dir, "conf"), imapdConf: filepath.Join(dir, "imapd.conf"),
		cyrusConf: filepath.Join(dir, "cyrus.conf"), pidFile: filepath.Join(dir, "master.pid")}
	if err := os.MkdirAll(r.confDir, 0o755); err != nil {
		t.Fatal(err)
	}
	r.write(r.imapdConf, "configdirectory: "+r.confDir+"\n")
	r.write(r.cyrusConf, cyrusConf)
	return r
}

func (r *rig) write(path, text string) {
	r.t.Helper()
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		r.t.Fatal(err)
	}
}

// start runs master in the foreground and waits until it reports it is ready.
func (r *rig) start(extraArgs ...string) {
	r.t.Helper()
	r.startNoWait(extraArgs...)
	r.waitLog("ready for work", 10*time.Second)
}

func (r *rig) startNoWait(extraArgs ...string) {
	r.t.Helper()
	args := append([]string{"-C", r.imapdConf, "-M", r.cyrusConf, "-p", r.pidFile}, extraArgs...)
	r.cmd = exec.Command(filepath.Join(binDir, "master"), args...)
	if r.nofile > 0 { // the shell lowers the hard limit, then becomes master
		r.cmd = exec.Command("/bin/sh", append([]string{"-c", `ulimit -n "$0" && exec "$@"`,
			strconv.Itoa(r.nofile), filepath.Join(binDir, "master")}, args...)...)
	}
	r.out = &syncBuffer{}
	r.cmd.Stdout, r.cmd.Stderr = r.out, r.out
	// The marker, inherited by everything master starts, finds its descendants in /proc
	// whatever their parent or process group (see survivors).
	r.cmd.Env = append(os.Environ(), "PATH=/usr/bin:/bin", r.marker())
	if err := r.cmd.Start(); err != nil {
		r.t.Fatal(err)
	}
	r.exited = make(chan error, 1)
	cmd, exited := r.cmd, r.exited
	go func() { exited <- cmd.Wait() }()
	r.t.Cleanup(func() {
		if cmd.ProcessState == nil {
			cmd.Process.Kill()
		}
		for _, p := range r.survivors() { // never leave a failed test's processes running
			syscall.Kill(p, syscall.SIGKILL)
		}
		if r.t.Failed() {
			r.t.Logf("master output:\n%s", r.out)
		}
	})
}

func (r *rig) waitLog(substr string, within time.Duration) {
	r.t.Helper()
	deadline := time.Now().Add(within)
	for !strings.Contains(r.out.String(), substr) {
		if time.Now().After(deadline) {
			r.t.Fatalf("no %q in master's log after %v", substr, within)
		}
		select {
		case err := <-r.exited:
			r.exited <- err
			r.t.Fatalf("master exited (%v) before logging %q", err, substr)
		case <-time.After(20 * time.Millisecond):
		}
	}
}

func (r *rig) signal(sig syscall.Signal) {
	r.t.Helper()
	if err := r.cmd.Process.Signal(sig); err != nil {
		r.t.Fatal(err)
	}
}

func (r *rig) waitExit(within time.Duration) error {
	r.t.Helper()
	select {
	case err := <-r.exited:
		r.exited <- err
		return err
	case <-time.After(within):
		r.t.Fatalf("master still running after %v", within)
		return nil
	}
}

func freePort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// greet connects and reads the test service's "hello <service> <pid>" greeting.
func greet(network, addr string) (service string, pid int, err error) {
	c, err := net.DialTimeout(network, addr, time.Second)
	if err != nil {
		return "", 0, err
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(2 * time.Second))
	line, err := bufio.NewReader(c).ReadString('\n')
	if err != nil {
		return "", 0, err
	}
	if _, err := fmt.Sscanf(line, "hello %s %d", &service, &pid); err != nil {
		return "", 0, fmt.Errorf("greeting %q: %w", line, err)
	}
	return service, pid, nil
}

// waitGreet retries greet until it succeeds (and, when notPid is set, from another process).
func waitGreet(t *testing.T, network, addr string, notPid int, within time.Duration) (string, int) {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		name, pid, err := greet(network, addr)
		if err == nil && pid != notPid {
			return name, pid
		}
		if time.Now().After(deadline) {
			t.Fatalf("no greeting on %s %s within %v (last: pid %d, %v)", network, addr, within, pid, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// procStat reads the parent pid and state of pid from /proc; ok is false when it is gone.
func procStat(pid int) (ppid int, state byte, ok bool) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, 0, false
	}
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	if i < 0 || i+4 > len(s) {
		return 0, 0, false
	}
	fields := strings.Fields(s[i+2:])
	if len(fields) < 2 {
		return 0, 0, false
	}
	ppid, _ = strconv.Atoi(fields[1])
	return ppid, fields[0][0], true
}

// alive reports whether pid exists and is not a zombie.
func alive(pid int) bool {
	_, state, ok := procStat(pid)
	return ok && state != 'Z'
}

// childrenOf lists the live processes whose parent is pid.
func childrenOf(pid int) []int {
	ents, _ := os.ReadDir("/proc")
	var out []int
	for _, e := range ents {
		p, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		if ppid, state, ok := procStat(p); ok && ppid == pid && state != 'Z' {
			out = append(out, p)
		}
	}
	return out
}

// marker is the environment entry that tags every process of this rig.
func (r *rig) marker() string { return "GOCYRUS_MASTER_RIG=" + r.dir }

// survivors lists the live processes carrying the rig's marker: master and everything it
// started, children of children included, wherever they were reparented.
func (r *rig) survivors() []int {
	want := []byte(r.marker() + "\x00")
	ents, _ := os.ReadDir("/proc")
	var out []int
	for _, e := range ents {
		p, err := strconv.Atoi(e.Name())
		if err != nil || !alive(p) {
			continue
		}
		env, err := os.ReadFile(fmt.Sprintf("/proc/%d/environ", p))
		if err == nil && bytes.Contains(append([]byte{0}, env...), append([]byte{0}, want...)) {
			out = append(out, p)
		}
	}
	return out
}

// waitNoSurvivors waits until no process of the rig is alive.
func (r *rig) waitNoSurvivors(within time.Duration) {
	r.t.Helper()
	deadline := time.Now().Add(within)
	for {
		left := r.survivors()
		if len(left) == 0 {
			return
		}
		if time.Now().After(deadline) {
			var names []string
			for _, p := range left {
				names = append(names, fmt.Sprintf("%d(%s)", p, procName(p)))
			}
			r.t.Fatalf("processes of the rig still alive %v after master exited: %s", within, strings.Join(names, " "))
		}
		time.Sleep(50 * time.Millisecond) // polling interval
	}
}

// waitGone waits until none of pids is alive.
func waitGone(t *testing.T, pids []int, within time.Duration) {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		var left []int
		for _, p := range pids {
			if alive(p) {
				left = append(left, p)
			}
		}
		if len(left) == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("processes %v still alive after %v", left, within)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// rssKiB is the resident set of pid (VmRSS), in KiB.
func rssKiB(pid int) int {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			n, _ := strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(rest), " kB"))
			return n
		}
	}
	return 0
}
