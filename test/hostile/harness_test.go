package hostile

import (
	"bufio"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math/big"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"gocyrus/pkg/config"
	"gocyrus/pkg/cyrusdb"
	"gocyrus/pkg/mailbox"
	"gocyrus/pkg/quota"
	"gocyrus/pkg/sasldb"
	"gocyrus/pkg/store"
)

// maxMessage is the site's maxmessagesize (bytes), so limits are reachable.
const maxMessage = 1000000

// sieveMaxKB is the site's sieve_maxscriptsize (KiB).
const sieveMaxKB = 32

// h is the site every case runs against (set up once by TestMain).
var h *harness

// harness is one site and its four daemons.
type harness struct {
	dir, configdir, spool, sievedir, imapdConf string
	srv                                        *cyrusdb.Server
	store                                      *store.Store
	served                                     chan error
	daemons                                    map[string]*daemon // by protocol: imap, pop3, lmtp, sieve
}

// daemon is one running server process.
type daemon struct {
	prog, addr, log string
	cmd             *exec.Cmd
	done            chan struct{}
}

func TestMain(m *testing.M) {
	code, err := runMain(m)
	if err != nil {
		fmt.Fprintln(os.Stderr, "hostile:", err)
		code = 2
	}
	os.Exit(code)
}

func runMain(m *testing.M) (int, error) {
	bin := os.Getenv("GOCYRUS_BIN")
	if bin == "" {
		dir, err := os.MkdirTemp("", "gocyrus-bin-")
		if err != nil {
			return 0, err
		}
		defer os.RemoveAll(dir)
		cmd := exec.Command("go", "build", "-o", dir+"/", "../../cmd/...")
		cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
		if err := cmd.Run(); err != nil {
			return 0, fmt.Errorf("building the binaries: %w", err)
		}
		bin = dir
	}
	var err error
	h, err = setup(bin)
	if h != nil {
		defer h.close()
	}
	if err != nil {
		return 0, err
	}
	return m.Run(), nil
}

// users of the site, each with the password "secret". The bystanders log
// in as "bystander"; the cases use alice (and bob as a second user).
var users = []string{"alice", "bob", "bystander", "cyrus"}

func setup(bin string) (*harness, error) {
	dir, err := os.MkdirTemp("", "gocyrus-hostile-")
	if err != nil {
		return nil, err
	}
	x := &harness{dir: dir, configdir: filepath.Join(dir, "config"), spool: filepath.Join(dir, "spool"),
		sievedir: filepath.Join(dir, "sieve"), imapdConf: filepath.Join(dir, "imapd.conf"), daemons: map[string]*daemon{}}
	for _, d := range []string{x.configdir, x.spool, x.sievedir, filepath.Join(dir, "logs")} {
		if err := os.MkdirAll(d, 0o750); err != nil {
			return x, err
		}
	}
	conf := strings.Join([]string{
		"configdirectory: " + x.configdir,
		"partition-default: " + x.spool,
		"defaultpartition: default",
		"sievedir: " + x.sievedir,
		"admins: cyrus",
		"allowplaintext: yes",
		"servername: hostile.test",
		"maxmessagesize: " + strconv.Itoa(maxMessage),
		"sieve_maxscriptsize: " + strconv.Itoa(sieveMaxKB),
		"imapidlepoll: 1",
		"tls_server_cert: " + filepath.Join(dir, "tls.pem"),
		"tls_server_key: " + filepath.Join(dir, "tls.pem"),
	}, "\n") + "\n"
	if err := writeCert(filepath.Join(dir, "tls.pem")); err != nil {
		return x, err
	}
	if err := os.WriteFile(x.imapdConf, []byte(conf), 0o644); err != nil {
		return x, err
	}
	x.srv, err = cyrusdb.OpenServer(x.configdir, cyrusdb.Options{})
	if err != nil {
		return x, err
	}
	x.served = make(chan error, 1)
	go func() { x.served <- x.srv.Serve() }()
	if err := x.populate(); err != nil {
		return x, err
	}
	// imapbig is a second imapd whose limits are far away (2 GB), so a
	// huge literal is accepted and must be streamed, not held in memory.
	bigConf := filepath.Join(dir, "imapd-big.conf")
	big := strings.Replace(conf, "maxmessagesize: "+strconv.Itoa(maxMessage), "maxmessagesize: 2000000000\nmaxliteral: 2000000000", 1)
	if err := os.WriteFile(bigConf, []byte(big), 0o644); err != nil {
		return x, err
	}
	for _, d := range []struct{ proto, prog, conf string }{
		{"imap", "imapd", x.imapdConf}, {"imapbig", "imapd", bigConf},
		{"pop3", "pop3d", x.imapdConf}, {"lmtp", "lmtpd", x.imapdConf}, {"sieve", "timsieved", x.imapdConf},
	} {
		dm, err := x.start(bin, d.prog, d.proto, d.conf)
		if err != nil {
			return x, err
		}
		x.daemons[d.proto] = dm
	}
	return x, nil
}

