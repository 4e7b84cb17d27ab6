package master

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"gocyrus/pkg/cyrusdb"
)

// twoServices is the standard rig: a preforked TCP service, a prefork=0 unix-socket service
// and an event appending to a file.
func twoServices(t *testing.T) (r *rig, tcpAddr, sockPath, eventLog string) {
	t.Helper()
	tcpAddr = freePort(t)
	r = newRig(t, "")
	sockPath = filepath.Join(r.confDir, "echo2.sock")
	eventLog = filepath.Join(r.dir, "event.log")
	r.write(r.cyrusConf, `# test configuration
START {
  recover cmd="testsvc -append `+filepath.Join(r.dir, "start.log")+`"
}
SERVICES {
  echoa cmd="testsvc" listen="`+tcpAddr+`" prefork=1 maxchild=10
  echob cmd="testsvc" listen="`+sockPath+`" prefork=0
}
EVENTS {
  stamp cmd="testsvc -append `+eventLog+`" period=1
}
`)
	return r, tcpAddr, sockPath, eventLog
}

func TestMasterSupervises(t *testing.T) {
	r, tcpAddr, sockPath, eventLog := twoServices(t)
	r.start()
	if b, err := os.ReadFile(filepath.Join(r.dir, "start.log")); err != nil || !strings.HasPrefix(string(b), "recover ") {
		t.Fatalf("START entry did not run: %q, %v", b, err)
	}
	nameA, pidA := waitGreet(t, "tcp", tcpAddr, 0, 2*time.Second)
	nameB, pidB := waitGreet(t, "unix", sockPath, 0, 2*time.Second)
	if nameA != "echoa" || nameB != "echob" {
		t.Fatalf("services answered as %q and %q", nameA, nameB)
	}
	r.waitLog("service=stamp", 3*time.Second)
	if b, _ := os.ReadFile(eventLog); !strings.HasPrefix(string(b), "stamp ") {
		t.Fatalf("event log = %q", b)
	}
	r.waitLog("line=\"event ran\"", 2*time.Second) // event output is logged

	// Idle footprint: master and its service processes, no connections open, once the event's
	// process has gone.
	settled := time.Now().Add(5 * time.Second)
	for len(childrenOf(r.cmd.Process.Pid)) > 2 && time.Now().Before(settled) {
		time.Sleep(20 * time.Millisecond) // polling interval
	}
	total := rssKiB(r.cmd.Process.Pid)
	parts := []string{}
	for _, p := range append([]int{r.cmd.Process.Pid}, childrenOf(r.cmd.Process.Pid)...) {
		kib := rssKiB(p)
		if p != r.cmd.Process.Pid {
			total += kib
		}
		parts = append(parts, filepath.Base(procName(p))+"="+itoa(kib)+"KiB")
	}
	t.Logf("idle RSS: %d KiB (%.1f MiB) — %s", total, float64(total)/1024, strings.Join(parts, " "))
	if total > 40*1024 {
		t.Errorf("idle RSS %d KiB over the 40 MiB target", total)
	}

	// kill -9 of a child: replaced within 2 s.
	syscall.Kill(pidA, syscall.SIGKILL)
	start := time.Now()
	_, newA := waitGreet(t, "tcp", tcpAddr, pidA, 2*time.Second)
	t.Logf("child %d killed, replaced by %d after %v", pidA, newA, time.Since(start).Round(time.Millisecond))
	r.waitLog("signaled to death by signal 9", time.Second)

	// SIGHUP adds a service; old children finish and are replaced.
	addrC := freePort(t)
	conf, _ := os.ReadFile(r.cyrusConf)
	r.write(r.cyrusConf, strings.Replace(string(conf), "SERVICES {\n",
		"SERVICES {\n  echoc cmd=\"testsvc\" listen=\""+addrC+"\" prefork=1\n", 1))
	r.signal(syscall.SIGHUP)
	if name, _ := waitGreet(t, "tcp", addrC, 0, 3*time.Second); name != "echoc" {
		t.Fatalf("added service answered as %q", name)
	}
	waitGone(t, []int{newA, pidB}, 3*time.Second) // retired children exit (no sessions)
	_, pidA2 := waitGreet(t, "tcp", tcpAddr, newA, 2*time.Second)

	// SIGTERM: clean exit, nothing left behind, pidfile gone.
	kids := childrenOf(r.cmd.Process.Pid)
	if len(kids) < 2 {
		t.Fatalf("children before SIGTERM: %v", kids)
	}
	r.signal(syscall.SIGTERM)
	if err := r.waitExit(10 * time.Second); err != nil {
		t.Fatalf("master exit after SIGTERM: %v", err)
	}
	waitGone(t, append(kids, pidA2), time.Second)
	if _, err := os.Stat(r.pidFile); !os.IsNotExist(err) {
		t.Fatalf("pidfile left behind: %v", err)
	}
	if _, err := os.Stat(sockPath); !os.IsNotExist(err) {
		t.Fatalf("unix socket left behind: %v", err)
	}
	r.waitLog("All children have exited", time.Second)
}

