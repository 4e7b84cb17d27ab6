package pop3server

import (
	"bufio"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"gocyrus/pkg/tlsconf"
	"math/big"
	"net"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"gocyrus/pkg/auth"
	"gocyrus/pkg/config"
	"gocyrus/pkg/cyrusdb"
	"gocyrus/pkg/mailbox"
	"gocyrus/pkg/quota"
	"gocyrus/pkg/sasldb"
	"gocyrus/pkg/store"
)

// testSite is a store with user "alice" (password "secret") and a running
// server on loopback.
type testSite struct {
	t     testing.TB
	st    *store.Store
	addr  string
	tls   *tls.Config // client side, trusting the server's certificate
	inbox string
	opts  Options // what the server was made with
}

// newTestSite starts a server; kv are extra imapd.conf settings. With
// withTLS the server has a self-signed certificate.
func newTestSite(t testing.TB, withTLS bool, kv ...string) *testSite {
	t.Helper()
	dir := t.TempDir()
	cfg := config.New()
	settings := append([]string{
		"configdirectory", filepath.Join(dir, "config"),
		"partition-default", filepath.Join(dir, "spool"),
		"servername", "pop.test",
		"allowplaintext", "1",
	}, kv...)
	for i := 0; i+1 < len(settings); i += 2 {
		if err := cfg.Set(settings[i], settings[i+1]); err != nil {
			t.Fatalf("Set(%s): %v", settings[i], err)
		}
	}
	db, err := cyrusdb.Open(filepath.Join(dir, "config"), cyrusdb.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	st, err := store.New(cfg, db, nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if err := sasldb.New(db).SetPassword(ctx, "alice", "secret", true); err != nil {
		t.Fatal(err)
	}
	if _, err := st.CreateMailbox(ctx, "user.alice", store.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	a, err := auth.New(cfg.ForService("pop3"), auth.Options{SASLDB: sasldb.New(db), Service: "pop", FailureDelay: auth.NoFailureDelay})
	if err != nil {
		t.Fatal(err)
	}
	s := &testSite{t: t, st: st, inbox: "user.alice"}
	opts := Options{Config: cfg.ForService("pop3"), Store: st, Auth: a}
	if withTLS {
		serverTLS, clientTLS := selfSigned(t)
		opts.TLS, s.tls = serverTLS, clientTLS
	} else if opts.TLS, err = tlsconf.FromConfig(opts.Config); err != nil { // tls_* settings in kv
		t.Fatal(err)
	}
	s.opts = opts
	srv, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	sctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			go srv.Handle(sctx, c)
		}
	}()
	t.Cleanup(func() { cancel(); l.Close(); <-done })
	s.addr = l.Addr().String()
	return s
}

// appendMessages adds raw messages to alice's INBOX and returns the UIDs.
func (s *testSite) appendMessages(msgs ...string) []uint32 {
	s.t.Helper()
	mb, _, err := s.st.Open(context.Background(), s.inbox, quota.Ignore)
	if err != nil {
		s.t.Fatal(err)
	}
	defer mb.Close()
	var am []mailbox.AppendMessage
	for _, m := range msgs {
		am = append(am, mailbox.AppendMessage{Body: strings.NewReader(m)})
	}
	uids, err := mb.Append(context.Background(), am)
	if err != nil {
		s.t.Fatal(err)
	}
	return uids
}

// view returns the INBOX as it is now.
func (s *testSite) view() *mailbox.View {
	s.t.Helper()
	mb, _, err := s.st.Open(context.Background(), s.inbox, quota.Ignore)
	if err != nil {
		s.t.Fatal(err)
	}
	t := s.t
	t.Cleanup(func() { mb.Close() })
	v, err := mb.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// client is a line-level POP3 client for conversation tests.
type client struct {
	t    testing.TB
	conn net.Conn
	r    *bufio.Reader
}

func (s *testSite) dial() (*client, string) {
	s.t.Helper()
	c, err := net.DialTimeout("tcp", s.addr, 5*time.Second)
	if err != nil {
		s.t.Fatal(err)
	}
	c.SetDeadline(time.Now().Add(20 * time.Second))
	cl := &client{t: s.t, conn: c, r: bufio.NewReader(c)}
	s.t.Cleanup(func() { c.Close() })
	return cl, cl.line()
}

func (c *client) line() string {
	c.t.Helper()
	l, err := c.r.ReadString('\n')
	if err != nil {
		c.t.Fatalf("reading: %v (got %q)", err, l)
	}
	return strings.TrimSuffix(l, "\r\n")
}

// cmd sends a line and returns the status line.
func (c *client) cmd(line string) string {
	c.t.Helper()
	if _, err := c.conn.Write([]byte(line + "\r\n")); err != nil {
		c.t.Fatal(err)
	}
	return c.line()
}

// multi reads a multi-line body up to the final dot, raw (still stuffed),
// with CRLFs.
func (c *client) multi() string {
	c.t.Helper()
	var b strings.Builder
	for {
		l, err := c.r.ReadString('\n')
		if err != nil {
			c.t.Fatalf("reading: %v", err)
		}
		if l == ".\r\n" {
			return b.String()
		}
		b.WriteString(l)
	}
}

// login runs USER/PASS as alice.
func (c *client) login() {
	c.t.Helper()
	if r := c.cmd("USER alice"); r != "+OK Name is a valid mailbox" {
		c.t.Fatalf("USER: %q", r)
	}
	if r := c.cmd("PASS secret"); !strings.HasPrefix(r, "+OK Mailbox locked and ready SESSIONID=<") {
		c.t.Fatalf("PASS: %q", r)
	}
}

// selfSigned returns a server configuration with a fresh self-signed
// certificate for "pop.test" and a client configuration trusting it.
func selfSigned(t testing.TB) (server, client *tls.Config) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "pop.test"},
		DNSNames: []string{"pop.test"}, NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	server = &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}}}
	client = &tls.Config{RootCAs: pool, ServerName: "pop.test"}
	return server, client
}

// hangTimeout bounds a wait for something that should happen at once: long
// enough that on a loaded machine (or under -race) only a hang reaches it.
const hangTimeout = 2 * time.Minute