// populate creates the users' mailboxes (alice's INBOX with three
// messages, so FETCH and RETR have something to read) and passwords.
func (x *harness) populate() error {
	ctx := context.Background()
	cfg, err := config.LoadImapd(x.imapdConf)
	if err != nil {
		return err
	}
	st, err := store.New(cfg, x.srv.DB(), nil)
	if err != nil {
		return err
	}
	x.store = st
	for _, u := range users {
		if err := sasldb.New(x.srv.DB()).SetPassword(ctx, u, "secret", true); err != nil {
			return err
		}
		if u == "cyrus" {
			continue
		}
		if _, err := st.CreateMailbox(ctx, "user."+u, store.CreateOptions{}); err != nil {
			return fmt.Errorf("create user.%s: %w", u, err)
		}
	}
	mb, _, err := st.Open(ctx, "user.alice", quota.Ignore)
	if err != nil {
		return err
	}
	defer mb.Close()
	for i := 1; i <= 3; i++ {
		msg := fmt.Sprintf("From: a@example.org\r\nMessage-ID: <seed%d@hostile.test>\r\nSubject: seed %d\r\n\r\nbody %d\r\n", i, i, i)
		if _, err := mb.Append(ctx, appendOne(msg)); err != nil {
			return err
		}
	}
	return nil
}

// start runs prog standalone with conf on a free loopback port, logging
// to logs/<name>.log, and returns once the port accepts connections.
func (x *harness) start(bin, prog, name, conf string) (*daemon, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	addr := l.Addr().String()
	l.Close()
	d := &daemon{prog: prog, addr: addr, log: filepath.Join(x.dir, "logs", name+".log"), done: make(chan struct{})}
	logf, err := os.Create(d.log)
	if err != nil {
		return nil, err
	}
	defer logf.Close()
	args := []string{"-C", conf, "-l", addr}
	if prog == "lmtpd" {
		args = append(args, "-a") // the trusted MTA on loopback, as Debian's cyrus.conf has it
	}
	d.cmd = exec.Command(filepath.Join(bin, prog), args...)
	d.cmd.Stdout, d.cmd.Stderr = logf, logf
	if err := d.cmd.Start(); err != nil {
		return nil, err
	}
	go func() { d.cmd.Wait(); close(d.done) }()
	for deadline := time.Now().Add(hangTimeout); ; time.Sleep(20 * time.Millisecond) {
		c, err := net.Dial("tcp", addr)
		if err == nil {
			c.Close()
			return d, nil
		}
		select {
		case <-d.done:
			b, _ := os.ReadFile(d.log)
			return d, fmt.Errorf("%s exited at start: %s", prog, b)
		default:
		}
		if time.Now().After(deadline) {
			return d, fmt.Errorf("%s does not listen on %s: %w", prog, addr, err)
		}
	}
}

func (x *harness) close() {
	for _, d := range x.daemons {
		d.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-d.done:
		case <-time.After(hangTimeout):
			d.cmd.Process.Kill()
			<-d.done
		}
	}
	if x.srv != nil {
		x.srv.Close()
		<-x.served
	}
	os.RemoveAll(x.dir)
}

// writeCert writes a self-signed certificate and its key to one PEM file.
func writeCert(path string) error {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return err
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "hostile.test"},
		DNSNames: []string{"hostile.test"}, NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return err
	}
	kb, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		return err
	}
	out := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	out = append(out, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kb})...)
	return os.WriteFile(path, out, 0o600)
}

// alive reports whether the daemon is still the process it was.
func (d *daemon) alive() bool {
	select {
	case <-d.done:
		return false
	default:
		return true
	}
}

// ---- memory ----

// rss is a daemon's resident memory in bytes: all of it and the anonymous
// part (heap and stacks: what a client can make it allocate).
type rss struct{ vm, anon int64 }

func (r rss) String() string {
	return fmt.Sprintf("VmRSS %d KiB, RssAnon %d KiB", r.vm>>10, r.anon>>10)
}

