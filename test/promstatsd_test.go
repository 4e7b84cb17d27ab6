package test

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
)

// scrape fetches promstatsd's /metrics (as user:pass, "" for none) and
// parses it with Prometheus's own text parser.
func scrape(t *testing.T, addr, user, pass string) (int, map[string]*dto.MetricFamily, string) {
	t.Helper()
	req, err := http.NewRequest("GET", "http://"+addr+"/metrics", nil)
	if err != nil {
		t.Fatal(err)
	}
	if user != "" {
		req.SetBasicAuth(user, pass)
	}
	resp, err := (&http.Client{Timeout: hangTimeout}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK {
		return resp.StatusCode, nil, string(body)
	}
	var p expfmt.TextParser
	fams, err := p.TextToMetricFamilies(bytes.NewReader(body))
	if err != nil {
		t.Fatalf("the exposition does not parse: %v\n%s", err, body)
	}
	return resp.StatusCode, fams, string(body)
}

// sample is one value of a scrape: family name, then label=value pairs;
// a histogram's value is its sample count.
func sample(fams map[string]*dto.MetricFamily, name string, labels ...string) float64 {
	f := fams[name]
	if f == nil {
		return -1
	}
next:
	for _, m := range f.Metric {
		have := map[string]string{}
		for _, l := range m.Label {
			have[l.GetName()] = l.GetValue()
		}
		for i := 0; i+1 < len(labels); i += 2 {
			if have[labels[i]] != labels[i+1] {
				continue next
			}
		}
		switch {
		case m.Counter != nil:
			return m.Counter.GetValue()
		case m.Gauge != nil:
			return m.Gauge.GetValue()
		case m.Histogram != nil:
			return float64(m.Histogram.GetSampleCount())
		}
	}
	return -1
}

// imapRaw runs one IMAP session: each line is sent and answered up to its
// tagged reply (a "{n}" literal waits for the continuation); it returns
// the tagged replies.
func imapRaw(t *testing.T, addr string, lines ...string) []string {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(hangTimeout))
	r := bufio.NewReader(c)
	read := func() string {
		l, err := r.ReadString('\n')
		if err != nil {
			t.Fatalf("IMAP: %v", err)
		}
		return l
	}
	read() // greeting
	var tagged []string
	for _, l := range lines {
		tag, _, _ := strings.Cut(l, " ")
		head, literal, isLit := strings.Cut(l, "\r\n")
		fmt.Fprintf(c, "%s\r\n", head)
		if isLit {
			if got := read(); !strings.HasPrefix(got, "+") {
				tagged = append(tagged, got)
				continue
			}
			fmt.Fprintf(c, "%s\r\n", literal)
		}
		for {
			got := read()
			if strings.HasPrefix(got, tag+" ") {
				tagged = append(tagged, strings.TrimSpace(got))
				break
			}
		}
	}
	return tagged
}

