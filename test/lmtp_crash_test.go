package test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net"
	"net/mail"
	"net/textproto"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"gocyrus/internal/testseed"
	"gocyrus/pkg/quota"
	"gocyrus/pkg/store"
)

// lmtpdProc is an lmtpd process the test can stop gracefully or kill -9.
type lmtpdProc struct {
	t      *testing.T
	cmd    *exec.Cmd
	done   chan struct{}
	listen []string
	log    string // path of its combined output
}

// runLMTPD starts lmtpd on the site, listening on each address (host:port
// or a unix socket path), and waits until every one accepts connections.
// Its TCP clients are the trusted MTA (lmtpd -a, as Debian's cyrus.conf).
// Its databases are the site's db service when one answers, else lmtpd
// opens them itself.
func runLMTPD(t *testing.T, s *site, listen ...string) *lmtpdProc {
	t.Helper()
	args := []string{"-C", s.imapdConf, "-a"}
	for _, l := range listen {
		args = append(args, "-l", l)
	}
	logf, err := os.CreateTemp(s.dir, "lmtpd-*.log")
	if err != nil {
		t.Fatal(err)
	}
	defer logf.Close()
	p := &lmtpdProc{t: t, done: make(chan struct{}), listen: listen, log: logf.Name()}
	p.cmd = exec.Command(filepath.Join(binDir, "lmtpd"), args...)
	p.cmd.Stdout, p.cmd.Stderr = logf, logf
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { p.cmd.Wait(); close(p.done) }()
	t.Cleanup(func() {
		p.stop()
		if t.Failed() {
			b, _ := os.ReadFile(p.log)
			t.Logf("lmtpd log %s:\n%s", filepath.Base(p.log), b)
		}
	})
	for _, addr := range listen {
		for deadline := time.Now().Add(hangTimeout); ; {
			c, err := net.Dial(lmtpNetwork(addr), addr)
			if err == nil {
				c.Close()
				break
			}
			select {
			case <-p.done:
				b, _ := os.ReadFile(p.log)
				t.Fatalf("lmtpd exited at start: %v\n%s", p.cmd.ProcessState, b)
			default:
			}
			if time.Now().After(deadline) {
				b, _ := os.ReadFile(p.log)
				t.Fatalf("lmtpd does not answer on %s: %v\n%s", addr, err, b)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	return p
}

func lmtpNetwork(addr string) string {
	if strings.HasPrefix(addr, "/") {
		return "unix"
	}
	return "tcp"
}

// kill sends SIGKILL and waits for the process to be gone.
func (p *lmtpdProc) kill() {
	p.cmd.Process.Signal(syscall.SIGKILL)
	<-p.done
}

// stop asks lmtpd to finish (SIGTERM), killing it after hangTimeout.
func (p *lmtpdProc) stop() {
	select {
	case <-p.done:
		return
	default:
	}
	p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(hangTimeout):
		p.t.Errorf("lmtpd ignored SIGTERM for %v", hangTimeout)
		p.kill()
	}
}

// freeLoopback returns a loopback host:port nobody listens on.
func freeLoopback(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// withSiteStore opens the site's store (through the db service when one
// answers, else the databases directly) for the length of fn.
func withSiteStore(t *testing.T, s *site, fn func(*store.Store)) {
	t.Helper()
	st, closeStore := s.openStore(t)
	defer closeStore()
	fn(st)
}

// createMailboxes creates each (internal) mailbox name with default rights.
func createMailboxes(t *testing.T, s *site, names ...string) {
	t.Helper()
	withSiteStore(t, s, func(st *store.Store) {
		for _, name := range names {
			if _, err := st.CreateMailbox(context.Background(), name, store.CreateOptions{Quota: quota.Ignore}); err != nil {
				t.Fatalf("create %s: %v", name, err)
			}
		}
	})
}

// storedMessages returns the raw messages of a mailbox in UID order.
func storedMessages(t *testing.T, st *store.Store, name string) []string {
	t.Helper()
	mb, _, err := st.Open(context.Background(), name, quota.Ignore)
	if err != nil {
		t.Fatalf("open %s: %v", name, err)
	}
	defer mb.Close()
	v, err := mb.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	out := make([]string, 0, len(v.Records))
	for _, r := range v.Records {
		b, err := os.ReadFile(mb.MessagePath(r.UID))
		if err != nil {
			t.Fatalf("%s UID %d: %v", name, r.UID, err)
		}
		out = append(out, string(b))
	}
	return out
}

// messageID is the Message-ID header of a raw message, "" when unreadable.
func messageID(raw string) string {
	m, err := mail.ReadMessage(strings.NewReader(raw))
	if err != nil {
		return ""
	}
	return m.Header.Get("Message-Id")
}

// crashLedger is what the senders know: every Message-ID they started to
// send, and the recipients for which lmtpd answered 250 after DATA.
type crashLedger struct {
	mu    sync.Mutex
	sent  map[string]bool
	acked map[string]map[string]bool // mailbox → Message-ID
	count int                        // 250s in the current round
}

func (l *crashLedger) markSent(id string) {
	l.mu.Lock()
	l.sent[id] = true
	l.mu.Unlock()
}

func (l *crashLedger) markAcked(box, id string) {
	l.mu.Lock()
	l.acked[box][id] = true
	l.count++
	l.mu.Unlock()
}

func (l *crashLedger) acks() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.count
}

// crashBoxes are the recipients of every message: two mailboxes, so a
// crash can fall between the copies of one delivery.
var crashBoxes = []struct{ rcpt, box string }{{"crash1", "user.crash1"}, {"crash2", "user.crash2"}}

// crashMessage is a message of a few KiB whose last line names it, so a
// truncated copy is recognised.
func crashMessage(id string, r *rand.Rand) string {
	var b strings.Builder
	fmt.Fprintf(&b, "From: sender@crash.test\r\nSubject: %s\r\nMessage-ID: %s\r\n\r\n", id, id)
	for n := 1 + r.IntN(150); n > 0; n-- {
		b.WriteString(strings.Repeat("z", 70) + "\r\n")
	}
	fmt.Fprintf(&b, "END %s\r\n", id)
	return b.String()
}

// crashSender delivers numbered messages (sized by seed) over one
// connection until the connection breaks or ctx ends, recording each 250
// in the ledger. The connection's deadline only ends a hung test.
func crashSender(ctx context.Context, t *testing.T, addr, prefix string, seed uint64, led *crashLedger) {
	nc, err := net.DialTimeout(lmtpNetwork(addr), addr, hangTimeout)
	if err != nil {
		return // lmtpd may already be gone
	}
	defer nc.Close()
	nc.SetDeadline(time.Now().Add(5 * time.Minute))
	go func() { <-ctx.Done(); nc.SetDeadline(time.Now()) }()
	tp := textproto.NewConn(nc)
	if _, _, err := tp.ReadResponse(220); err != nil {
		return
	}
	if tp.PrintfLine("LHLO crash.test") != nil {
		return
	}
	if _, _, err := tp.ReadResponse(250); err != nil {
		return
	}
	r := rand.New(rand.NewPCG(seed, uint64(len(prefix))))
	for n := 0; ctx.Err() == nil; n++ {
		id := fmt.Sprintf("<%s-n%d@crash.test>", prefix, n)
		led.markSent(id)
		tp.PrintfLine("MAIL FROM:<sender@crash.test>")
		if _, _, err := tp.ReadResponse(250); err != nil {
			return
		}
		for _, c := range crashBoxes {
			tp.PrintfLine("RCPT TO:<%s>", c.rcpt)
			if code, msg, err := tp.ReadResponse(250); err != nil {
				if code != 0 {
					t.Errorf("RCPT %s: %d %s", c.rcpt, code, msg)
				}
				return
			}
		}
		tp.PrintfLine("DATA")
		if _, _, err := tp.ReadResponse(354); err != nil {
			return
		}
		w := tp.DotWriter()
		w.Write([]byte(crashMessage(id, r)))
		if w.Close() != nil {
			return
		}
		for _, c := range crashBoxes {
			code, msg, err := tp.ReadResponse(250)
			if err != nil {
				if code != 0 && code/100 != 4 {
					t.Errorf("DATA reply for %s of %s: %d %s", c.rcpt, id, code, msg)
				}
				return
			}
			led.markAcked(c.box, id)
		}
	}
}

// checkCrashBoxes verifies every acknowledged message is stored exactly
// once and whole, and nothing else is there; it returns how many messages
// the mailboxes hold.
func checkCrashBoxes(t *testing.T, s *site, led *crashLedger, when string) (stored int) {
	t.Helper()
	led.mu.Lock()
	defer led.mu.Unlock()
	withSiteStore(t, s, func(st *store.Store) {
		for _, c := range crashBoxes {
			seen := map[string]int{}
			for _, raw := range storedMessages(t, st, c.box) {
				stored++
				id := messageID(raw)
				seen[id]++
				if !led.sent[id] {
					t.Errorf("%s: %s holds a message nobody sent: %.200q", when, c.box, raw)
				} else if !strings.HasSuffix(raw, "\r\nEND "+id+"\r\n") {
					t.Errorf("%s: %s holds %s truncated (%d bytes)", when, c.box, id, len(raw))
				}
			}
			lost := 0
			for id := range led.acked[c.box] {
				if seen[id] == 0 {
					lost++
					if lost <= 5 {
						t.Errorf("%s: %s lost acknowledged %s", when, c.box, id)
					}
				}
			}
			for id, n := range seen {
				if n > 1 {
					t.Errorf("%s: %s holds %s %d times", when, c.box, id, n)
				}
			}
			if lost > 0 {
				t.Errorf("%s: %s lost %d of %d acknowledged messages", when, c.box, lost, len(led.acked[c.box]))
			}
		}
	})
	return stored
}

// TestLMTPKill9UnderLoad kills lmtpd with SIGKILL while 8 senders deliver
// (half on the unix socket, half on TCP) — after a seeded random number of
// acknowledged deliveries, so the kill is timed by progress, not by the
// clock, and lands with deliveries in flight — runs the real reconstruct, and
// checks every message that got 250 is in each mailbox exactly once;
// then a restarted lmtpd delivers again. "db-service" keeps the databases
// in the test process, as master does; "offline" lets lmtpd own badger,
// so the kill crashes the databases too.
func TestLMTPKill9UnderLoad(t *testing.T) {
	for _, online := range []bool{true, false} {
		name := map[bool]string{true: "db-service", false: "offline"}[online]
		t.Run(name, func(t *testing.T) { testLMTPKill9(t, online) })
	}
}

func testLMTPKill9(t *testing.T, online bool) {
	const rounds, senders = 5, 8
	s := newSite(t)
	boxes := make([]string, 0, len(crashBoxes))
	for _, c := range crashBoxes {
		boxes = append(boxes, c.box)
	}
	if online {
		serveDatabases(t, s)
	}
	createMailboxes(t, s, boxes...)
	listen := []string{filepath.Join(s.dir, "lmtp.sock"), freeLoopback(t)}
	led := &crashLedger{sent: map[string]bool{}, acked: map[string]map[string]bool{}}
	for _, box := range boxes {
		led.acked[box] = map[string]bool{}
	}
	rng := testseed.Rand(t)
	p := runLMTPD(t, s, listen...)
	for round := range rounds {
		led.count = 0
		ctx, cancel := context.WithCancel(context.Background())
		var wg sync.WaitGroup
		for c := range senders {
			wg.Add(1)
			seed := rng.Uint64()
			go func() {
				defer wg.Done()
				crashSender(ctx, t, listen[c%2], fmt.Sprintf("r%d-c%d", round, c), seed, led)
			}()
		}
		// Let deliveries get going, then kill after a random number of 250s.
		killAt := 2*senders + rng.IntN(20*senders)
		if !waitAcks(led, killAt) {
			cancel()
			t.Fatalf("round %d: %d of %d acknowledgements before the kill in %v", round, led.acks(), killAt, hangTimeout)
		}
		p.kill()
		wg.Wait()
		cancel()
		acks := led.acks()

		r := s.run("", "reconstruct", "user/crash1", "user/crash2")
		if r.code != 0 {
			t.Fatalf("round %d: reconstruct exit %d\n%s%s", round, r.code, r.stdout, r.stderr)
		}
		if healthy := "user/crash1\nuser/crash2\n"; r.stdout != healthy || r.stderr != "" {
			t.Logf("round %d: reconstruct repaired:\n%s%s", round, r.stdout, r.stderr)
		}
		stored := checkCrashBoxes(t, s, led, fmt.Sprintf("round %d after kill -9 (%d acks)", round, acks))
		if t.Failed() {
			return
		}

		// Restarted, lmtpd delivers again; the next check covers it.
		p = runLMTPD(t, s, listen...)
		led.count = 0
		ctx, cancel = context.WithCancel(context.Background())
		done := make(chan struct{})
		seed := rng.Uint64()
		go func() {
			crashSender(ctx, t, listen[round%2], fmt.Sprintf("r%d-after", round), seed, led)
			close(done)
		}()
		waitAcks(led, len(crashBoxes))
		cancel()
		<-done
		if led.acks() < len(crashBoxes) {
			t.Fatalf("round %d: the restarted lmtpd acknowledged nothing", round)
		}
		t.Logf("round %d: killed after %d acknowledged deliveries; %d stored in all", round, acks, stored)
	}
	p.stop()
	stored := checkCrashBoxes(t, s, led, "at the end")
	acked := 0
	for _, ids := range led.acked {
		acked += len(ids)
	}
	if stored < acked || acked == 0 {
		t.Errorf("%d messages stored, %d acknowledged", stored, acked)
	}
}

// waitAcks polls until the ledger counts n acknowledgements this round;
// false after hangTimeout.
func waitAcks(led *crashLedger, n int) bool {
	for deadline := time.Now().Add(hangTimeout); led.acks() < n; time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			return false
		}
	}
	return true
}
