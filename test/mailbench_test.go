//go:build measure

// Measurements with mailbench (a benchmark harness kept outside this repository), not in the default
// suite: `make bench GOCYRUS_MAILBENCH=/path/to/mailbench` runs them.

package test

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// mailbenchBinary is GOCYRUS_MAILBENCH; built with the measure tag, a run
// without it is a mistake, not a pass.
func mailbenchBinary(t *testing.T) string {
	t.Helper()
	bench := os.Getenv("GOCYRUS_MAILBENCH")
	if bench == "" {
		t.Fatal("GOCYRUS_MAILBENCH must name a built mailbench (the benchmark harness, not part of this repository) for the measure tests")
	}
	return bench
}

// lmtpAnchors are mailbench's published anchor figures for `mailbench lmtp`
// (5000 × 4 KiB, msg/s): Cyrus 3.6.1 and the better Dovecot, by connections.
var lmtpAnchors = map[int]struct{ cyrus, dovecot float64 }{1: {383, 273}, 8: {493, 390}}

// TestLMTPMailbench runs mailbench's lmtp workload (5000 × 4 KiB,
// 1 and 8 connections) against lmtpd when GOCYRUS_MAILBENCH names a built
// mailbench, logging its RESULT lines as ratios against the anchors;
// GOCYRUS_MAILBENCH_ROUNDS sets the rounds (3).
func TestLMTPMailbench(t *testing.T) {
	bench := mailbenchBinary(t)
	rounds := 3
	fmt.Sscan(os.Getenv("GOCYRUS_MAILBENCH_ROUNDS"), &rounds)
	s := newSite(t, "allowplaintext: 1")
	createMailboxes(t, s, "user.bench")
	imapd := startImapdProc(t, s, "bench") // mailbench checks the count with STATUS
	tcp := freeLoopback(t)
	runLMTPD(t, s, tcp)
	for r := range rounds {
		for _, conns := range []int{1, 8} {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
			out, err := exec.CommandContext(ctx, bench, "lmtp", "-target", "gocyrus", "-imap-port", imapd.port,
				"-lmtp", tcp, "-user", "bench", "-n", "5000", "-size", "4096", "-c", fmt.Sprint(conns),
				"-run", fmt.Sprintf("lmtp%d-c%d", r, conns)).CombinedOutput()
			cancel()
			if err != nil {
				t.Fatalf("mailbench lmtp -c %d: %v\n%s", conns, err, out)
			}
			for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
				t.Log(line)
				var rate float64
				for _, f := range strings.Fields(line) {
					if v, ok := strings.CutPrefix(f, "ops_s="); ok && strings.HasPrefix(line, "RESULT ") {
						fmt.Sscan(v, &rate)
					}
				}
				if a := lmtpAnchors[conns]; rate > 0 {
					t.Logf("  -c %d: %.0f msg/s = %.2f× Cyrus (%.0f), %.2f× the better Dovecot (%.0f)",
						conns, rate, rate/a.cyrus, a.cyrus, rate/a.dovecot, a.dovecot)
				}
			}
		}
	}
}

// TestPop3Mailbench runs mailbench's pop3-retr and pop3-uidl against
// the pop3d binary when GOCYRUS_MAILBENCH names a built mailbench.
func TestPop3Mailbench(t *testing.T) {
	bench := mailbenchBinary(t)
	s := newSite(t, "allowplaintext: 1")
	gen := func(n, size int) []string {
		body := strings.Repeat(strings.Repeat("x", 70)+"\r\n", size/72)
		msgs := make([]string, n)
		for i := range msgs {
			msgs[i] = fmt.Sprintf("Subject: message %d\r\nFrom: bench@example.org\r\n\r\n%s", i, body)
		}
		return msgs
	}
	popFixtureFor(t, s, "pop1k", gen(1000, 4096))
	popFixtureFor(t, s, "pop10k", gen(10000, 1500))
	addr := startPop3d(t, s)
	_, port, _ := net.SplitHostPort(addr)
	for _, args := range [][]string{
		{"pop3-retr", "-user", "pop1k", "-n", "1000"},
		{"pop3-uidl", "-user", "pop10k"},
	} {
		for range 3 {
			out, err := exec.Command(bench, append(args, "-target", "gocyrus", "-pop3-port", port)...).CombinedOutput()
			if err != nil {
				t.Fatalf("mailbench %v: %v\n%s", args, err, out)
			}
			t.Logf("%s", strings.TrimSpace(string(out)))
		}
	}
}