func TestMasterKilledChildrenExit(t *testing.T) {
	r, tcpAddr, sockPath, _ := twoServices(t)
	r.start()
	waitGreet(t, "tcp", tcpAddr, 0, 2*time.Second)
	waitGreet(t, "unix", sockPath, 0, 2*time.Second)
	kids := childrenOf(r.cmd.Process.Pid)
	if len(kids) < 2 {
		t.Fatalf("children: %v", kids)
	}
	r.signal(syscall.SIGKILL)
	r.waitExit(2 * time.Second)
	waitGone(t, kids, 5*time.Second)

	// A new master starts cleanly on the same ports, socket path, pidfile and databases.
	r.start()
	waitGreet(t, "tcp", tcpAddr, 0, 2*time.Second)
	waitGreet(t, "unix", sockPath, 0, 2*time.Second)
	r.signal(syscall.SIGTERM)
	if err := r.waitExit(10 * time.Second); err != nil {
		t.Fatalf("second master: %v", err)
	}
}

func TestMasterServesDatabases(t *testing.T) {
	r, _, _, _ := twoServices(t)
	r.start()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	db, err := cyrusdb.Open(r.confDir, cyrusdb.Options{})
	if err != nil {
		t.Fatalf("opening the databases while master runs: %v", err)
	}
	if !db.Online() {
		t.Fatal("tool opened the databases offline while master runs")
	}
	if err := db.Txn(ctx, nil, []cyrusdb.Op{cyrusdb.Put{Key: []byte("k"), Val: []byte("v")}}); err != nil {
		t.Fatalf("write through the db service: %v", err)
	}
	db.Close()
	r.signal(syscall.SIGTERM)
	if err := r.waitExit(10 * time.Second); err != nil {
		t.Fatal(err)
	}
	// Stopped: the data is there offline.
	db, err = cyrusdb.Open(r.confDir, cyrusdb.Options{})
	if err != nil {
		t.Fatalf("offline open after shutdown: %v", err)
	}
	defer db.Close()
	if v, _, err := db.Get(ctx, []byte("k")); err != nil || string(v) != "v" {
		t.Fatalf("after restart: %q, %v", v, err)
	}
}

func TestMasterBrokenConf(t *testing.T) {
	r := newRig(t, "SERVICES {\n  ok cmd=\"testsvc\" listen=\"1143\"\n  bad-name cmd=\"testsvc\" listen=\"1144\"\n}\n")
	r.startNoWait()
	err := r.waitExit(5 * time.Second)
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() == 0 {
		t.Fatalf("master with a broken cyrus.conf: %v, want non-zero exit", err)
	}
	if want := r.cyrusConf + ":3"; !strings.Contains(r.out.String(), want) {
		t.Fatalf("error does not name %s:\n%s", want, r.out)
	}
	if _, err := os.Stat(r.pidFile); !os.IsNotExist(err) {
		t.Fatal("master wrote its pidfile before rejecting the configuration")
	}

	r.write(r.cyrusConf, "SERVICES {\n  x cmd=\"testsvc\" listen=\"nosuchservice\"\n}\n")
	r.startNoWait()
	if err := r.waitExit(5 * time.Second); err == nil || !strings.Contains(r.out.String(), r.cyrusConf+":2") {
		t.Fatalf("unknown port name: %v\n%s", err, r.out)
	}
}

