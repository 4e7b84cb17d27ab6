package test

import (
	"bufio"
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"gocyrus/pkg/service"
)

// Issue 19: `make install` in Debian's Cyrus layout, the systemd unit and the SysV init script.

var (
	installOnce sync.Once
	installRoot string
	installErr  error
	installOut  []byte
)

// installedTree runs `make install DESTDIR=<dir>` once per test binary (into a directory removed
// by TestMain's exit: the OS temp dir, named for this process) and returns the DESTDIR.
func installedTree(t *testing.T) string {
	t.Helper()
	installOnce.Do(func() {
		installRoot, installErr = os.MkdirTemp("", "gocyrus-install-")
		if installErr != nil {
			return
		}
		cmd := exec.Command("make", "-C", "..", "install", "DESTDIR="+installRoot, "BIN="+binDir)
		installOut, installErr = cmd.CombinedOutput()
	})
	if installErr != nil {
		t.Fatalf("make install: %v\n%s", installErr, installOut)
	}
	return installRoot
}

// removeInstalledTree is called by TestMain after the tests.
func removeInstalledTree() {
	if installRoot != "" {
		os.RemoveAll(installRoot)
	}
}

// logToStderr drops syslog_prefix from m's imapd.conf, so that master and its daemons log to
// standard error, where the test reads them, even on a machine running a syslog daemon.
// Nothing else changes: the prefix only chooses where log lines go.
func logToStderr(t *testing.T, m *confMaster) {
	t.Helper()
	b, err := os.ReadFile(m.imapdConf)
	if err != nil {
		t.Fatal(err)
	}
	out := regexp.MustCompile(`(?m)^syslog_prefix:.*$`).ReplaceAll(b, nil)
	if bytes.Equal(out, b) {
		t.Fatal("the installed imapd.conf sets no syslog_prefix")
	}
	if err := os.WriteFile(m.imapdConf, out, 0o644); err != nil {
		t.Fatal(err)
	}
}

func isExecutable(t *testing.T, path string) {
	t.Helper()
	fi, err := os.Stat(path) // follows links: a dangling one fails here
	if err != nil {
		t.Errorf("%s: %v", path, err)
		return
	}
	if !fi.Mode().IsRegular() || fi.Mode().Perm()&0o111 != 0o111 {
		t.Errorf("%s: mode %v, want an executable file", path, fi.Mode())
	}
}

// TestMakeInstallLayout: every cmd/ program is in /usr/lib/cyrus/bin, the tools Debian's
// cyrus-admin and cyrus-clients put on PATH are linked there, /usr/sbin has the cyrus
// multiplexer (which runs our programs) and the cyrdeliver/cyrmaster links, every man page
// is installed (section 8 as cyrus-NAME.8), and the config files, unit and init script carry
// no unsubstituted @VAR@.
func TestMakeInstallLayout(t *testing.T) {
	root := installedTree(t)
	cmds, err := os.ReadDir("../cmd")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cmds {
		isExecutable(t, filepath.Join(root, "usr/lib/cyrus/bin", c.Name()))
	}
	for _, p := range []string{"cyradm", "sieveshell", "installsieve", "imtest", "pop3test", "lmtptest", "sivtest"} {
		link := filepath.Join(root, "usr/bin", p)
		if dst, err := os.Readlink(link); err != nil || dst != "../lib/cyrus/bin/"+p {
			t.Errorf("%s -> %q (%v), want ../lib/cyrus/bin/%s", link, dst, err, p)
		}
		isExecutable(t, link)
	}
	for link, prog := range map[string]string{"cyrdeliver": "deliver", "cyrmaster": "master"} {
		if dst, err := os.Readlink(filepath.Join(root, "usr/sbin", link)); err != nil || dst != "../lib/cyrus/bin/"+prog {
			t.Errorf("usr/sbin/%s -> %q (%v)", link, dst, err)
		}
	}
	isExecutable(t, filepath.Join(root, "usr/sbin/cyrus"))

	for _, sec := range []string{"1", "5", "8"} {
		pages, _ := filepath.Glob(filepath.Join("../man", "man"+sec, "*."+sec))
		if len(pages) == 0 {
			t.Fatalf("no man pages in man/man%s", sec)
		}
		for _, p := range pages {
			name := filepath.Base(p)
			if sec == "8" {
				name = "cyrus-" + name
			}
			if _, err := os.Stat(filepath.Join(root, "usr/share/man", "man"+sec, name)); err != nil {
				t.Errorf("man page not installed: %v", err)
			}
		}
	}
	for _, f := range []string{"etc/imapd.conf", "etc/cyrus.conf", "etc/init.d/gocyrus", "usr/lib/systemd/system/gocyrus.service", "usr/sbin/cyrus"} {
		b, err := os.ReadFile(filepath.Join(root, f))
		if err != nil {
			t.Error(err)
			continue
		}
		if m := regexp.MustCompile(`@[A-Z]+@`).Find(b); m != nil {
			t.Errorf("%s: %s left unsubstituted", f, m)
		}
		if bytes.Contains(b, []byte(root)) {
			t.Errorf("%s names the DESTDIR %s", f, root)
		}
	}
	isExecutable(t, filepath.Join(root, "etc/init.d/gocyrus"))
	for _, d := range []string{"var/lib/cyrus", "var/spool/cyrus/mail", "var/spool/sieve"} {
		if fi, err := os.Stat(filepath.Join(root, d)); err != nil || !fi.IsDir() {
			t.Errorf("%s: not a directory (%v)", d, err)
		}
	}
}

