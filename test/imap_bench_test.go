//go:build measure

package test

import (
	"context"
	"fmt"
	"math/rand"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"gocyrus/pkg/mailbox"
	"gocyrus/pkg/quota"
	"gocyrus/pkg/store"
)

// benchWords and benchNames make the bigbox messages look like those of
// mailbench's own generator, so SEARCH and ENVELOPE see similar data.
var (
	benchWords = strings.Fields("the quarterly report meeting agenda invoice project update review deadline " +
		"budget next steps proposal draft final box shipment tax status team lunch friday server backup " +
		"migration index customer feedback release notes fix urgent please confirm schedule complex plan")
	benchNames = []string{"Alice Archer", "Bob Baker", "Carol Cruz", "Dan Dixon", "Eve Evans",
		"Frank Fox", "Grace Gray", "Heidi Hax", "Ivan Ivanov", "Judy Jones"}
)

// benchMessage is message i of about size bytes, with the X-Bench-Token
// header mailbench's uncached-header SEARCH looks for.
func benchMessage(i, size int) string {
	r := rand.New(rand.NewSource(int64(i)*7919 + 17))
	var b strings.Builder
	date := time.Date(2024, 3, 4, 8, 0, 0, 0, time.UTC).Add(time.Duration(i) * 37 * time.Second).Format(time.RFC1123Z)
	sender := fmt.Sprintf("user%d@example.org", r.Intn(500))
	subj := make([]string, 3+r.Intn(5))
	for k := range subj {
		subj[k] = benchWords[r.Intn(len(benchWords))]
	}
	fmt.Fprintf(&b, "Return-Path: <%s>\r\nReceived: from mx%d.example.org\r\n\tby mail.example.com (Postfix) with ESMTPS id %08X\r\n\tfor <bigbox@localhost>; %s\r\n",
		sender, r.Intn(9)+1, r.Uint32(), date)
	fmt.Fprintf(&b, "Date: %s\r\nFrom: \"%s\" <%s>\r\nTo: <bigbox@localhost>\r\nSubject: %s (#%d)\r\n",
		date, benchNames[r.Intn(len(benchNames))], sender, strings.Join(subj, " "), i)
	fmt.Fprintf(&b, "Message-ID: <fixture.%d.%08x@mailbench.example.org>\r\nMIME-Version: 1.0\r\n", i, r.Uint32())
	fmt.Fprintf(&b, "Content-Type: text/plain; charset=utf-8\r\nX-Bench-Token: tok%03d\r\n\r\n", i%1000)
	for line := 0; b.Len() < size-2; {
		w := benchWords[r.Intn(len(benchWords))]
		if line+len(w)+1 > 72 {
			b.WriteString("\r\n")
			line = 0
		}
		if line > 0 {
			b.WriteByte(' ')
			line++
		}
		b.WriteString(w)
		line += len(w)
	}
	b.WriteString("\r\n")
	return b.String()
}

// fillInbox creates user.<user> holding n generated messages of about size
// bytes, appending through the store in batches (the databases offline).
func fillInbox(t *testing.T, s *site, user string, n, size int) {
	t.Helper()
	ctx := context.Background()
	st, closeStore := s.openStore(t)
	defer closeStore()
	if _, err := st.CreateMailbox(ctx, "user."+user, store.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	mb, _, err := st.Open(ctx, "user."+user, quota.Ignore)
	if err != nil {
		t.Fatal(err)
	}
	defer mb.Close()
	const batch = 1000
	for i := 0; i < n; i += batch {
		msgs := make([]mailbox.AppendMessage, 0, batch)
		for k := i; k < min(n, i+batch); k++ {
			msgs = append(msgs, mailbox.AppendMessage{Body: strings.NewReader(benchMessage(k, size))})
		}
		if _, err := mb.Append(ctx, msgs); err != nil {
			t.Fatal(err)
		}
	}
}

// raiseNoFile lifts the soft open-files limit to the hard one; imapd,
// started afterwards, inherits it.
func raiseNoFile(t *testing.T) {
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		t.Fatal(err)
	}
	old := lim
	lim.Cur = lim.Max
	if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { syscall.Setrlimit(syscall.RLIMIT_NOFILE, &old) })
	if lim.Cur < 2500 {
		t.Fatalf("open-files limit %d is too low for 1000 connections", lim.Cur)
	}
}

// TestImapdMailbench runs mailbench's IMAP workloads (append, bigbox,
// conns) against the imapd binary with the mailbench GOCYRUS_MAILBENCH
// names, logging its RESULT lines. GOCYRUS_BIGBOX overrides the bigbox
// size (default 100000) and GOCYRUS_MAILBENCH_ROUNDS the rounds (3).
func TestImapdMailbench(t *testing.T) {
	bench := mailbenchBinary(t)
	big, rounds := 100000, 3
	fmt.Sscan(os.Getenv("GOCYRUS_BIGBOX"), &big)
	fmt.Sscan(os.Getenv("GOCYRUS_MAILBENCH_ROUNDS"), &rounds)
	raiseNoFile(t)
	s := newSite(t, "allowplaintext: 1")
	start := time.Now()
	fillInbox(t, s, "bigbox", big, 1500)
	t.Logf("bigbox: %d messages prepared in %v", big, time.Since(start).Round(time.Millisecond))
	s.populate(map[string]int{"user.bench": 0, "user.idle": 3})
	p := startImapdProc(t, s, "bigbox", "bench", "idle")

	run := func(p imapdProc, args ...string) {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), 15*time.Minute)
		defer cancel()
		cmd := exec.CommandContext(ctx, bench, append(args, "-target", "gocyrus", "-imap-port", p.port)...)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("mailbench %v: %v\n%s", args, err, out)
		}
		for _, l := range strings.Split(strings.TrimSpace(string(out)), "\n") {
			t.Log(l)
		}
	}
	for r := 0; r < rounds; r++ {
		run(p, "append", "-user", "bench", "-n", "5000", "-size", "4096", "-run", fmt.Sprintf("a%d", r))
		run(p, "bigbox", "-user", "bigbox", "-random", "1000")
		// A fresh daemon, so the memory figure is not blurred by the
		// garbage of the workloads before.
		idle := startImapdDaemon(t, s, fmt.Sprintf("imapd-conns%d.log", r))
		run(idle, "conns", "-user", "idle", "-c", "1000", "-par", "50", "-server-pid", fmt.Sprint(idle.pid))
	}
}