func TestMasterFailingServices(t *testing.T) {
	port := freePort(t)
	r := newRig(t, "SERVICES {\n  flaky cmd=\"testsvc -fail\" listen=\""+port+"\" prefork=1\n"+
		"  ghost cmd=\"no-such-program\" listen=\""+freePort(t)+"\" prefork=1\n}\n")
	r.start()
	r.waitLog("too many failures for service, backing off", 5*time.Second)
	r.waitLog("cannot start service, disabled until SIGHUP", time.Second)
	if !strings.Contains(r.out.String(), `service=ghost`) {
		t.Fatal("missing executable not logged for its service")
	}
	if n := strings.Count(r.out.String(), "failing on purpose"); n < 5 {
		t.Errorf("flaky started %d times, want 5 before backing off", n)
	}
	r.signal(syscall.SIGTERM)
	if err := r.waitExit(10 * time.Second); err != nil {
		t.Fatal(err)
	}
}

func TestMasterPidfileLock(t *testing.T) {
	r, _, _, _ := twoServices(t)
	r.start()
	first := r.cmd
	second := exec.Command(filepath.Join(binDir, "master"), "-C", r.imapdConf, "-M", r.cyrusConf, "-p", r.pidFile)
	out, err := second.CombinedOutput()
	if err == nil || !strings.Contains(string(out), "another master is running") {
		t.Fatalf("second master: %v\n%s", err, out)
	}
	first.Process.Signal(syscall.SIGTERM)
	if err := r.waitExit(10 * time.Second); err != nil {
		t.Fatal(err)
	}
}

func TestMasterDaemonize(t *testing.T) {
	r, tcpAddr, _, _ := twoServices(t)
	logFile := filepath.Join(r.dir, "master.log")
	cmd := exec.Command(filepath.Join(binDir, "master"), "-C", r.imapdConf, "-M", r.cyrusConf, "-p", r.pidFile, "-d", "-L", logFile)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("master -d: %v\n%s", err, out)
	}
	b, err := os.ReadFile(r.pidFile)
	if err != nil {
		t.Fatal(err)
	}
	var pid int
	if _, err := fmtSscan(string(b), &pid); err != nil || !alive(pid) {
		t.Fatalf("pidfile %q: %v", b, err)
	}
	t.Cleanup(func() { syscall.Kill(pid, syscall.SIGKILL) })
	waitGreet(t, "tcp", tcpAddr, 0, 2*time.Second)
	kids := childrenOf(pid)
	syscall.Kill(pid, syscall.SIGTERM)
	waitGone(t, append(kids, pid), 10*time.Second)
	if log, _ := os.ReadFile(logFile); !strings.Contains(string(log), "All children have exited") {
		t.Fatalf("log file:\n%s", log)
	}
}

// A service that crashes in bursts is paused, not disabled: master backs off, logs it, and
// starts it again by itself, without SIGHUP.
func TestMasterCrashBackoffRecovers(t *testing.T) {
	port := freePort(t)
	r := newRig(t, "")
	counter := filepath.Join(r.dir, "starts")
	// 7 failures: a burst of 5 (backing off), then 2 more, then it works.
	r.write(r.cyrusConf, "SERVICES {\n  flaky cmd=\"testsvc -fail-first 7 -count "+counter+"\" listen=\""+port+"\" prefork=1\n}\n")
	r.start()
	r.waitLog("too many failures for service, backing off", 10*time.Second)
	name, _ := waitGreet(t, "tcp", port, 0, 30*time.Second)
	if name != "flaky" {
		t.Fatalf("greeting from %q", name)
	}
	if !strings.Contains(r.out.String(), "restarting service after backing off") {
		t.Errorf("the end of the pause is not logged:\n%s", r.out)
	}
	if n := strings.Count(r.out.String(), "failing on purpose"); n != 7 {
		t.Errorf("flaky failed %d times, want 7", n)
	}
	r.signal(syscall.SIGTERM)
	if err := r.waitExit(10 * time.Second); err != nil {
		t.Fatal(err)
	}
}

func TestCrashBackoff(t *testing.T) {
	for _, c := range []struct {
		n    int
		want time.Duration
	}{{0, time.Second}, {1, 2 * time.Second}, {3, 8 * time.Second}, {6, time.Minute}, {100, time.Minute}} {
		if got := crashBackoff(time.Second, time.Minute, c.n); got != c.want {
			t.Errorf("crashBackoff(1s, 1m, %d) = %v, want %v", c.n, got, c.want)
		}
	}
}