// TestCyrusWrapperRunsPrograms: /usr/sbin/cyrus finds NAME, cyr_NAME, ctl_NAME and "check" in
// the program directory, as Debian's does (cmd="/usr/sbin/cyrus expire ..." in cyrus.conf), and
// refuses a path.
func TestCyrusWrapperRunsPrograms(t *testing.T) {
	root := installedTree(t)
	// The installed wrapper names /usr/lib/cyrus/bin; this copy names the DESTDIR's.
	b, err := os.ReadFile(filepath.Join(root, "usr/sbin/cyrus"))
	if err != nil {
		t.Fatal(err)
	}
	wrapper := filepath.Join(t.TempDir(), "cyrus")
	text := strings.Replace(string(b), "CYRUS_BINPATH=/usr/lib/cyrus/bin", "CYRUS_BINPATH="+filepath.Join(root, "usr/lib/cyrus/bin"), 1)
	if text == string(b) {
		t.Fatal("the wrapper does not set CYRUS_BINPATH=/usr/lib/cyrus/bin")
	}
	if err := os.WriteFile(wrapper, []byte(text), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		args []string
		want string // in the combined output
		ok   bool
	}{
		{[]string{"expire", "-h"}, "cyr_expire", true},
		{[]string{"cyrusdb", "-h"}, "ctl_cyrusdb", true},
		{[]string{"check", "-h"}, "chk_cyrus", true},
		{[]string{"reconstruct", "-h"}, "reconstruct", true},
		{[]string{"nosuch"}, "unknown command", false},
		{[]string{"../../bin/sh"}, "not a command name", false},
		{nil, "usage: cyrus COMMAND", false},
	} {
		out, err := exec.Command(wrapper, tc.args...).CombinedOutput()
		if !strings.Contains(string(out), tc.want) {
			t.Errorf("cyrus %v: output lacks %q:\n%s", tc.args, tc.want, out)
		}
		if !tc.ok && err == nil {
			t.Errorf("cyrus %v: exit 0, want a failure", tc.args)
		}
	}
}

