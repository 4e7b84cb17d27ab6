package service

import (
	"bufio"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/big"
	"net"
	"os"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// lineProto is a toy protocol on the shared skeleton: it greets with the
// session id (and "tls" under TLS), echoes lines, panics on "boom", and
// says "BYE shutting down" when a read ends because the service stopped.
// Close writes "closed" so a client sees that it ran after the farewell.
type lineProto struct {
	c *Session
	r *bufio.Reader
	w *bufio.Writer
}

func startLine(c *Session) Protocol {
	p := &lineProto{c: c, r: bufio.NewReader(c.Conn), w: bufio.NewWriter(c.Conn)}
	return Protocol{Run: p.run, Farewell: p.farewell, Close: p.close}
}

func (p *lineProto) say(line string) {
	p.w.WriteString(line + "\n")
	p.w.Flush()
}

func (p *lineProto) run() {
	greeting := "HELLO " + p.c.ID
	if p.c.TLS != nil {
		greeting += " tls"
	}
	p.say(greeting)
	for {
		// A long deadline set before every command, as the protocols do:
		// the stop must still wake the session.
		p.c.Conn.SetReadDeadline(time.Now().Add(time.Hour))
		line, err := p.r.ReadString('\n')
		if err != nil {
			if p.c.Ctx.Err() != nil {
				p.say("BYE shutting down")
			}
			return
		}
		if line == "boom\n" {
			var m map[string]int
			m["x"]++ // a real runtime panic: nil map write
		}
		p.say(strings.TrimSuffix(line, "\n"))
	}
}

func (p *lineProto) farewell() { p.say("BYE server bug") }
func (p *lineProto) close()    { p.say("closed") }

func newTestSessions(t *testing.T, opts SessionOptions) *Sessions {
	t.Helper()
	k, err := NewSessions("testproto", opts)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func selfSigned(t *testing.T) *tls.Config {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "localhost"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), DNSNames: []string{"localhost"}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}}}
}

func readLine(t *testing.T, r *bufio.Reader) string {
	t.Helper()
	line, err := r.ReadString('\n')
	if err != nil {
		t.Fatalf("reading a line: %v (got %q)", err, line)
	}
	return strings.TrimSuffix(line, "\n")
}

func TestNewSessionsImplicitTLSNeedsCertificate(t *testing.T) {
	_, err := NewSessions("imapserver", SessionOptions{ImplicitTLS: true})
	if err == nil || err.Error() != "imapserver: implicit TLS (-s) needs tls_server_cert and tls_server_key" {
		t.Fatalf("NewSessions = %v", err)
	}
}

// A client that does not speak TLS on an implicit-TLS port is logged and
// dropped before the protocol starts; the next client is served under TLS.
func TestSessionsImplicitTLSHandshakeFailure(t *testing.T) {
	var logs syncBuffer
	log := slog.New(slog.NewTextHandler(&logs, nil))
	k := newTestSessions(t, SessionOptions{TLS: selfSigned(t), ImplicitTLS: true, IDBase: "tlstest", Logger: log})
	var mu sync.Mutex
	started := 0
	h := func(ctx context.Context, c net.Conn) {
		k.Handle(ctx, c, func(s *Session) Protocol {
			mu.Lock()
			started++
			mu.Unlock()
			return startLine(s)
		})
	}
	s := serveBg(t, h, Options{Logger: log})

	plain := dial(t, s.addr)
	io.WriteString(plain, "HELLO in the clear\r\n\r\n")
	if _, err := io.ReadAll(plain); err != nil {
		t.Fatalf("plain client: %v", err)
	}
	waitFor(t, "the handshake failure in the log", func() bool { return strings.Contains(logs.String(), "TLS handshake failed") })
	if out := logs.String(); !regexp.MustCompile(`TLS handshake failed.*session=tlstest-`).MatchString(out) {
		t.Errorf("handshake failure not logged with the session id:\n%s", out)
	}

	tc := tls.Client(dial(t, s.addr), &tls.Config{InsecureSkipVerify: true, ServerName: "localhost"})
	defer tc.Close()
	r := bufio.NewReader(tc)
	if got := readLine(t, r); !strings.HasPrefix(got, "HELLO tlstest-") || !strings.HasSuffix(got, " tls") {
		t.Fatalf("TLS greeting %q", got)
	}
	io.WriteString(tc, "ping\n")
	if got := readLine(t, r); got != "ping" {
		t.Fatalf("echo under TLS: %q", got)
	}
	mu.Lock()
	defer mu.Unlock()
	if started != 1 {
		t.Fatalf("protocol started %d times, want once (not for the failed handshake)", started)
	}
}