// An absurd prefork is refused with file:line before anything is forked.
func TestMasterRefusesAbsurdPrefork(t *testing.T) {
	r := newRig(t, "SERVICES {\n  imap cmd=\"testsvc\" listen=\""+freePort(t)+"\" prefork=99999999\n}\n")
	r.startNoWait()
	if err := r.waitExit(10 * time.Second); err == nil {
		t.Fatal("master accepted prefork=99999999")
	}
	if want := r.cyrusConf + `:2: entry "imap": prefork=99999999 is above 1024`; !strings.Contains(r.out.String(), want) {
		t.Fatalf("output lacks %q:\n%s", want, r.out)
	}
}

// SIGTERM while master is still forking a large prefork ends it promptly with no child left;
// prefork above maxchild is capped with a warning.
func TestMasterSignalWhileForking(t *testing.T) {
	port := freePort(t)
	r := newRig(t, "SERVICES {\n  many cmd=\"testsvc\" listen=\""+port+"\" prefork=40\n"+
		"  capped cmd=\"testsvc\" listen=\""+freePort(t)+"\" prefork=9 maxchild=2\n}\n")
	r.startNoWait()
	waitGreet(t, "tcp", port, 0, 20*time.Second) // the first process is up; the rest are coming
	r.signal(syscall.SIGTERM)
	if err := r.waitExit(30 * time.Second); err != nil {
		t.Fatalf("master after SIGTERM: %v", err)
	}
	// Every descendant, including one forked in the instant of the signal, is gone.
	r.waitNoSurvivors(10 * time.Second)
	if !strings.Contains(r.out.String(), "prefork above maxchild, capped") {
		t.Errorf("the prefork cap is not logged:\n%s", r.out)
	}
}

// stubbornRig runs a START entry, a daemon and an event that each leave a child of their own
// behind, all ignoring SIGTERM, and waits until every one of them has written its pid.
func stubbornRig(t *testing.T) (r *rig, pids map[string]int) {
	t.Helper()
	r = newRig(t, "")
	pidLog := filepath.Join(r.dir, "pids")
	script := func(name, tag, tail string) string {
		path := filepath.Join(r.dir, name)
		r.write(path, "#!/bin/sh\ntrap '' TERM\n"+
			"sh -c 'echo "+tag+"grand $$ >> "+pidLog+"; exec sleep 100000' </dev/null >/dev/null 2>&1 &\n"+tail)
		if err := os.Chmod(path, 0o755); err != nil {
			t.Fatal(err)
		}
		return path
	}
	r.write(r.imapdConf, "configdirectory: "+r.confDir+"\nmaster_shutdown_timeout: 2s\n")
	r.write(r.cyrusConf, "START {\n  leak cmd=\""+script("start.sh", "s", "exit 0\n")+"\"\n}\n"+
		"DAEMON {\n  stubborn cmd=\""+script("daemon.sh", "d", "echo daemon $$ >> "+pidLog+"\nexec sleep 100000\n")+"\"\n}\n"+
		"EVENTS {\n  leaky cmd=\""+script("event.sh", "e", "exit 0\n")+"\" period=60\n}\n")
	r.start()
	deadline := time.Now().Add(20 * time.Second)
	for {
		b, _ := os.ReadFile(pidLog)
		pids = map[string]int{}
		for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
			var tag string
			var pid int
			if _, err := fmt.Sscan(line, &tag, &pid); err == nil {
				pids[tag] = pid
			}
		}
		if len(pids) == 4 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the scripts did not all start: %q", b)
		}
		time.Sleep(20 * time.Millisecond) // polling interval
	}
	t.Logf("processes: %v", pids)
	return r, pids
}

// SIGTERM to master ends everything it started, children of children included, even those
// ignoring SIGTERM: after master_shutdown_timeout they and their process groups get SIGKILL.
func TestMasterLeavesNoDescendants(t *testing.T) {
	r, _ := stubbornRig(t)
	r.signal(syscall.SIGTERM)
	if err := r.waitExit(30 * time.Second); err != nil {
		t.Fatalf("master after SIGTERM: %v", err)
	}
	r.waitNoSurvivors(10 * time.Second)
	r.waitLog("still running after the bound, killing them", time.Second)
	r.waitLog("All children have exited", time.Second)
}

