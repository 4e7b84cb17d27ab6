package auth

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"io"
	"log/slog"
	"math/big"
	"net"
	"testing"
	"time"

	"github.com/emersion/go-sasl"

	"gocyrus/pkg/config"
	"gocyrus/pkg/cyrusdb"
	"gocyrus/pkg/sasldb"
)

// testConfig returns a configuration with the given key/value pairs set.
func testConfig(t testing.TB, kv ...string) *config.Config {
	t.Helper()
	cfg := config.New()
	for i := 0; i+1 < len(kv); i += 2 {
		if err := cfg.Set(kv[i], kv[i+1]); err != nil {
			t.Fatalf("Set(%s): %v", kv[i], err)
		}
	}
	return cfg
}

// testSasldb returns a sasldb holding user → password.
func testSasldb(t testing.TB, users map[string]string) *sasldb.Store {
	t.Helper()
	db, err := cyrusdb.Open(t.TempDir(), cyrusdb.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	s := sasldb.New(db)
	for u, pw := range users {
		if err := s.SetPassword(context.Background(), u, pw, true); err != nil {
			t.Fatal(err)
		}
	}
	return s
}

// newTestAuth builds an Authenticator without failure delays.
func newTestAuth(t testing.TB, cfg *config.Config, opts Options) *Authenticator {
	t.Helper()
	opts.FailureDelay = NoFailureDelay
	a, err := New(cfg, opts)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

var (
	plainConn = ConnInfo{}
	tlsConn   = ConnInfo{TLS: &tls.ConnectionState{HandshakeComplete: true}}
)

// runSASL drives an exchange with a go-sasl client. With useIR the
// client's initial response goes with the start, else it follows an empty
// challenge (or the first challenge for server-first mechanisms).
func runSASL(t testing.TB, a *Authenticator, conn ConnInfo, c sasl.Client, useIR bool) (Result, error) {
	t.Helper()
	mech, ir, err := c.Start()
	if err != nil {
		t.Fatal(err)
	}
	ex, err := a.Start(context.Background(), mech, conn)
	if err != nil {
		return Result{}, err
	}
	resp := ir
	if ir == nil {
		resp = nil
	} else if !useIR {
		chal, done, err := ex.Next(nil)
		if err != nil || done {
			t.Fatalf("%s: first Next(nil) = %q, %v, %v", mech, chal, done, err)
		}
		if mech != MechLogin && len(chal) != 0 {
			t.Fatalf("%s: first challenge %q, want empty", mech, chal)
		}
		if mech == MechLogin {
			if string(chal) != "Username:" {
				t.Fatalf("LOGIN first challenge %q", chal)
			}
		}
	}
	for range 10 {
		chal, done, err := ex.Next(resp)
		if done {
			res, ok := ex.Result()
			if (err == nil) != ok {
				t.Fatalf("Result ok=%v with err %v", ok, err)
			}
			return res, err
		}
		if err != nil {
			t.Fatalf("error without done: %v", err)
		}
		if resp, err = c.Next(chal); err != nil {
			t.Fatalf("client: %v", err)
		}
	}
	t.Fatal("exchange does not end")
	return Result{}, nil
}

func wantErr(t testing.TB, what string, err, target error) {
	t.Helper()
	if target == nil && err != nil || target != nil && !errors.Is(err, target) {
		t.Fatalf("%s: error %v, want %v", what, err, target)
	}
}

// testPKI is a CA and a way to get client certificates it signed.
type testPKI struct {
	ca    *x509.Certificate
	caKey *ecdsa.PrivateKey
}

func newTestPKI(t testing.TB) *testPKI {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "test CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	ca, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return &testPKI{ca: ca, caKey: key}
}

func (p *testPKI) cert(t testing.TB, cn string, emails []string, ext x509.ExtKeyUsage) tls.Certificate {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(time.Now().UnixNano()), Subject: pkix.Name{CommonName: cn},
		EmailAddresses: emails, DNSNames: []string{"localhost"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{ext},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, p.ca, &key.PublicKey, p.caKey)
	if err != nil {
		t.Fatal(err)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
}

// handshake runs a real TLS handshake over a pipe, the client presenting
// clientCert (nil for none), and returns the server's connection state.
func (p *testPKI) handshake(t testing.TB, clientCert *tls.Certificate) *tls.ConnectionState {
	t.Helper()
	pool := x509.NewCertPool()
	pool.AddCert(p.ca)
	srvCert := p.cert(t, "localhost", nil, x509.ExtKeyUsageServerAuth)
	sc, cc := net.Pipe()
	defer sc.Close()
	defer cc.Close()
	srv := tls.Server(sc, &tls.Config{Certificates: []tls.Certificate{srvCert}, ClientCAs: pool, ClientAuth: tls.VerifyClientCertIfGiven})
	ccfg := &tls.Config{RootCAs: pool, ServerName: "localhost"}
	if clientCert != nil {
		ccfg.Certificates = []tls.Certificate{*clientCert}
	}
	cli := tls.Client(cc, ccfg)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	errc := make(chan error, 1)
	go func() { errc <- cli.HandshakeContext(ctx) }()
	if err := srv.HandshakeContext(ctx); err != nil {
		t.Fatal(err)
	}
	if err := <-errc; err != nil {
		t.Fatal(err)
	}
	st := srv.ConnectionState()
	return &st
}

func discardLogger() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// hangTimeout bounds a wait for something that should happen at once: long
// enough that on a loaded machine (or under -race) only a hang reaches it.
const hangTimeout = 2 * time.Minute
