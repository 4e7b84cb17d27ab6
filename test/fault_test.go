package test

import (
	"bufio"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// faultTrigger is service.FaultTrigger: the bytes that make a session of
// a faultinject build panic (pkg/service/fault_on.go).
const faultTrigger = "GOCYRUS-FAULT-PANIC"

// buildFaultInject builds the given daemons with the faultinject tag into
// a directory of the test's own: the shipped binaries never hold the hook.
func buildFaultInject(t *testing.T, progs ...string) string {
	t.Helper()
	dir := t.TempDir()
	args := []string{"build", "-tags", "faultinject", "-o", dir + "/"}
	for _, p := range progs {
		args = append(args, "gocyrus/cmd/"+p)
	}
	if out, err := exec.Command("go", args...).CombinedOutput(); err != nil {
		t.Fatalf("go %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return dir
}

type lineConn struct {
	t  *testing.T
	nc net.Conn
	r  *bufio.Reader
}

func dialLines(t *testing.T, addr string) *lineConn {
	t.Helper()
	nc, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { nc.Close() })
	nc.SetDeadline(time.Now().Add(30 * time.Second))
	return &lineConn{t: t, nc: nc, r: bufio.NewReader(nc)}
}

func (c *lineConn) line() string {
	c.t.Helper()
	l, err := c.r.ReadString('\n')
	if err != nil {
		c.t.Fatalf("reading: %v (got %q)", err, l)
	}
	return strings.TrimRight(l, "\r\n")
}

func (c *lineConn) send(s string) {
	c.t.Helper()
	if _, err := c.nc.Write([]byte(s + "\r\n")); err != nil {
		c.t.Fatal(err)
	}
}

// The binaries under test (the shipped build) hold no fault hook.
func TestShippedBinariesHaveNoFaultHook(t *testing.T) {
	for _, prog := range []string{"imapd", "pop3d", "lmtpd", "timsieved", "master"} {
		b, err := os.ReadFile(filepath.Join(binDir, prog))
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(b), faultTrigger) {
			t.Errorf("%s was built with the faultinject tag", prog)
		}
	}
}

// A session of a real daemon that panics ends alone, with the protocol's
// last words; the process lives and keeps serving the sessions it had
// and new ones.
func TestDaemonSurvivesSessionPanic(t *testing.T) {
	bin := buildFaultInject(t, "imapd", "pop3d")
	s := newSite(t)
	for _, tc := range []struct {
		prog, command, farewell, probe, probeOK string
	}{
		{"imapd", "a1 NOOP " + faultTrigger, "* BYE [SERVERBUG] Fatal error: internal server error", "b1 NOOP", "b1 OK"},
		{"pop3d", "USER " + faultTrigger, "-ERR [SYS/TEMP] Fatal error", "CAPA", "+OK"},
	} {
		t.Run(tc.prog, func(t *testing.T) {
			addr := freeAddr(t)
			logPath := filepath.Join(s.dir, tc.prog+".log")
			logf, err := os.Create(logPath)
			if err != nil {
				t.Fatal(err)
			}
			defer logf.Close()
			cmd := exec.Command(filepath.Join(bin, tc.prog), "-C", s.imapdConf, "-l", addr)
			cmd.Stdout, cmd.Stderr = logf, logf
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			exited := make(chan error, 1)
			go func() { exited <- cmd.Wait() }()
			defer func() {
				cmd.Process.Kill()
				<-exited
				if t.Failed() {
					b, _ := os.ReadFile(logPath)
					t.Logf("%s log:\n%s", tc.prog, b)
				}
			}()
			var other *lineConn
			for deadline := time.Now().Add(hangTimeout); other == nil; time.Sleep(20 * time.Millisecond) {
				if c, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
					c.Close()
					other = dialLines(t, addr)
				} else if time.Now().After(deadline) {
					t.Fatalf("%s does not listen: %v", tc.prog, err)
				}
			}
			other.line() // greeting

			bad := dialLines(t, addr)
			bad.line()
			bad.send(tc.command)
			if got := bad.line(); !strings.HasPrefix(got, tc.farewell) {
				t.Fatalf("farewell = %q, want %q", got, tc.farewell)
			}
			if l, err := bad.r.ReadString('\n'); err == nil {
				t.Fatalf("the panicking session goes on: %q", l)
			}

			other.send(tc.probe)
			for {
				l := other.line()
				if strings.HasPrefix(l, tc.probeOK) {
					break
				}
			}
			fresh := dialLines(t, addr)
			if g := fresh.line(); g == "" {
				t.Fatal("no greeting on a new connection")
			}
			select {
			case err := <-exited:
				t.Fatalf("%s exited: %v", tc.prog, err)
			default:
			}
			b, _ := os.ReadFile(logPath)
			for _, want := range []string{"session panic", "faultinject: " + faultTrigger, "goroutine"} {
				if !strings.Contains(string(b), want) {
					t.Errorf("%s log lacks %q", tc.prog, want)
				}
			}
		})
	}
}