// TestMakeInstallKeepsConfig: a second `make install` over a changed /etc/imapd.conf leaves it
// as it is and puts the new default beside it as imapd.conf.dist, saying so.
func TestMakeInstallKeepsConfig(t *testing.T) {
	root := t.TempDir()
	changed := "# the admin's own\nconfigdirectory: /srv/cyrus\n"
	if err := os.MkdirAll(filepath.Join(root, "etc"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, "etc/imapd.conf"), []byte(changed), 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("make", "-C", "..", "install", "DESTDIR="+root, "BIN="+binDir).CombinedOutput()
	if err != nil {
		t.Fatalf("make install: %v\n%s", err, out)
	}
	if b, _ := os.ReadFile(filepath.Join(root, "etc/imapd.conf")); string(b) != changed {
		t.Errorf("etc/imapd.conf overwritten:\n%s", b)
	}
	dist, _ := os.ReadFile(filepath.Join(root, "etc/imapd.conf.dist"))
	want, _ := os.ReadFile("../packaging/etc/imapd.conf")
	if len(want) == 0 || !bytes.Equal(dist, want) {
		t.Error("etc/imapd.conf.dist is not the packaged default")
	}
	if !strings.Contains(string(out), "imapd.conf exists, left unchanged; the new default is") {
		t.Errorf("make install did not say it kept imapd.conf:\n%s", out)
	}
	if _, err := os.Stat(filepath.Join(root, "etc/cyrus.conf.dist")); err == nil {
		t.Error("cyrus.conf.dist written though there was no cyrus.conf")
	}
}

// TestInstalledConfigStartsServer: the installed /etc/imapd.conf and /etc/cyrus.conf, with
// only their /var and /run paths moved under a temporary root and the TCP ports made free,
// start the installed master, which answers IMAP, POP3, LMTP over the unix socket
// /run/cyrus/socket/lmtp and ManageSieve.
func TestInstalledConfigStartsServer(t *testing.T) {
	root := installedTree(t)
	m := prepareConf(t, filepath.Join(root, "etc"))
	logToStderr(t, m)
	lmtpUnix := false
	for _, e := range m.cc.Services {
		if e.Name == "lmtpunix" && e.Listen == filepath.Join(m.root, "run/cyrus/socket/lmtp") {
			lmtpUnix = true
		}
	}
	if !lmtpUnix {
		t.Error("cyrus.conf has no lmtpunix service on /run/cyrus/socket/lmtp")
	}
	m.start(t, filepath.Join(root, "usr/lib/cyrus/bin/master"))
	m.checkServices(t)
	if strings.Contains(m.out.String(), "which gocyrus does not ship") {
		t.Errorf("the installed cyrus.conf names a program gocyrus does not ship:\n%s", m.out)
	}
	for _, bad := range []string{"unknown option", "has no effect in gocyrus"} {
		if strings.Contains(m.out.String(), bad) {
			t.Errorf("the installed imapd.conf draws %q warnings:\n%s", bad, m.out)
		}
	}
}

// unitFile is a parsed systemd unit: section -> key -> values (a key may repeat).
type unitFile map[string]map[string][]string

// parseUnit reads systemd's unit syntax: [Section] headers, Key=Value lines, # and ; comments,
// a trailing backslash continuing a line. Anything else is an error.
func parseUnit(t *testing.T, text string) unitFile {
	t.Helper()
	u := unitFile{}
	section := ""
	sc := bufio.NewScanner(strings.NewReader(strings.ReplaceAll(text, "\\\n", " ")))
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		switch {
		case line == "" || strings.HasPrefix(line, "#") || strings.HasPrefix(line, ";"):
		case strings.HasPrefix(line, "[") && strings.HasSuffix(line, "]"):
			section = line[1 : len(line)-1]
			if u[section] != nil {
				t.Errorf("unit line %d: section [%s] repeated", n, section)
			}
			u[section] = map[string][]string{}
		default:
			k, v, ok := strings.Cut(line, "=")
			if !ok || section == "" || strings.TrimSpace(k) == "" {
				t.Errorf("unit line %d: %q is not Key=Value inside a section", n, line)
				continue
			}
			k = strings.TrimSpace(k)
			u[section][k] = append(u[section][k], strings.TrimSpace(v))
		}
	}
	return u
}

func (u unitFile) one(t *testing.T, section, key string) string {
	t.Helper()
	v := u[section][key]
	if len(v) != 1 {
		t.Errorf("[%s] %s: %d values %q, want one", section, key, len(v), v)
		return ""
	}
	return v[0]
}

