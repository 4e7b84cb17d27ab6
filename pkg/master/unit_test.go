package master

import (
	"bytes"
	"errors"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"gocyrus/pkg/config"
)

func TestNextAt(t *testing.T) {
	loc := time.FixedZone("test", 3600)
	now := time.Date(2024, 3, 10, 12, 30, 0, 0, loc)
	tests := []struct {
		at   string
		want time.Time
		err  bool
	}{
		{"1245", time.Date(2024, 3, 10, 12, 45, 0, 0, loc), false},
		{"1230", now, false},
		{"0400", time.Date(2024, 3, 11, 4, 0, 0, 0, loc), false},
		{"0000", time.Date(2024, 3, 11, 0, 0, 0, 0, loc), false},
		{"2359", time.Date(2024, 3, 10, 23, 59, 0, 0, loc), false},
		{"2400", time.Time{}, true},
		{"1260", time.Time{}, true},
		{"400", time.Time{}, true},
		{"ab12", time.Time{}, true},
		{"-100", time.Time{}, true},
		{"+100", time.Time{}, true},
	}
	for _, tt := range tests {
		got, err := nextAt(tt.at, now)
		if (err != nil) != tt.err || !got.Equal(tt.want) {
			t.Errorf("nextAt(%q) = %v, %v; want %v (error %v)", tt.at, got, err, tt.want, tt.err)
		}
	}
}

func FuzzNextAt(f *testing.F) {
	for _, s := range []string{"0400", "2359", "0000", "9999", "12:3", ""} {
		f.Add(s)
	}
	now := time.Date(2024, 1, 1, 10, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, at string) {
		got, err := nextAt(at, now)
		if err == nil && (got.Before(now) || got.Sub(now) > 24*time.Hour) {
			t.Fatalf("nextAt(%q) = %v, not within a day after %v", at, got, now)
		}
	})
}

func TestForkDelayAndFailureWindow(t *testing.T) {
	now := time.Now()
	if d := forkDelay(0, now); d != 0 {
		t.Errorf("no rate: %v", d)
	}
	if d := forkDelay(10, time.Time{}); d != 0 {
		t.Errorf("first fork: %v", d)
	}
	if d := forkDelay(10, now); d <= 0 || d > 100*time.Millisecond {
		t.Errorf("rate 10 right after a fork: %v", d)
	}
	ts := []time.Time{now.Add(-20 * time.Second), now.Add(-9 * time.Second), now.Add(-time.Second)}
	if got := recent(ts, now); len(got) != 2 {
		t.Errorf("recent kept %d, want 2", len(got))
	}
}

func TestExitDescription(t *testing.T) {
	if d, bad := exitDescription(nil); d != "exited, status 0" || bad {
		t.Errorf("nil: %q %v", d, bad)
	}
	err := exec.Command("sh", "-c", "exit 3").Run()
	if d, bad := exitDescription(err); d != "exited, status 3" || !bad {
		t.Errorf("exit 3: %q %v", d, bad)
	}
	err = exec.Command("sh", "-c", "kill -9 $$").Run()
	if d, bad := exitDescription(err); !strings.HasPrefix(d, "signaled to death by signal 9") || !bad {
		t.Errorf("kill -9: %q %v", d, bad)
	}
	if _, bad := exitDescription(errors.New("boom")); !bad {
		t.Error("other error not abnormal")
	}
}

func TestValidate(t *testing.T) {
	cc, err := config.ParseCyrusConf(strings.NewReader(`SERVICES {
  a cmd="x" listen="143"
  b cmd="x" listen="[::1"
  c cmd="x" listen="nosuchservice" proto="udp"
  d cmd="x" listen="fud" proto="udp"
}
`), "cyrus.conf")
	if err != nil {
		t.Fatal(err)
	}
	err = Validate(cc)
	if err == nil || !strings.Contains(err.Error(), "cyrus.conf:3") || !strings.Contains(err.Error(), "cyrus.conf:4") {
		t.Fatalf("Validate = %v; want errors naming lines 3 and 4", err)
	}
	if strings.Contains(err.Error(), "cyrus.conf:2") || strings.Contains(err.Error(), "cyrus.conf:5") {
		t.Fatalf("good line reported: %v", err)
	}
}

func TestPidFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "master.pid")
	p, err := lockPidFile(path, "")
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(path); strings.TrimSpace(string(b)) != itoa(os.Getpid()) {
		t.Fatalf("pidfile holds %q", b)
	}
	if _, err := lockPidFile(path, ""); err == nil || !strings.Contains(err.Error(), "another master") {
		t.Fatalf("second lock: %v", err)
	}
	if err := p.release(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Fatal("pidfile not removed")
	}
	// Default location falls back to configdirectory when /var/run is not usable.
	if os.Getuid() != 0 {
		dir := t.TempDir()
		p, err := lockPidFile("", dir)
		if err != nil || p.path != filepath.Join(dir, "master.pid") {
			t.Fatalf("fallback: %+v, %v", p, err)
		}
		p.release()
	}
}

// TestEventNeverOverlaps drives the scheduler directly: a second firing while the first run is
// still going is skipped and logged.
func TestEventNeverOverlaps(t *testing.T) {
	var logs bytes.Buffer
	cfg := config.New()
	cfg.Set("configdirectory", t.TempDir())
	cc := &config.CyrusConf{}
	m, err := New(Options{Config: cfg, CyrusConf: cc, CyrusConfPath: "unused", Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	if err != nil {
		t.Fatal(err)
	}
	ev := &eventState{entry: config.Entry{Section: config.SectionEvents, Name: "slow", Cmd: []string{"sleep", "5"}}}
	m.events["slow"] = ev
	m.fire(ev)
	if ev.running == nil {
		t.Fatalf("event did not start: %s", logs.String())
	}
	first := ev.running
	m.fire(ev)
	if ev.running != first || len(m.children) != 1 {
		t.Fatalf("second run started while the first was running (%d children)", len(m.children))
	}
	if !strings.Contains(logs.String(), "event still running, this run skipped") {
		t.Fatalf("skip not logged: %s", logs.String())
	}
	first.cmd.Process.Signal(syscall.SIGKILL)
	select {
	case fn := <-m.calls:
		fn()
	case <-time.After(5 * time.Second):
		t.Fatal("event exit not reported")
	}
	if ev.running != nil {
		t.Fatal("running mark not cleared after exit")
	}
}

// prefork is capped by maxchild and by what master's descriptor limit allows, each logged.
func TestCapPrefork(t *testing.T) {
	var logs bytes.Buffer
	m := &Master{log: slog.New(slog.NewTextHandler(&logs, nil)), nofile: 1024}
	fit := processesForFDs(1024)
	if fit >= 1000 || fit < 1 {
		t.Fatalf("processesForFDs(1024) = %d", fit)
	}
	e := m.capPrefork(config.Entry{Name: "imap", File: "cyrus.conf", Line: 3, Prefork: 1000})
	if e.Prefork != fit {
		t.Fatalf("prefork 1000 with 1024 descriptors -> %d, want %d", e.Prefork, fit)
	}
	if !strings.Contains(logs.String(), "file descriptor limit allows, capped") || !strings.Contains(logs.String(), "line=3") {
		t.Fatalf("the cap is not logged with its line:\n%s", logs.String())
	}
	e = m.capPrefork(config.Entry{Name: "imap", Prefork: 50, MaxChild: 20})
	if e.Prefork != 20 {
		t.Fatalf("prefork 50 maxchild 20 -> %d", e.Prefork)
	}
	m.nofile = 0 // unknown limit: no cap
	if e = m.capPrefork(config.Entry{Name: "imap", Prefork: 1000}); e.Prefork != 1000 {
		t.Fatalf("prefork with an unknown limit -> %d", e.Prefork)
	}
}