func readRSS(pid int) (rss, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return rss{}, err
	}
	var r rss
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(line)
		if len(f) < 2 {
			continue
		}
		n, _ := strconv.ParseInt(f[1], 10, 64)
		switch f[0] {
		case "VmRSS:":
			r.vm = n << 10
		case "RssAnon:":
			r.anon = n << 10
		}
	}
	return r, nil
}

// sampler records a daemon's peak RSS until stopped.
type sampler struct {
	stop chan struct{}
	done chan struct{}
	peak rss
}

func sample(pid int) *sampler {
	s := &sampler{stop: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(s.done)
		tick := time.NewTicker(5 * time.Millisecond)
		defer tick.Stop()
		for {
			if r, err := readRSS(pid); err == nil {
				s.peak.vm = max(s.peak.vm, r.vm)
				s.peak.anon = max(s.peak.anon, r.anon)
			}
			select {
			case <-s.stop:
				return
			case <-tick.C:
			}
		}
	}()
	return s
}

func (s *sampler) end() rss {
	close(s.stop)
	<-s.done
	return s.peak
}

// ---- disk ----

// snapshot maps each path under the spool, sievedir and configdirectory
// (the database and its socket excepted: logins and sessions write there)
// to its size; directories map to -1.
func (x *harness) snapshot() (map[string]int64, error) {
	out := map[string]int64{}
	for _, root := range []string{x.spool, x.sievedir, x.configdir} {
		err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				if errors.Is(err, fs.ErrNotExist) {
					return nil // vanished while walking: the next poll sees it
				}
				return err
			}
			rel, _ := filepath.Rel(x.dir, p)
			if rel == "config/db" || rel == "config/socket" {
				return filepath.SkipDir
			}
			if d.IsDir() {
				out[rel] = -1
				return nil
			}
			fi, err := d.Info()
			if err != nil {
				if errors.Is(err, fs.ErrNotExist) {
					return nil
				}
				return err
			}
			out[rel] = fi.Size()
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

// diff lists the paths that differ between two snapshots, except those
// for which allowed returns true.
func diff(before, after map[string]int64, allowed func(path string) bool) []string {
	var d []string
	for p, n := range before {
		if m, ok := after[p]; !ok {
			if !allowed(p) {
				d = append(d, "removed "+p)
			}
		} else if m != n && !allowed(p) {
			d = append(d, fmt.Sprintf("changed %s (%d -> %d bytes)", p, n, m))
		}
	}
	for p, n := range after {
		if _, ok := before[p]; !ok && !allowed(p) {
			d = append(d, fmt.Sprintf("new %s (%d bytes)", p, n))
		}
	}
	sort.Strings(d)
	return d
}

// ---- the case frame ----

// expect says what a case may leave behind and how much memory it may take.
type expect struct {
	// rssMiB bounds the rise of the daemon's RssAnon, before to peak and
	// before to after; 0 means 32.
	rssMiB int64
	// mayChange allows changes to paths (relative to the site) it accepts.
	mayChange func(path string) bool
}

// run wraps one case against the daemon serving proto: bystanders of all
// four protocols log in first and must answer after; the daemon must
// survive with its RSS within the bound; the disk must be as before.
func run(t *testing.T, proto string, e expect, body func(t *testing.T, addr string)) {
	t.Helper()
	d := h.daemons[proto]
	if !d.alive() {
		t.Fatalf("%s is not running (an earlier case killed it)", d.prog)
	}
	by := openBystanders(t)
	defer by.close()
	before, err := h.snapshot()
	if err != nil {
		t.Fatal(err)
	}
	pid := d.cmd.Process.Pid
	r0, err := readRSS(pid)
	if err != nil {
		t.Fatal(err)
	}
	smp := sample(pid)
	body(t, d.addr)
	peak := smp.end()
	r1, _ := readRSS(pid)
	t.Logf("%s: before %v; peak %v; after %v", d.prog, r0, peak, r1)
	if !d.alive() {
		b, _ := os.ReadFile(d.log)
		t.Fatalf("%s died during the case:\n%s", d.prog, tail(b, 4000))
	}
	bound := e.rssMiB
	if bound == 0 {
		bound = 32
	}
	if rise := peak.anon - r0.anon; rise > bound<<20 {
		t.Errorf("%s RssAnon rose by %d MiB during the case (bound %d MiB)", d.prog, rise>>20, bound)
	}
	by.check(t)
	// The partition's stage. directory is made at the first delivery
	// and kept (as Cyrus does); what is inside it is not allowed to stay.
	allowed := func(p string) bool { return p == "spool/stage." || e.mayChange != nil && e.mayChange(p) }
	// The server finishes a closed session asynchronously: poll until the
	// disk matches or the deadline passes.
	var changes []string
	for deadline := time.Now().Add(hangTimeout); ; time.Sleep(20 * time.Millisecond) {
		after, err := h.snapshot()
		if err != nil {
			t.Fatal(err)
		}
		if changes = diff(before, after, allowed); len(changes) == 0 || time.Now().After(deadline) {
			break
		}
	}
	for _, c := range changes {
		t.Errorf("on disk: %s", c)
	}
}

// appendOne is a message for Mailbox.Append.
func appendOne(msg string) []mailbox.AppendMessage {
	return []mailbox.AppendMessage{{Body: strings.NewReader(msg)}}
}

// plain is a SASL PLAIN response, base64.
func plain(user, pass string) string {
	return base64.StdEncoding.EncodeToString([]byte("\x00" + user + "\x00" + pass))
}

func tail(b []byte, n int) []byte {
	if len(b) > n {
		return b[len(b)-n:]
	}
	return b
}

// ---- line clients ----

// client is a raw connection with a line reader and a deadline per read.
type client struct {
	t  *testing.T
	nc net.Conn
	r  *bufio.Reader
	mu sync.Mutex // serialises writes from a background writer and the test
}

// hangTimeout bounds every wait for something that should happen at once
// (a daemon listening, a reply, the server ending a stream, the disk
// settling after a session): long enough that on a loaded machine only a
// hung process reaches it, as in the rest of the suite (test/helpers_test.go).
const hangTimeout = 2 * time.Minute

func dial(t *testing.T, addr string) *client {
	t.Helper()
	nc, err := net.DialTimeout("tcp", addr, hangTimeout)
	if err != nil {
		t.Fatal(err)
	}
	c := &client{t: t, nc: nc, r: bufio.NewReaderSize(nc, 64<<10)}
	t.Cleanup(func() { nc.Close() })
	return c
}

// write sends b; a write error (the server closed) is returned, not fatal.
func (c *client) write(b []byte) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.nc.SetWriteDeadline(time.Now().Add(hangTimeout))
	_, err := c.nc.Write(b)
	return err
}