// TestSystemdUnit checks the installed unit by its meaning (parsed here, on every machine)
// and, where systemd-analyze exists, with `systemd-analyze verify`: a forking master whose
// ExecStart is the installed master with -d and the PIDFile, reload by SIGHUP, the runtime
// directory /run/cyrus, every data path of the installed imapd.conf writable under
// ProtectSystem, and no NoNewPrivileges (Sieve's sendmail needs Postfix's setgid postdrop).
func TestSystemdUnit(t *testing.T) {
	root := installedTree(t)
	unitPath := filepath.Join(root, "usr/lib/systemd/system/gocyrus.service")
	b, err := os.ReadFile(unitPath)
	if err != nil {
		t.Fatal(err)
	}
	u := parseUnit(t, string(b))
	for _, s := range []string{"Unit", "Service", "Install"} {
		if u[s] == nil {
			t.Fatalf("no [%s] section", s)
		}
	}
	if got := u.one(t, "Service", "Type"); got != "forking" {
		t.Errorf("Type=%s, want forking (master -d returns once started)", got)
	}
	pid := u.one(t, "Service", "PIDFile")
	exec0 := strings.Fields(u.one(t, "Service", "ExecStart"))
	if len(exec0) == 0 || exec0[0] != "/usr/lib/cyrus/bin/master" {
		t.Errorf("ExecStart=%q, want /usr/lib/cyrus/bin/master ...", exec0)
	}
	args := strings.Join(exec0, " ")
	for _, want := range []string{" -d", " -p " + pid, " -C /etc/imapd.conf", " -M /etc/cyrus.conf"} {
		if !strings.Contains(args, want) {
			t.Errorf("ExecStart=%q lacks %q", args, want)
		}
	}
	if got := u.one(t, "Service", "ExecReload"); !strings.Contains(got, "-HUP") || !strings.Contains(got, "$MAINPID") {
		t.Errorf("ExecReload=%q, want kill -HUP $MAINPID", got)
	}
	if rd := strings.Fields(u.one(t, "Service", "RuntimeDirectory")); len(rd) == 0 || !strings.HasPrefix(pid, "/run/"+rd[0]+"/") {
		t.Errorf("PIDFile %s is not in the RuntimeDirectory %q", pid, rd)
	}
	if len(u["Service"]["NoNewPrivileges"]) != 0 {
		t.Error("NoNewPrivileges set: Postfix's sendmail (setgid postdrop) would fail for Sieve redirect")
	}
	if got := u.one(t, "Service", "ProtectSystem"); got != "full" {
		t.Errorf("ProtectSystem=%s, want full", got)
	}
	rw := strings.Fields(u.one(t, "Service", "ReadWritePaths"))
	conf, err := os.ReadFile(filepath.Join(root, "etc/imapd.conf"))
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(conf), "\n") {
		k, v, ok := strings.Cut(line, ":")
		v = strings.TrimSpace(v)
		if !ok || strings.HasPrefix(k, "#") || !strings.HasPrefix(v, "/") || strings.HasPrefix(v, "/etc/") {
			continue
		}
		covered := false
		for _, p := range rw {
			covered = covered || v == p || strings.HasPrefix(v, p+"/")
		}
		if !covered {
			t.Errorf("imapd.conf's %s: %s is not under ReadWritePaths %q", k, v, rw)
		}
	}
	if got := u.one(t, "Install", "WantedBy"); got != "multi-user.target" {
		t.Errorf("WantedBy=%s", got)
	}

	sa, err := exec.LookPath("systemd-analyze")
	if err != nil {
		t.Logf("systemd-analyze not on this machine: the unit was checked by parsing only")
		return
	}
	// verify wants ExecStart's program to exist: point it at the DESTDIR's master.
	dir := t.TempDir()
	local := strings.ReplaceAll(string(b), "/usr/lib/cyrus/bin/master", filepath.Join(root, "usr/lib/cyrus/bin/master"))
	if err := os.WriteFile(filepath.Join(dir, "gocyrus.service"), []byte(local), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(sa, "verify", filepath.Join(dir, "gocyrus.service")).CombinedOutput()
	if err != nil || len(bytes.TrimSpace(out)) != 0 {
		t.Errorf("systemd-analyze verify: %v\n%s", err, out)
	}
}

