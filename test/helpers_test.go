package test

import (
	"bytes"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"gocyrus/pkg/config"
	"gocyrus/pkg/cyrusdb"
	"gocyrus/pkg/store"
)

// hangTimeout bounds a wait for something that should happen at once (a
// daemon listening, an IDLE update, a reply): long enough that on a loaded
// machine only a hung process or a lost event reaches it.
const hangTimeout = 2 * time.Minute

// binDir holds the binaries under test: $GOCYRUS_BIN (make test builds
// them into ./bin) or a fresh build made by TestMain.
var binDir string

func TestMain(m *testing.M) {
	binDir = os.Getenv("GOCYRUS_BIN")
	cleanup := func() {}
	if binDir == "" {
		dir, err := os.MkdirTemp("", "gocyrus-bin-")
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
		cleanup = func() { os.RemoveAll(dir) }
		cmd := exec.Command("go", "build", "-o", dir+"/", "../cmd/...")
		cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
		if err := cmd.Run(); err != nil {
			fmt.Fprintln(os.Stderr, "building the binaries:", err)
			cleanup()
			os.Exit(2)
		}
		binDir = dir
	}
	code := m.Run()
	removeInstalledTree()
	cleanup()
	os.Exit(code)
}

// site is a configuration in a temporary directory.
type site struct {
	t         *testing.T
	dir       string
	configdir string
	spool     string
	imapdConf string
	cyrusConf string
	extraConf string
}

// newSite writes an imapd.conf (with extra lines appended) under a new
// temporary directory.
func newSite(t *testing.T, extra ...string) *site {
	t.Helper()
	dir := t.TempDir()
	s := &site{t: t, dir: dir, configdir: filepath.Join(dir, "config"), spool: filepath.Join(dir, "spool")}
	for _, d := range []string{s.configdir, s.spool} {
		if err := os.MkdirAll(d, 0o750); err != nil {
			t.Fatal(err)
		}
	}
	s.imapdConf = filepath.Join(dir, "imapd.conf")
	conf := fmt.Sprintf("configdirectory: %s\npartition-default: %s\ndefaultpartition: default\nadmins: cyrus\n", s.configdir, s.spool)
	conf += strings.Join(extra, "\n")
	if len(extra) > 0 {
		conf += "\n"
	}
	if err := os.WriteFile(s.imapdConf, []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	return s
}

type result struct {
	code           int
	stdout, stderr string
}

// run runs a binary with -C <imapd.conf> and the given args.
func (s *site) run(stdin string, prog string, args ...string) result {
	s.t.Helper()
	return runBin(s.t, stdin, prog, append([]string{"-C", s.imapdConf}, args...)...)
}

func runBin(t *testing.T, stdin, prog string, args ...string) result {
	t.Helper()
	cmd := exec.Command(filepath.Join(binDir, prog), args...)
	cmd.Stdin = strings.NewReader(stdin)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	if err != nil {
		ee, ok := err.(*exec.ExitError)
		if !ok {
			t.Fatalf("%s: %v", prog, err)
		}
		code = ee.ExitCode()
	}
	return result{code: code, stdout: out.String(), stderr: errb.String()}
}

// must runs and fails the test on a non-zero exit.
func (s *site) must(stdin string, prog string, args ...string) string {
	s.t.Helper()
	r := s.run(stdin, prog, args...)
	if r.code != 0 {
		s.t.Fatalf("%s %v: exit %d\n%s%s", prog, args, r.code, r.stdout, r.stderr)
	}
	return r.stdout
}

// freeAddr returns a loopback address with a port nobody listens on.
func freeAddr(t testing.TB) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// startDaemon runs prog (a daemon binary) standalone on the site with
// -C imapd.conf -l <free loopback port> and extra args, logging to
// <prog>.log in the site directory (printed if the test fails). It
// returns once the port accepts connections; the daemon is killed at
// cleanup.
func startDaemon(t testing.TB, s *site, prog string, extra ...string) string {
	t.Helper()
	addr := freeAddr(t)
	cmd := exec.Command(filepath.Join(binDir, prog), append([]string{"-C", s.imapdConf, "-l", addr}, extra...)...)
	logf, err := os.Create(filepath.Join(s.dir, prog+".log"))
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
		logf.Close()
		if t.Failed() {
			b, _ := os.ReadFile(logf.Name())
			t.Logf("%s log:\n%s", prog, b)
		}
	})
	for deadline := time.Now().Add(hangTimeout); ; time.Sleep(20 * time.Millisecond) {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			c.Close()
			return addr
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s did not start listening on %s: %v", prog, addr, err)
		}
	}
}

// openStore opens the site's databases directly (no master is running)
// and the mail store over them; the caller defers the returned close.
func (s *site) openStore(t testing.TB) (*store.Store, func()) {
	t.Helper()
	cfg, err := config.LoadImapd(s.imapdConf)
	if err != nil {
		t.Fatal(err)
	}
	db, err := cyrusdb.Open(s.configdir, cyrusdb.Options{})
	if err != nil {
		t.Fatal(err)
	}
	st, err := store.New(cfg, db, nil)
	if err != nil {
		db.Close()
		t.Fatal(err)
	}
	return st, func() { db.Close() }
}