// A panic ends its session only: the client gets the protocol's last words,
// then the session's resources are released (Close), then the connection
// closes; other sessions, and new ones, go on. The log names the session.
func TestSessionsPanicEndsThatSessionOnly(t *testing.T) {
	var logs syncBuffer
	log := slog.New(slog.NewTextHandler(&logs, nil))
	k := newTestSessions(t, SessionOptions{IDBase: "panictest", Logger: log})
	h := func(ctx context.Context, c net.Conn) { k.Handle(ctx, c, startLine) }
	s := serveBg(t, h, Options{Logger: log, MaxConns: 2})

	other := dial(t, s.addr)
	or := bufio.NewReader(other)
	readLine(t, or)

	bad := dial(t, s.addr)
	br := bufio.NewReader(bad)
	id := strings.TrimPrefix(readLine(t, br), "HELLO ")
	io.WriteString(bad, "boom\n")
	if got := readLine(t, br); got != "BYE server bug" {
		t.Fatalf("panicking session: %q, want its farewell", got)
	}
	if got := readLine(t, br); got != "closed" {
		t.Fatalf("after the farewell: %q, want the session's Close", got)
	}
	if rest, err := io.ReadAll(br); err != nil || len(rest) != 0 {
		t.Fatalf("panicking session still open: %q, %v", rest, err)
	}

	io.WriteString(other, "still here\n")
	if got := readLine(t, or); got != "still here" {
		t.Fatalf("other session after the panic: %q", got)
	}
	// MaxConns 2: the panicking session's slot came back, or this would wait.
	if got := readLine(t, bufio.NewReader(dial(t, s.addr))); !strings.HasPrefix(got, "HELLO ") {
		t.Fatalf("new session after the panic: %q", got)
	}
	out := logs.String()
	if !regexp.MustCompile(`level=ERROR msg="session panic: server bug".*session=` + regexp.QuoteMeta(id) + `\b`).MatchString(out) {
		t.Errorf("panic not logged with the session id %s:\n%s", id, out)
	}
}

// A panic while the protocol builds its session: no last words (there is
// no protocol yet), the connection closes, the process goes on.
func TestSessionsPanicInStart(t *testing.T) {
	k := newTestSessions(t, SessionOptions{IDBase: "starttest"})
	a, b := net.Pipe()
	defer b.Close()
	done := make(chan struct{})
	go func() {
		defer close(done)
		k.Handle(context.Background(), a, func(*Session) Protocol { panic("start bug") })
	}()
	if n, err := b.Read(make([]byte, 1)); err != io.EOF {
		t.Fatalf("read %d bytes, %v; want EOF", n, err)
	}
	<-done
}

var sessionIDPattern = regexp.MustCompile(`^(.+)-(\d+)-(\d+)-(\d+)-(\d+)$`)

// Session ids are unique across concurrent sessions and have Cyrus's form
// <base>-<time>-<pid>-<n>-<random>.
func TestSessionIDsUniqueAcrossConcurrentSessions(t *testing.T) {
	k := newTestSessions(t, SessionOptions{IDBase: "idtest"})
	h := func(ctx context.Context, c net.Conn) { k.Handle(ctx, c, startLine) }
	s := serveBg(t, h, Options{})
	const n = 40
	ids := make(chan string, n)
	errs := make(chan error, n)
	var wg sync.WaitGroup
	for range n {
		wg.Go(func() {
			c, err := net.DialTimeout("tcp", s.addr, 5*time.Second)
			if err != nil {
				errs <- err
				return
			}
			defer c.Close()
			c.SetDeadline(time.Now().Add(10 * time.Second))
			line, err := bufio.NewReader(c).ReadString('\n')
			if err != nil {
				errs <- err
				return
			}
			ids <- strings.TrimSuffix(strings.TrimPrefix(line, "HELLO "), "\n")
		})
	}
	wg.Wait()
	close(ids)
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for id := range ids {
		m := sessionIDPattern.FindStringSubmatch(id)
		if m == nil || m[1] != "idtest" || m[3] != strconv.Itoa(os.Getpid()) {
			t.Fatalf("session id %q is not idtest-<time>-<pid %d>-<n>-<random>", id, os.Getpid())
		}
		if seen[id] {
			t.Fatalf("session id %q given twice", id)
		}
		seen[id] = true
	}
	if len(seen) != n {
		t.Fatalf("%d ids for %d sessions", len(seen), n)
	}
	// Different servers of one process share the counter.
	a, b := NewSessionID("same"), NewSessionID("same")
	if a == b || sessionIDPattern.FindStringSubmatch(a)[4] == sessionIDPattern.FindStringSubmatch(b)[4] {
		t.Fatalf("two ids share a number: %s %s", a, b)
	}
}

