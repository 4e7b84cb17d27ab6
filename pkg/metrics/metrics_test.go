package metrics

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/common/expfmt"

	"gocyrus/internal/testseed"
)

// The child role: count what GOCYRUS_METRICS_CHILD says, print READY,
// then exit when stdin closes (or at once with "exit").
func TestMain(m *testing.M) {
	if spec := os.Getenv("GOCYRUS_METRICS_CHILD"); spec != "" {
		os.Exit(child(spec))
	}
	os.Exit(m.Run())
}

func child(spec string) int {
	var dir, svc, proto string
	var n int
	fmt.Sscan(spec, &dir, &svc, &proto, &n)
	if err := Open(dir, svc, proto, time.Hour, nil); err != nil {
		fmt.Println("ERR", err)
		return 1
	}
	countLoad(n)
	fmt.Println("READY")
	io.Copy(io.Discard, os.Stdin)
	return 0
}

// countLoad is n rounds of a small load: a connection (left open on odd
// rounds), a good and a bad login, two commands and a quota refusal.
func countLoad(n int) {
	for i := range n {
		end := ConnectionOpened()
		Login(true)
		Login(false)
		Command("SELECT", time.Now().Add(-3*time.Millisecond))
		Command("XNOSUCH", time.Now().Add(-20*time.Second))
		QuotaRefused()
		LMTPReceived(100, 2)
		LMTPDelivery(true)
		if i%2 == 0 {
			end()
		}
	}
}

type childProc struct {
	cmd   *exec.Cmd
	stdin io.WriteCloser
}

func startChild(t *testing.T, dir, svc, proto string, n int) *childProc {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), fmt.Sprintf("GOCYRUS_METRICS_CHILD=%s %s %s %d", dir, svc, proto, n))
	stdin, _ := cmd.StdinPipe()
	out, _ := cmd.StdoutPipe()
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	line, err := bufio.NewReader(out).ReadString('\n')
	if line != "READY\n" {
		t.Fatalf("child: %q %v", line, err)
	}
	return &childProc{cmd, stdin}
}

func (c *childProc) exit(t *testing.T) {
	c.stdin.Close()
	if err := c.cmd.Wait(); err != nil {
		t.Fatal(err)
	}
}