// TestPromstatsdCountsTheLoad runs imapd and lmtpd with
// prometheus_enabled and promstatsd serving /metrics, drives a small load
// (logins good and bad, a few commands, LMTP deliveries, quota refusals
// in both protocols) and checks that every figure moved by exactly what
// the load did, in an exposition Prometheus's parser reads.
func TestPromstatsdCountsTheLoad(t *testing.T) {
	qs := newQuotaSite(t, "prometheus_enabled: yes", "allowplaintext: yes")
	prom := startDaemon(t, qs.site, "promstatsd")

	// Authentication: none, a user, an administrator.
	if code, _, _ := scrape(t, prom, "", ""); code != http.StatusUnauthorized {
		t.Errorf("no credentials: HTTP %d, want 401", code)
	}
	if code, _, _ := scrape(t, prom, "alice", "secret"); code != http.StatusUnauthorized {
		t.Errorf("a user (prometheus_need_auth: admin): HTTP %d, want 401", code)
	}
	if code, _, _ := scrape(t, prom, "cyrus", "wrong"); code != http.StatusUnauthorized {
		t.Errorf("a wrong password: HTTP %d, want 401", code)
	}

	// The baseline, once the readiness probes' sessions have ended.
	settled := func(cond func(map[string]*dto.MetricFamily) bool) map[string]*dto.MetricFamily {
		t.Helper()
		var body string
		for deadline := time.Now().Add(hangTimeout); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
			code, fams, b := scrape(t, prom, "cyrus", "secret")
			if code != http.StatusOK {
				t.Fatalf("admin scrape: HTTP %d %s", code, b)
			}
			body = b
			if cond(fams) {
				return fams
			}
		}
		t.Fatalf("the figures never settled:\n%s", body)
		return nil
	}
	idle := func(f map[string]*dto.MetricFamily) bool {
		return sample(f, "cyrus_imap_active_connections", "service", "imap") == 0 &&
			sample(f, "cyrus_lmtp_active_connections", "service", "lmtp") == 0
	}
	before := settled(idle)

	// The load.
	got := imapRaw(t, qs.imap, "a1 LOGIN cyrus secret", "a2 SETQUOTA user/bob (STORAGE 1)", "a3 LOGOUT")
	if !strings.HasPrefix(got[1], "a2 OK") {
		t.Fatalf("SETQUOTA: %q", got)
	}
	imapRaw(t, qs.imap, "b1 LOGIN alice wrong", "b2 LOGIN alice secret", "b3 SELECT INBOX", "b4 NOOP", "b5 NOOP", "b6 XYZZY", "b7 LOGOUT")
	msg := "From: a@example.org\nTo: alice@example.org\nSubject: load\n\n" + strings.Repeat("x", 2000) + "\n"
	wire := int64(len(strings.ReplaceAll(msg, "\n", "\r\n")))
	for i := range 3 {
		if r := lmtpDeliver(t, qs.tcp, "alice", msg); !strings.HasPrefix(r, "250") {
			t.Fatalf("delivery %d to alice: %s", i, r)
		}
	}
	if r := lmtpDeliver(t, qs.tcp, "bob", msg); !strings.HasPrefix(r, "250") { // under quota before it
		t.Fatalf("first delivery to bob: %s", r)
	}
	if r := lmtpDeliver(t, qs.tcp, "bob", msg); !strings.Contains(r, "Over quota") {
		t.Fatalf("second delivery to bob: %s, want over quota", r)
	}
	got = imapRaw(t, qs.imap, "c1 LOGIN bob secret", "c2 APPEND INBOX {5}\r\nhello", "c3 LOGOUT")
	if !strings.Contains(got[1], "OVERQUOTA") {
		t.Fatalf("APPEND over quota: %q", got)
	}

	// What the load did, by figure.
	want := []struct {
		name   string
		labels []string
		delta  float64
	}{
		{"cyrus_imap_connections_total", []string{"service", "imap"}, 3},
		{"cyrus_imap_authenticate_total", []string{"service", "imap", "result", "yes"}, 3},
		{"cyrus_imap_authenticate_total", []string{"service", "imap", "result", "no"}, 1},
		{"cyrus_imap_command_duration_seconds", []string{"service", "imap", "command", "login"}, 4},
		{"cyrus_imap_command_duration_seconds", []string{"service", "imap", "command", "logout"}, 3},
		{"cyrus_imap_command_duration_seconds", []string{"service", "imap", "command", "noop"}, 2},
		{"cyrus_imap_command_duration_seconds", []string{"service", "imap", "command", "select"}, 1},
		{"cyrus_imap_command_duration_seconds", []string{"service", "imap", "command", "setquota"}, 1},
		{"cyrus_imap_command_duration_seconds", []string{"service", "imap", "command", "append"}, 1},
		{"cyrus_imap_command_duration_seconds", []string{"service", "imap", "command", "other"}, 1},
		{"cyrus_quota_refusals_total", []string{"service", "imap"}, 1},
		{"cyrus_lmtp_connections_total", []string{"service", "lmtp"}, 5},
		{"cyrus_lmtp_command_duration_seconds", []string{"service", "lmtp", "command", "lhlo"}, 5},
		{"cyrus_lmtp_command_duration_seconds", []string{"service", "lmtp", "command", "rcpt"}, 5},
		{"cyrus_lmtp_command_duration_seconds", []string{"service", "lmtp", "command", "data"}, 4},
		{"cyrus_lmtp_command_duration_seconds", []string{"service", "lmtp", "command", "quit"}, 5},
		{"cyrus_lmtp_received_messages_total", []string{"service", "lmtp"}, 4},
		{"cyrus_lmtp_received_recipients_total", []string{"service", "lmtp"}, 4},
		{"cyrus_lmtp_received_bytes_total", []string{"service", "lmtp"}, float64(4 * wire)},
		{"cyrus_lmtp_deliveries_total", []string{"service", "lmtp", "result", "ok"}, 4},
		{"cyrus_lmtp_deliveries_total", []string{"service", "lmtp", "result", "failed"}, 0},
		{"cyrus_quota_refusals_total", []string{"service", "lmtp"}, 1},
		{"cyrus_imap_active_connections", []string{"service", "imap"}, 0},
		{"cyrus_processes", []string{"service", "imap"}, 0},
		{"cyrus_processes", []string{"service", "lmtp"}, 0},
	}
	matches := func(after map[string]*dto.MetricFamily) bool {
		for _, w := range want {
			if sample(after, w.name, w.labels...)-sample(before, w.name, w.labels...) != w.delta {
				return false
			}
		}
		return idle(after)
	}
	var after map[string]*dto.MetricFamily
	for deadline := time.Now().Add(hangTimeout); ; time.Sleep(20 * time.Millisecond) {
		_, after, _ = scrape(t, prom, "cyrus", "secret")
		if matches(after) || time.Now().After(deadline) {
			break
		}
	}
	for _, w := range want {
		if d := sample(after, w.name, w.labels...) - sample(before, w.name, w.labels...); d != w.delta {
			t.Errorf("%s%v moved by %v, want %v", w.name, w.labels, d, w.delta)
		}
	}
	if n := sample(after, "cyrus_processes", "service", "imap"); n != 1 {
		t.Errorf("imap processes %v, want 1", n)
	}
	for _, f := range []string{"cyrus_process_goroutines", "cyrus_process_heap_bytes", "cyrus_process_open_fds"} {
		if v := sample(after, f, "service", "lmtp"); v <= 0 {
			t.Errorf("%s{service=lmtp} = %v, want > 0", f, v)
		}
	}
}

