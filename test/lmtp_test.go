package test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/textproto"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"gocyrus/pkg/acl"
	"gocyrus/pkg/config"
	"gocyrus/pkg/cyrusdb"
	"gocyrus/pkg/quota"
	"gocyrus/pkg/store"
)

// lmtpSite is a site with a db service in the test process (so the test
// and lmtpd share the databases) and a running lmtpd.
type lmtpSite struct {
	*site
	st   *store.Store
	tcp  string // host:port
	unix string // socket path
}

func newLMTPSite(t *testing.T, extra ...string) *lmtpSite {
	t.Helper()
	s := newSite(t, extra...)
	srv, err := cyrusdb.OpenServer(s.configdir, cyrusdb.Options{})
	if err != nil {
		t.Fatal(err)
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve() }()
	t.Cleanup(func() {
		srv.Close()
		<-served
	})
	cfg, err := config.LoadImapd(s.imapdConf)
	if err != nil {
		t.Fatal(err)
	}
	st, err := store.New(cfg, srv.DB(), nil)
	if err != nil {
		t.Fatal(err)
	}
	return &lmtpSite{site: s, st: st}
}

// start runs lmtpd on a free loopback port and a unix socket, its TCP
// clients the trusted MTA (lmtpd -a, as Debian's cyrus.conf has it).
func (ls *lmtpSite) start(args ...string) {
	ls.t.Helper()
	ls.startUntrusted(append([]string{"-a"}, args...)...)
}