func TestSessionIDBase(t *testing.T) {
	host, _ := os.Hostname()
	long := strings.Repeat("x", 200)
	for _, tt := range []struct{ prefix, servername, want string }{
		{"prefix", "server", "prefix"},
		{"", "server", "server"},
		{"", "", host[:min(len(host), maxIDBase)]},
		{"", long, long[:128]},
	} {
		if got := SessionIDBase(tt.prefix, tt.servername); got != tt.want {
			t.Errorf("SessionIDBase(%q, %q) = %q, want %q", tt.prefix, tt.servername, got, tt.want)
		}
	}
}

// Stopping: at the bound the session is woken although it set a long read
// deadline before its command, says goodbye before its connection is
// closed under it, releases what it holds, and Serve returns nil.
func TestSessionsDrain(t *testing.T) {
	k := newTestSessions(t, SessionOptions{IDBase: "draintest"})
	h := func(ctx context.Context, c net.Conn) { k.Handle(ctx, c, startLine) }
	s := serveBg(t, h, Options{StopTimeout: 100 * time.Millisecond})
	c := dial(t, s.addr)
	r := bufio.NewReader(c)
	readLine(t, r)
	io.WriteString(c, "ping\n")
	if got := readLine(t, r); got != "ping" {
		t.Fatalf("echo: %q", got)
	}
	s.stop()
	if got := readLine(t, r); got != "BYE shutting down" {
		t.Fatalf("at the stop bound: %q, want the session's goodbye", got)
	}
	if got := readLine(t, r); got != "closed" {
		t.Fatalf("after the goodbye: %q, want the session's Close", got)
	}
	if err := s.wait(t, 5*time.Second); err != nil {
		t.Fatalf("Serve = %v", err)
	}
}

// The wake-up survives a deadline the session sets after it: the race
// between the stop and the next command's SetReadDeadline.
func TestWakeConnKeepsTheWakeUp(t *testing.T) {
	a, b := net.Pipe()
	defer b.Close()
	wc := newWakeConn(a)
	defer wc.Close()
	wc.wake()
	wc.SetReadDeadline(time.Now().Add(time.Hour))
	wc.SetDeadline(time.Now().Add(time.Hour))
	read := make(chan error, 1)
	go func() {
		_, err := wc.Read(make([]byte, 1))
		read <- err
	}()
	select {
	case err := <-read:
		var ne net.Error
		if !errors.As(err, &ne) || !ne.Timeout() {
			t.Fatalf("Read after wake and a new deadline = %v, want a timeout", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Read after wake still waiting: the new deadline undid the wake-up")
	}
}

// A handler that ignores the stop is abandoned after the bound, and Serve
// says which: its session id and peer, in the error and in the log.
func TestServeNamesAbandonedSessions(t *testing.T) {
	var logs syncBuffer
	log := slog.New(slog.NewTextHandler(&logs, nil))
	k := newTestSessions(t, SessionOptions{IDBase: "stuck", Logger: log})
	block := make(chan struct{})
	defer close(block)
	h := func(ctx context.Context, c net.Conn) {
		k.Handle(ctx, c, func(s *Session) Protocol {
			return Protocol{Run: func() {
				fmt.Fprintf(s.Conn, "HELLO %s\n", s.ID)
				<-block // ignores ctx and its connection
			}}
		})
	}
	s := serveBg(t, h, Options{StopTimeout: 50 * time.Millisecond, Logger: log})
	c := dial(t, s.addr)
	id := strings.TrimPrefix(readLine(t, bufio.NewReader(c)), "HELLO ")
	s.stop()
	err := s.wait(t, 10*time.Second)
	if !errors.Is(err, ErrSessionsAbandoned) {
		t.Fatalf("Serve = %v, want ErrSessionsAbandoned", err)
	}
	if !strings.Contains(err.Error(), "session "+id+" from "+c.LocalAddr().String()) {
		t.Errorf("error does not name session %s from %s: %v", id, c.LocalAddr(), err)
	}
	if out := logs.String(); !strings.Contains(out, "session abandoned") || !strings.Contains(out, id) {
		t.Errorf("abandoned session not logged:\n%s", out)
	}
}