func (c *client) send(s string) error { return c.write([]byte(s)) }

// line reads one line (CRLF stripped), at most 1 MiB of it; io.EOF when
// the server closed.
func (c *client) line() (string, error) { return c.lineWithin(hangTimeout) }

func (c *client) lineWithin(d time.Duration) (string, error) {
	c.nc.SetReadDeadline(time.Now().Add(d))
	var b []byte
	for {
		frag, err := c.r.ReadSlice('\n')
		b = append(b, frag...)
		if err == nil {
			return strings.TrimRight(string(b), "\r\n"), nil
		}
		if !errors.Is(err, bufio.ErrBufferFull) {
			if len(b) > 0 && errors.Is(err, io.EOF) {
				return string(b), nil
			}
			return string(b), err
		}
		if len(b) > 1<<20 {
			return string(b[:200]), errors.New("reply line over 1 MiB")
		}
	}
}

// mustLine reads one line and fails the test when there is none.
func (c *client) mustLine() string {
	c.t.Helper()
	l, err := c.line()
	if err != nil {
		c.t.Fatalf("reading a reply: %v (so far %q)", err, l)
	}
	return l
}

// closed reports whether the server ends the stream (EOF or reset) with
// no more than lines that match allowed (e.g. a BYE) before it.
func (c *client) closed(allowed func(string) bool) (bool, []string) {
	var extra []string
	for {
		l, err := c.lineWithin(hangTimeout)
		if err != nil {
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				return false, extra
			}
			return true, extra
		}
		if !allowed(l) {
			extra = append(extra, l)
		}
		if len(extra) > 20 {
			return false, extra
		}
	}
}

// ---- bystanders ----

// bystanders are one logged-in session per protocol.
type bystanders struct {
	imap, pop3, lmtp, sieve *client
}