// startUntrusted is start without -a: a TCP client must AUTH before MAIL.
func (ls *lmtpSite) startUntrusted(args ...string) {
	t := ls.t
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ls.tcp = l.Addr().String()
	l.Close()
	ls.unix = ls.st.Config().Lmtpsocket() // where deliver looks
	if err := os.MkdirAll(filepath.Dir(ls.unix), 0o750); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	all := append([]string{"-C", ls.imapdConf, "-l", ls.tcp, "-l", ls.unix}, args...)
	cmd := exec.CommandContext(ctx, filepath.Join(binDir, "lmtpd"), all...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cancel()
		cmd.Wait()
		if t.Failed() {
			t.Logf("lmtpd stderr:\n%s", stderr.String())
		}
	})
	deadline := time.Now().Add(hangTimeout)
	for {
		c, err := net.Dial("tcp", ls.tcp)
		if err == nil {
			c.Close()
			if _, err := os.Stat(ls.unix); err == nil {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("lmtpd did not start: %v\n%s", err, stderr.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func (ls *lmtpSite) mkbox(name string, aclText string) {
	ls.t.Helper()
	opt := store.CreateOptions{Quota: quota.Ignore}
	if aclText != "" {
		a, err := acl.Parse(aclText)
		if err != nil {
			ls.t.Fatal(err)
		}
		opt.ACL = a
	}
	if _, err := ls.st.CreateMailbox(context.Background(), name, opt); err != nil {
		ls.t.Fatalf("create %s: %v", name, err)
	}
}

// messages returns the bodies of a mailbox's messages in UID order.
func (ls *lmtpSite) messages(name string) []string {
	ls.t.Helper()
	mb, _, err := ls.st.Open(context.Background(), name, quota.Ignore)
	if err != nil {
		ls.t.Fatalf("open %s: %v", name, err)
	}
	defer mb.Close()
	v, err := mb.Snapshot()
	if err != nil {
		ls.t.Fatal(err)
	}
	var out []string
	for _, r := range v.Records {
		b, err := os.ReadFile(mb.MessagePath(r.UID))
		if err != nil {
			ls.t.Fatal(err)
		}
		out = append(out, string(b))
	}
	return out
}

// lmtpTx is one transaction for the Python client.
type lmtpTx struct {
	From     string   `json:"from"`
	MailOpts []string `json:"opts,omitempty"`
	Rcpts    []string `json:"rcpts"`
	Msg      string   `json:"msg"`
}

// lmtpTxResult is what the server answered.
type lmtpTxResult struct {
	Mail int   `json:"mail"`
	Rcpt []int `json:"rcpt"`
	Data []int `json:"data"`
}

// pyLMTP delivers with Python's smtplib.LMTP, reading one DATA reply per
// accepted recipient.
const pyLMTP = `
import json, smtplib, sys
spec = json.load(sys.stdin)
host = spec["host"]
c = smtplib.LMTP(host) if host.startswith("/") else smtplib.LMTP(host.rsplit(":", 1)[0], int(host.rsplit(":", 1)[1]))
c.ehlo("client.example")
out = []
for tx in spec["txs"]:
    res = {"mail": c.mail(tx["from"], tx.get("opts") or [])[0], "rcpt": [], "data": []}
    for r in tx["rcpts"]:
        res["rcpt"].append(c.rcpt(r)[0])
    ok = sum(1 for x in res["rcpt"] if x == 250)
    if ok:
        res["data"].append(c.data(tx["msg"].encode())[0])
        for _ in range(ok - 1):
            res["data"].append(c.getreply()[0])
    else:
        c.rset()
    out.append(res)
c.quit()
print(json.dumps(out))
`

func pySend(t *testing.T, host string, txs ...lmtpTx) []lmtpTxResult {
	t.Helper()
	spec, _ := json.Marshal(map[string]any{"host": host, "txs": txs})
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "python3", "-c", pyLMTP)
	cmd.Stdin = bytes.NewReader(spec)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		t.Fatalf("python LMTP client: %v\n%s", err, errb.String())
	}
	var res []lmtpTxResult
	if err := json.Unmarshal(out.Bytes(), &res); err != nil {
		t.Fatalf("python output %q: %v", out.String(), err)
	}
	return res
}

func testMessage(id, subject string) string {
	return fmt.Sprintf("From: Bob <bob@localhost>\r\nTo: Alice <alice@localhost>\r\nSubject: %s\r\n"+
		"Date: Tue, 07 Jan 2025 09:00:01 +0000\r\nMessage-ID: <%s>\r\n\r\nBody line.\r\n.leading dot\r\n", subject, id)
}

func eqInts(a, b []int) bool { return fmt.Sprint(a) == fmt.Sprint(b) }

// TestLMTPRecipients follows the fixture's first session: mixed
// recipients, per-recipient replies, +detail fallback, same-mailbox
// recipients stored once, and duplicate suppression.
func TestLMTPRecipients(t *testing.T) {
	ls := newLMTPSite(t, "virtdomains: userid", "servername: localhost", "lmtp_downcase_rcpt: 1")
	ls.mkbox("user.alice", "")
	ls.mkbox("user.alice.Work", "alice\tlrswipkxtecda\tbob\tlrs\t")
	ls.mkbox("user.carol^smith", "")
	ls.mkbox("example.org!user.dave", "")
	ls.mkbox("board", "anyone\tlrs\tpostman\tp\t")
	ls.mkbox("board.archive", "postman\tp\t")
	ls.start()

	res := pySend(t, ls.unix,
		lmtpTx{From: "bob@localhost", Rcpts: []string{"alice", "alice+Work", "alice+nosuch", "nosuchuser",
			"+nosuchshared", "dave@example.org", "carol.smith", "Alice"}, Msg: testMessage("f1@localhost", "one")},
		lmtpTx{From: "bob@localhost", Rcpts: []string{"alice"}, Msg: testMessage("f1@localhost", "one again")},
		lmtpTx{From: "bob@localhost", MailOpts: []string{"AUTH=postman"}, Rcpts: []string{"+board", "+board/archive", "alice+Work"}, Msg: testMessage("f2@localhost", "two")},
		// Without AUTH= the sender is anonymous, socket or not (Cyrus's session 1).
		lmtpTx{From: "bob@localhost", Rcpts: []string{"+board", "+board/archive"}, Msg: testMessage("f4@localhost", "four")},
	)
	if want := []int{250, 250, 250, 550, 550, 250, 250, 250}; !eqInts(res[0].Rcpt, want) {
		t.Errorf("RCPT replies %v, want %v", res[0].Rcpt, want)
	}
	if want := []int{250, 250, 250, 250, 250, 250}; !eqInts(res[0].Data, want) {
		t.Errorf("DATA replies %v, want %v", res[0].Data, want)
	}
	if !eqInts(res[1].Data, []int{250}) || !eqInts(res[2].Data, []int{250, 250, 250}) || !eqInts(res[3].Rcpt, []int{550, 550}) {
		t.Errorf("replies %+v", res)
	}
	// AUTH=postman: p on user.alice.Work is missing, p on board given.
	want := map[string]int{"user.alice": 2, "user.alice.Work": 0, "user.carol^smith": 1,
		"example.org!user.dave": 1, "board": 1, "board.archive": 1}
	for box, n := range want {
		if got := ls.messages(box); len(got) != n {
			t.Errorf("%s has %d messages, want %d", box, len(got), n)
		}
	}
	msgs := ls.messages("user.alice")
	if !strings.HasPrefix(msgs[0], "Return-Path: <bob@localhost>\r\n") || !strings.Contains(msgs[0], "\r\n.leading dot\r\n") {
		t.Errorf("stored message:\n%s", msgs[0])
	}
	if !strings.Contains(msgs[1], "Subject: two") {
		t.Errorf("second message in INBOX:\n%s", msgs[1])
	}

	// Over TCP (lmtpd -a) without AUTH= the sender is anonymous: board refuses.
	res = pySend(t, ls.tcp, lmtpTx{From: "bob@localhost", Rcpts: []string{"+board", "alice"}, Msg: testMessage("f3@localhost", "three")})
	if !eqInts(res[0].Rcpt, []int{550, 250}) || !eqInts(res[0].Data, []int{250}) {
		t.Errorf("TCP replies %+v", res[0])
	}

	// ctl_deliver -d lists what was delivered.
	out := ls.must("", "ctl_deliver", "-d")
	if !strings.HasPrefix(out, "it is NOW: ") || !strings.HasSuffix(out, "got 7 entries\n") ||
		!strings.Contains(out, "id: <f1@localhost>                          \tto: ") {
		t.Errorf("ctl_deliver -d:\n%s", out)
	}
}

// TestLMTPMissingHeaders: lmtpd adds Message-ID and Date; an empty
// Message-ID is refused.
func TestLMTPMissingHeaders(t *testing.T) {
	ls := newLMTPSite(t, "servername: mx.example")
	ls.mkbox("user.alice", "")
	ls.start()
	res := pySend(t, ls.tcp,
		lmtpTx{From: "", Rcpts: []string{"alice"}, Msg: "Subject: bare\r\n\r\nhi\r\n"},
		lmtpTx{From: "", Rcpts: []string{"alice"}, Msg: "Message-ID:\r\nSubject: empty id\r\n\r\nhi\r\n"})
	if !eqInts(res[0].Data, []int{250}) || !eqInts(res[1].Data, []int{554}) {
		t.Fatalf("replies %+v", res)
	}
	msgs := ls.messages("user.alice")
	if len(msgs) != 1 || !strings.Contains(msgs[0], "Message-ID: <cmu-lmtpd-") ||
		!strings.Contains(msgs[0], "@mx.example>\r\n") || !strings.Contains(msgs[0], "\r\nDate: ") {
		t.Fatalf("stored: %q", msgs)
	}
}

// TestLMTPQuota: the first message may overflow the quota, the next gets
// 452 at RCPT; with lmtp_over_quota_perm_failure 552.
func TestLMTPQuota(t *testing.T) {
	for _, tc := range []struct {
		extra []string
		code  int
	}{{nil, 452}, {[]string{"lmtp_over_quota_perm_failure: 1"}, 552}} {
		ls := newLMTPSite(t, tc.extra...)
		ls.mkbox("user.alice", "")
		lim := quota.NoLimits()
		lim[quota.Storage] = 1 // KiB
		if err := ls.st.SetQuota(context.Background(), "user.alice", lim); err != nil {
			t.Fatal(err)
		}
		ls.start()
		big := testMessage("q1@x", "big") + strings.Repeat("x", 2000) + "\r\n"
		res := pySend(t, ls.unix,
			lmtpTx{From: "bob@x", Rcpts: []string{"alice"}, Msg: big},
			lmtpTx{From: "bob@x", Rcpts: []string{"alice"}, Msg: testMessage("q2@x", "next")})
		if !eqInts(res[0].Data, []int{250}) || !eqInts(res[1].Rcpt, []int{tc.code}) {
			t.Errorf("%v: replies %+v", tc.extra, res)
		}
		if n := len(ls.messages("user.alice")); n != 1 {
			t.Errorf("%v: %d messages stored, want 1", tc.extra, n)
		}
	}
}

// TestLMTPTooBig: maxmessagesize gives 552 to every recipient.
func TestLMTPTooBig(t *testing.T) {
	ls := newLMTPSite(t, "maxmessagesize: 1000")
	ls.mkbox("user.alice", "")
	ls.mkbox("user.bob", "")
	ls.start()
	res := pySend(t, ls.tcp, lmtpTx{From: "x@y", Rcpts: []string{"alice", "bob"},
		Msg: testMessage("big@x", "big") + strings.Repeat("y", 2000) + "\r\n"})
	if !eqInts(res[0].Data, []int{552, 552}) {
		t.Fatalf("replies %+v", res)
	}
	if n := len(ls.messages("user.alice")); n != 0 {
		t.Fatalf("%d messages stored", n)
	}
}

// TestDeliver: the deliver program's recipients and exit codes.
func TestDeliver(t *testing.T) {
	ls := newLMTPSite(t)
	ls.mkbox("user.alice", "")
	ls.mkbox("user.alice.Work", "anyone\tp\t")
	ls.mkbox("user.bob", "")
	ls.mkbox("user.full", "")
	lim := quota.NoLimits()
	lim[quota.Message] = 0
	if err := ls.st.SetQuota(context.Background(), "user.full", lim); err != nil {
		t.Fatal(err)
	}
	ls.start()
	msg := func(id string) string { return strings.ReplaceAll(testMessage(id, id), "\r\n", "\n") }
	tests := []struct {
		args []string
		code int
	}{
		{[]string{"-f", "bob@x", "alice", "bob"}, 0},
		{[]string{"-m", "Work", "alice"}, 0},
		{[]string{"alice", "nosuch"}, 67},
		{[]string{"full"}, 0},  // one message may overflow the limit...
		{[]string{"full"}, 75}, // ...the next is refused
		{[]string{"-q", "full"}, 0},
		{[]string{"-m", "nosuchshared"}, 67},
	}
	for i, tc := range tests {
		r := ls.run(msg(fmt.Sprintf("d%d@x", i)), "deliver", tc.args...)
		if r.code != tc.code {
			t.Errorf("deliver %v: exit %d, want %d\n%s%s", tc.args, r.code, tc.code, r.stdout, r.stderr)
		}
	}
	want := map[string]int{"user.alice": 2, "user.alice.Work": 1, "user.bob": 1, "user.full": 2}
	for box, n := range want {
		if got := ls.messages(box); len(got) != n {
			t.Errorf("%s has %d messages, want %d", box, len(got), n)
		}
	}
	if m := ls.messages("user.bob"); len(m) == 1 && (!strings.Contains(m[0], "Return-Path: <bob@x>\r\n") || !strings.Contains(m[0], "\r\n.leading dot\r\n")) {
		t.Errorf("stored by deliver:\n%q", m[0])
	}
}

// TestCtlDeliverPrune: -E keeps recent records.
func TestCtlDeliverPrune(t *testing.T) {
	ls := newLMTPSite(t)
	ls.mkbox("user.alice", "")
	ls.start()
	pySend(t, ls.tcp, lmtpTx{From: "a@b", Rcpts: []string{"alice"}, Msg: testMessage("p1@x", "p")})
	ls.must("", "ctl_deliver", "-E", "1")
	if out := ls.must("", "ctl_deliver", "-d"); !strings.HasSuffix(out, "got 1 entries\n") {
		t.Errorf("after -E 1:\n%s", out)
	}
	ls.must("", "ctl_deliver", "-E", "0")
	if out := ls.must("", "ctl_deliver", "-d"); !strings.HasSuffix(out, "got 0 entries\n") {
		t.Errorf("after -E 0:\n%s", out)
	}
	if r := ls.run("", "ctl_deliver"); r.code != 64 {
		t.Errorf("no mode: exit %d", r.code)
	}
}

// lmtpBlast delivers n 4 KiB messages to rcpt over one TCP connection.
func lmtpBlast(t *testing.T, addr, rcpt string, first, n int) error {
	nc, err := net.DialTimeout("tcp", addr, hangTimeout)
	if err != nil {
		return err
	}
	defer nc.Close()
	nc.SetDeadline(time.Now().Add(2 * time.Minute))
	tp := textproto.NewConn(nc)
	expect := func(code int) error {
		if _, msg, err := tp.ReadResponse(code); err != nil {
			return fmt.Errorf("want %d: %v %s", code, err, msg)
		}
		return nil
	}
	body := strings.Repeat(strings.Repeat("x", 78)+"\r\n", 4096/80)
	if err := expect(220); err != nil {
		return err
	}
	tp.PrintfLine("LHLO bench")
	if err := expect(250); err != nil {
		return err
	}
	for i := first; i < first+n; i++ {
		tp.PrintfLine("MAIL FROM:<bench@x>")
		tp.PrintfLine("RCPT TO:<%s>", rcpt)
		tp.PrintfLine("DATA")
		for _, c := range []int{250, 250, 354} {
			if err := expect(c); err != nil {
				return err
			}
		}
		w := tp.DotWriter()
		fmt.Fprintf(w, "Message-ID: <bench-%d@x>\r\nSubject: bench\r\n\r\n%s", i, body)
		w.Close()
		if err := expect(250); err != nil {
			return err
		}
	}
	tp.PrintfLine("QUIT")
	return nil
}

// TestLMTPThroughput measures 500 deliveries of 4 KiB over one TCP
// connection, then over 8 concurrent ones, and logs messages/s
// (go test -v -run Throughput ./test/). The figure is logged; what is
// checked is that every pipelined delivery is stored (fewer in -short).
func TestLMTPThroughput(t *testing.T) {
	n := 500
	if testing.Short() {
		n = 80
	}
	ls := newLMTPSite(t)
	ls.mkbox("user.bench", "")
	ls.start()
	start := time.Now()
	if err := lmtpBlast(t, ls.tcp, "bench", 0, n); err != nil {
		t.Fatal(err)
	}
	elapsed := time.Since(start)
	t.Logf("%d x 4 KiB, 1 connection: %v, %.0f msg/s", n, elapsed, float64(n)/elapsed.Seconds())

	const conns = 8
	per := n / conns
	errs := make(chan error, conns)
	start = time.Now()
	for c := range conns {
		go func() { errs <- lmtpBlast(t, ls.tcp, "bench", n+c*per, per) }()
	}
	for range conns {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	elapsed = time.Since(start)
	t.Logf("%d x 4 KiB, %d connections: %v, %.0f msg/s", conns*per, conns, elapsed, float64(conns*per)/elapsed.Seconds())
	if got, want := len(ls.messages("user.bench")), n+conns*per; got != want {
		t.Fatalf("%d messages stored, want %d", got, want)
	}
}