// TestPromstatsdMatchesCyrus compares the command line with Cyrus 3.6.1's
// (test/compat/fixtures/promstatsd.txt): -h prints its usage, an unknown
// option is a usage error (64), -c exits quietly with 0, and removes the
// files of exited processes, keeping nothing of their counts.
func TestPromstatsdMatchesCyrus(t *testing.T) {
	checkUsage(t, "promstatsd", fixture(t, "promstatsd.txt", "-h", 0))
	s := newSite(t, "prometheus_enabled: yes")
	if c, r := fixture(t, "promstatsd.txt", "-x", 0), s.run("", "promstatsd", "-x"); r.code != c.code || r.stdout != "" {
		t.Errorf("promstatsd -x: exit %d %q, Cyrus %d", r.code, r.stdout, c.code)
	}
	stats := filepath.Join(s.configdir, "stats")
	if err := os.MkdirAll(stats, 0o750); err != nil {
		t.Fatal(err)
	}
	dead := filepath.Join(stats, "1-dead.stats")
	if err := os.WriteFile(dead, []byte("left by an exited process"), 0o640); err != nil {
		t.Fatal(err)
	}
	c := fixture(t, "promstatsd.txt", "-c", 0)
	if r := s.run("", "promstatsd", "-c"); r.code != c.code || r.stdout != c.stdout || r.stderr != c.stderr {
		t.Errorf("promstatsd -c: exit %d %q %q, Cyrus %d %q %q", r.code, r.stdout, r.stderr, c.code, c.stdout, c.stderr)
	}
	if _, err := os.Stat(dead); !os.IsNotExist(err) {
		t.Errorf("-c left %s: %v", dead, err)
	}
}