// When master dies by SIGKILL, its children die with it (the parent-death signal is SIGKILL),
// even one that ignores SIGTERM.
func TestMasterKilledStubbornChildDies(t *testing.T) {
	r, pids := stubbornRig(t)
	r.signal(syscall.SIGKILL)
	r.waitExit(10 * time.Second)
	waitGone(t, []int{pids["daemon"]}, 10*time.Second)
}

// Master never forks more children than its descriptors allow: prefork is capped per service,
// and across services the processes started stop at the limit, logged, instead of forking until
// the descriptors run out.
func TestMasterChildrenCappedByFDLimit(t *testing.T) {
	const nofile = 300 // room for (300-256)/2 = 22 children
	fit := processesForFDs(nofile)
	r := newRig(t, "SERVICES {\n  one cmd=\"testsvc\" listen=\""+freePort(t)+"\" prefork=40\n"+
		"  two cmd=\"testsvc\" listen=\""+freePort(t)+"\" prefork=15\n}\n")
	r.nofile = nofile
	r.start()
	r.waitLog("prefork above what master's file descriptor limit allows, capped", 5*time.Second)
	r.waitLog("not starting a process: master's file descriptor limit allows no more children", 20*time.Second)
	if n := len(childrenOf(r.cmd.Process.Pid)); n > fit {
		t.Fatalf("%d children with %d descriptors (room for %d)", n, nofile, fit)
	}
	r.signal(syscall.SIGTERM)
	if err := r.waitExit(30 * time.Second); err != nil {
		t.Fatalf("master after SIGTERM: %v", err)
	}
	r.waitNoSurvivors(10 * time.Second)
}

// TestMasterDatagramService: a proto="udp" service (Cyrus's fud) and a unix datagram service
// (notifyd's form) get their bound socket as a stream service gets its listener; prefork=0
// starts the process on the first datagram, which is not lost.
func TestMasterDatagramService(t *testing.T) {
	r := newRig(t, "")
	pc, err := net.ListenPacket("udp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	udpAddr := pc.LocalAddr().String()
	pc.Close()
	gramPath := filepath.Join(r.confDir, "notify")
	r.write(r.cyrusConf, `SERVICES {
  fud cmd="testsvc -udp" listen="`+udpAddr+`" proto="udp4" prefork=0
  notify cmd="testsvc -udp" listen="`+gramPath+`" proto="udp" prefork=1
}
`)
	r.start()
	if got := askDatagram(t, "udp4", udpAddr, "", "joe|INBOX"); !strings.HasPrefix(got, "fud ") || !strings.HasSuffix(got, " joe|INBOX") {
		t.Fatalf("udp service answered %q", got)
	}
	if got := askDatagram(t, "unixgram", gramPath, filepath.Join(r.dir, "client.sock"), "ping"); !strings.HasPrefix(got, "notify ") {
		t.Fatalf("unix datagram service answered %q", got)
	}
	r.signal(syscall.SIGTERM)
	if err := r.waitExit(20 * time.Second); err != nil {
		t.Fatalf("master exit: %v", err)
	}
	if _, err := os.Stat(gramPath); !os.IsNotExist(err) {
		t.Errorf("unix datagram socket left behind: %v", err)
	}
}

// askDatagram sends msg and returns the first reply (a unix datagram client binds local to be
// answered). The datagram is resent until a deadline: master starts the process on demand.
func askDatagram(t *testing.T, network, addr, local, msg string) string {
	t.Helper()
	var c net.Conn
	var err error
	if network == "unixgram" {
		c, err = net.DialUnix("unixgram", &net.UnixAddr{Name: local, Net: "unixgram"}, &net.UnixAddr{Name: addr, Net: "unixgram"})
	} else {
		c, err = net.Dial(network, addr)
	}
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	buf := make([]byte, 512)
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if _, err := c.Write([]byte(msg)); err != nil {
			t.Fatal(err)
		}
		c.SetReadDeadline(time.Now().Add(500 * time.Millisecond))
		n, err := c.Read(buf)
		if err == nil {
			return string(buf[:n])
		}
	}
	t.Fatalf("no answer from %s %s", network, addr)
	return ""
}