// TestInitScript: `sh -n`, the LSB header, then the installed script run against a temporary
// root (its paths given by the environment): start (master answers IMAP and LMTP on the unix
// socket), start again (says already running), status 0, reload (master logs the SIGHUP and keeps
// serving), stop (the pidfile gone, status 3), stop again (still 0).
func TestInitScript(t *testing.T) {
	root := installedTree(t)
	script := filepath.Join(root, "etc/init.d/gocyrus")
	if out, err := exec.Command("sh", "-n", script).CombinedOutput(); err != nil {
		t.Fatalf("sh -n: %v\n%s", err, out)
	}
	b, err := os.ReadFile(script)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"### BEGIN INIT INFO", "# Provides:", "# Required-Start:", "# Required-Stop:", "# Default-Start:", "# Default-Stop:", "# Short-Description:", "### END INIT INFO"} {
		if !strings.Contains(string(b), want) {
			t.Errorf("LSB header lacks %q", want)
		}
	}

	m := prepareConf(t, filepath.Join(root, "etc"))
	logToStderr(t, m)
	rundir := filepath.Join(m.root, "run/cyrus")
	pidfile := filepath.Join(rundir, "master.pid")
	logfile := filepath.Join(m.root, "master.log")
	env := append(os.Environ(),
		"GOCYRUS_DEFAULTS="+filepath.Join(m.root, "no-defaults"),
		"DAEMON="+filepath.Join(root, "usr/lib/cyrus/bin/master"),
		"IMAPD_CONF="+m.imapdConf, "CYRUS_CONF="+m.cyrusConf,
		"RUNDIR="+rundir, "MASTER_LOG="+logfile, "STOP_TIMEOUT=60")
	run := func(action string) (int, string) {
		t.Helper()
		cmd := exec.Command(script, action)
		cmd.Env = env
		out, err := cmd.CombinedOutput()
		if ee, ok := err.(*exec.ExitError); ok {
			return ee.ExitCode(), string(out)
		}
		if err != nil {
			t.Fatalf("%s: %v", action, err)
		}
		return 0, string(out)
	}
	stopped := false
	t.Cleanup(func() {
		if !stopped {
			run("stop")
		}
		if t.Failed() {
			b, _ := os.ReadFile(logfile)
			t.Logf("master log:\n%s", b)
		}
	})
	if code, out := run("start"); code != 0 {
		t.Fatalf("start: exit %d\n%s", code, out)
	}
	if _, err := os.Stat(filepath.Join(rundir, "socket")); err != nil {
		t.Errorf("start did not make the runtime directory: %v", err)
	}
	m.checkServices(t)
	if code, out := run("start"); code != 0 || !strings.Contains(out, "already running") {
		t.Errorf("second start: exit %d\n%s", code, out)
	}
	if code, out := run("status"); code != 0 || !strings.Contains(out, "is running") {
		t.Errorf("status: exit %d\n%s", code, out)
	}
	if code, out := run("reload"); code != 0 {
		t.Errorf("reload: exit %d\n%s", code, out)
	}
	waitFileContains(t, logfile, "SIGHUP: reloading")
	// Still serving (not checkServices again: popminpoll refuses a second POP3 login).
	lmtpDeliverTo(t, service.Addr{Network: "unix", Address: filepath.Join(rundir, "socket/lmtp")}, 1)
	if code, out := run("stop"); code != 0 {
		t.Fatalf("stop: exit %d\n%s", code, out)
	}
	stopped = true
	if _, err := os.Stat(pidfile); !os.IsNotExist(err) {
		t.Errorf("pidfile after stop: %v", err)
	}
	if code, out := run("status"); code != 3 || !strings.Contains(out, "not running") {
		t.Errorf("status after stop: exit %d, want 3\n%s", code, out)
	}
	if code, out := run("stop"); code != 0 {
		t.Errorf("stop when stopped: exit %d\n%s", code, out)
	}
	if code, _ := run("bogus"); code != 3 {
		t.Errorf("unknown action: exit %d, want 3", code)
	}
}

func waitFileContains(t *testing.T, path, want string) {
	t.Helper()
	for deadline := time.Now().Add(hangTimeout); ; time.Sleep(20 * time.Millisecond) {
		if b, _ := os.ReadFile(path); strings.Contains(string(b), want) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s lacks %q", path, want)
		}
	}
}