func collate(t *testing.T, dir string) *Snapshot {
	t.Helper()
	s, err := Collate(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// check compares the figures of countLoad(n) summed over processes with s.
func check(t *testing.T, s *Snapshot, svc string, n, procs, active int64) {
	t.Helper()
	want := map[string]int64{
		"cyrus_imap_connections_total":                                            n,
		"cyrus_imap_active_connections":                                           active,
		`cyrus_imap_authenticate_total{result="yes"}`:                             n,
		`cyrus_imap_authenticate_total{result="no"}`:                              n,
		`cyrus_imap_command_duration_seconds_count{command="select"}`:             n,
		`cyrus_imap_command_duration_seconds_bucket{command="select",le="0.005"}`: n,
		`cyrus_imap_command_duration_seconds_count{command="other"}`:              n,
		`cyrus_imap_command_duration_seconds_bucket{command="other",le="10"}`:     0,
		"cyrus_quota_refusals_total":                                              n,
		"cyrus_lmtp_received_bytes_total":                                         0, // not an LMTP process
	}
	for k, v := range want {
		if got := s.Value(svc, k); got != v {
			t.Errorf("%s: %s = %d, want %d", svc, k, got, v)
		}
	}
	// 20s each, plus the moment between taking the start and counting.
	if sum := s.Value(svc, `cyrus_imap_command_duration_seconds_sum_microseconds{command="other"}`); sum < n*20e6 || sum > n*21e6 {
		t.Errorf("%s: other's duration sum %dus, want about %d", svc, sum, n*20e6)
	}
	if got := s.Services[svc].Processes; int64(got) != procs {
		t.Errorf("%s: %d processes, want %d", svc, got, procs)
	}
}

// TestCountsSurviveTheirProcess: live processes are summed; a process that
// exits is folded into done once, however many collations follow, and its
// gauges go.
func TestCountsSurviveTheirProcess(t *testing.T) {
	dir := t.TempDir()
	a := startChild(t, dir, "imap", ProtoIMAP, 3)
	b := startChild(t, dir, "imap", ProtoIMAP, 4)
	c := startChild(t, dir, "imaps", ProtoIMAP, 5)
	check(t, collate(t, dir), "imap", 7, 2, 1+2)
	a.exit(t)
	for range 3 {
		s := collate(t, dir)
		check(t, s, "imap", 7, 1, 2)
		check(t, s, "imaps", 5, 1, 2)
	}
	b.exit(t)
	c.exit(t)
	check(t, collate(t, dir), "imap", 7, 0, 0)
	s := collate(t, dir)
	check(t, s, "imaps", 5, 0, 0)
	if m, _ := filepath.Glob(filepath.Join(dir, "*.stats")); len(m) != 0 {
		t.Errorf("folded files left: %v", m)
	}
	parse(t, s)
}

// TestFoldInterrupted: a collator that wrote done but died before removing
// the folded file does not count it again.
func TestFoldInterrupted(t *testing.T) {
	dir := t.TempDir()
	startChild(t, dir, "imap", ProtoIMAP, 2).exit(t)
	m, _ := filepath.Glob(filepath.Join(dir, "*.stats"))
	if len(m) != 1 {
		t.Fatalf("stats files %v", m)
	}
	keep, err := os.ReadFile(m[0])
	if err != nil {
		t.Fatal(err)
	}
	check(t, collate(t, dir), "imap", 2, 0, 0)
	// Put the folded file back, as if the removal had not happened.
	if err := os.WriteFile(m[0], keep, 0o640); err != nil {
		t.Fatal(err)
	}
	check(t, collate(t, dir), "imap", 2, 0, 0)
	if _, err := os.Stat(m[0]); !os.IsNotExist(err) {
		t.Errorf("folded file not removed: %v", err)
	}
	check(t, collate(t, dir), "imap", 2, 0, 0)
}

// TestHostileStatsFiles: files that are not ours, or lie about their
// layout, are skipped and left as they are; the rest is still counted.
func TestHostileStatsFiles(t *testing.T) {
	r := testseed.Rand(t)
	dir := t.TempDir()
	startChild(t, dir, "pop3", ProtoPOP3, 1).exit(t)
	junk := make([]byte, 5000)
	for i := range junk {
		junk[i] = byte(r.IntN(256))
	}
	bad := map[string][]byte{
		"1-a.stats": junk,
		"2-b.stats": []byte(magic + " 0000004096 0099999999\nservice x\nproto imap\npid 1\n"),
		"3-c.stats": []byte(magic + " 0000000008 0000000001\nservice x\"y\nproto imap\npid 1\nc k\n"),
		"4-d.stats": []byte(magic + " 0000000064 0000000001\nservice x\nproto imap\npid 1\nc a\tb\n" + strings.Repeat("\x00", 64)),
		"5-e.stats": {},
	}
	for n, b := range bad {
		if err := os.WriteFile(filepath.Join(dir, n), b, 0o640); err != nil {
			t.Fatal(err)
		}
	}
	s := collate(t, dir)
	if got := s.Value("pop3", "cyrus_pop3_connections_total"); got != 1 {
		t.Errorf("pop3 connections %d, want 1", got)
	}
	if len(s.Services) != 1 {
		t.Errorf("services %v", s.Services)
	}
	for n, b := range bad {
		got, err := os.ReadFile(filepath.Join(dir, n))
		if err != nil || !bytes.Equal(got, b) {
			t.Errorf("%s changed: %v", n, err)
		}
	}
}

// TestCountingWithoutOpen: a process without stats counts nothing and
// does not fail.
func TestCountingWithoutOpen(t *testing.T) {
	countLoad(3)
	if cur.Load() != nil {
		t.Fatal("counting without Open")
	}
}

// parse checks the exposition with Prometheus's own text parser and
// returns the families.
func parse(t *testing.T, s *Snapshot) {
	t.Helper()
	var b bytes.Buffer
	if err := WriteText(&b, s); err != nil {
		t.Fatal(err)
	}
	var p expfmt.TextParser
	fams, err := p.TextToMetricFamilies(bytes.NewReader(b.Bytes()))
	if err != nil {
		t.Fatalf("exposition does not parse: %v\n%s", err, b.String())
	}
	h := fams["cyrus_imap_command_duration_seconds"]
	if h == nil {
		t.Fatalf("no histogram:\n%s", b.String())
	}
	for _, m := range h.Metric {
		lbl := map[string]string{}
		for _, l := range m.Label {
			lbl[l.GetName()] = l.GetValue()
		}
		if lbl["service"] == "imap" && lbl["command"] == "select" && m.Histogram.GetSampleCount() != 7 {
			t.Errorf("select count %d, want 7", m.Histogram.GetSampleCount())
		}
	}
}

// TestUnfinishedFileIsDebris: a process that died making its file (never
// renamed to .stats, so nothing was counted in it) leaves debris that a
// collation removes; files of other programs are left alone.
func TestUnfinishedFileIsDebris(t *testing.T) {
	dir := t.TempDir()
	debris := filepath.Join(dir, newPrefix+"9-abc")
	other := filepath.Join(dir, "README")
	for _, f := range []string{debris, other} {
		if err := os.WriteFile(f, []byte(magic), 0o640); err != nil {
			t.Fatal(err)
		}
	}
	collate(t, dir)
	if _, err := os.Stat(debris); !os.IsNotExist(err) {
		t.Errorf("debris left: %v", err)
	}
	if _, err := os.Stat(other); err != nil {
		t.Errorf("another file removed: %v", err)
	}
}