func openBystanders(t *testing.T) *bystanders {
	t.Helper()
	b := &bystanders{}
	b.imap = dial(t, h.daemons["imap"].addr)
	b.imap.expectPrefix("* OK")
	b.imap.send("by1 LOGIN bystander secret\r\n")
	b.imap.expectTagged("by1", "by1 OK")

	b.pop3 = dial(t, h.daemons["pop3"].addr)
	b.pop3.expectPrefix("+OK")
	b.pop3.send("USER bystander\r\n")
	b.pop3.expectPrefix("+OK")
	b.pop3.send("PASS secret\r\n")
	b.pop3.expectPrefix("+OK")

	b.lmtp = dial(t, h.daemons["lmtp"].addr)
	b.lmtp.expectPrefix("220 ")
	b.lmtp.send("LHLO bystander.test\r\n")
	b.lmtp.expectSMTP("250")

	b.sieve = dial(t, h.daemons["sieve"].addr)
	b.sieve.sieveResponse("OK")
	b.sieve.send(`AUTHENTICATE "PLAIN" "` + plain("bystander", "secret") + "\"\r\n")
	b.sieve.sieveResponse("OK")
	return b
}

// check: every bystander still answers.
func (b *bystanders) check(t *testing.T) {
	t.Helper()
	for _, s := range []struct {
		c    *client
		cmd  string
		want func(*client) error
	}{
		{b.imap, "by2 NOOP\r\n", func(c *client) error { return c.waitTagged("by2", "by2 OK") }},
		{b.pop3, "STAT\r\n", func(c *client) error { return c.waitPrefix("+OK 0 0") }},
		{b.lmtp, "NOOP\r\n", func(c *client) error { return c.waitPrefix("250") }},
		{b.sieve, "CAPABILITY\r\n", func(c *client) error { return c.waitSieve("OK") }},
	} {
		if err := s.c.send(s.cmd); err != nil {
			t.Errorf("bystander %q: %v", strings.TrimSpace(s.cmd), err)
			continue
		}
		if err := s.want(s.c); err != nil {
			t.Errorf("bystander %q: %v", strings.TrimSpace(s.cmd), err)
		}
	}
}

func (b *bystanders) close() {
	for _, c := range []*client{b.imap, b.pop3, b.lmtp, b.sieve} {
		c.nc.Close()
	}
}

// waitPrefix reads one line, which must start with p.
func (c *client) waitPrefix(p string) error {
	l, err := c.line()
	if err != nil {
		return fmt.Errorf("%w (got %q)", err, l)
	}
	if !strings.HasPrefix(l, p) {
		return fmt.Errorf("got %q, want %q...", l, p)
	}
	return nil
}

func (c *client) expectPrefix(p string) {
	c.t.Helper()
	if err := c.waitPrefix(p); err != nil {
		c.t.Fatal(err)
	}
}

// waitTagged skips untagged lines until the one tagged tag, which must
// start with want.
func (c *client) waitTagged(tag, want string) error {
	for {
		l, err := c.line()
		if err != nil {
			return fmt.Errorf("%w (waiting for %s)", err, tag)
		}
		if strings.HasPrefix(l, tag+" ") {
			if !strings.HasPrefix(l, want) {
				return fmt.Errorf("got %q, want %q...", l, want)
			}
			return nil
		}
	}
}

func (c *client) expectTagged(tag, want string) {
	c.t.Helper()
	if err := c.waitTagged(tag, want); err != nil {
		c.t.Fatal(err)
	}
}

// waitSMTP reads a (multi-line) SMTP reply whose code is want.
func (c *client) waitSMTP(want string) error {
	for {
		l, err := c.line()
		if err != nil {
			return err
		}
		if len(l) < 4 || l[:3] != want {
			return fmt.Errorf("got %q, want %s", l, want)
		}
		if l[3] == ' ' {
			return nil
		}
	}
}

func (c *client) expectSMTP(want string) {
	c.t.Helper()
	if err := c.waitSMTP(want); err != nil {
		c.t.Fatal(err)
	}
}

// waitSieve reads ManageSieve lines until a final OK/NO/BYE one, which
// must start with want.
func (c *client) waitSieve(want string) error {
	for {
		l, err := c.line()
		if err != nil {
			return err
		}
		if strings.HasPrefix(l, "OK") || strings.HasPrefix(l, "NO") || strings.HasPrefix(l, "BYE") {
			if !strings.HasPrefix(l, want) {
				return fmt.Errorf("got %q, want %q...", l, want)
			}
			return nil
		}
	}
}

func (c *client) sieveResponse(want string) {
	c.t.Helper()
	if err := c.waitSieve(want); err != nil {
		c.t.Fatal(err)
	}
}
