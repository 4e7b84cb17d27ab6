package lmtp

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"math/big"
	"net"
	"net/textproto"
	"strings"
	"testing"
	"time"
)

// selfSigned returns a throw-away certificate for 127.0.0.1.
func selfSigned(t *testing.T) tls.Certificate {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "localhost"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
}

func TestStartTLS(t *testing.T) {
	_, plain := newTestServer(t, []string{"user.alice"})
	c := dialLMTP(t, plain)
	if strings.Contains(c.cmd(250, "LHLO x"), "STARTTLS") {
		t.Fatal("STARTTLS offered without a certificate")
	}
	c.cmd(454, "STARTTLS")

	cert := selfSigned(t)
	_, addr := newTestServerWith(t, []string{"user.alice"}, func(s *Server) {
		s.TLS = &tls.Config{Certificates: []tls.Certificate{cert}}
	})
	nc, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	nc.SetDeadline(time.Now().Add(time.Minute))
	tp := textproto.NewConn(nc)
	if _, _, err := tp.ReadResponse(220); err != nil {
		t.Fatal(err)
	}
	tp.PrintfLine("LHLO x")
	if _, msg, err := tp.ReadResponse(250); err != nil || !strings.Contains(msg, "STARTTLS") {
		t.Fatalf("LHLO: %v %q", err, msg)
	}
	tp.PrintfLine("STARTTLS")
	if _, _, err := tp.ReadResponse(220); err != nil {
		t.Fatal(err)
	}
	tc := tls.Client(nc, &tls.Config{InsecureSkipVerify: true})
	if err := tc.Handshake(); err != nil {
		t.Fatal(err)
	}
	sc := &lmtpClient{tb: t, tp: textproto.NewConn(tc)}
	if msg := sc.cmd(250, "LHLO x"); strings.Contains(msg, "STARTTLS") {
		t.Errorf("STARTTLS offered again under TLS: %q", msg)
	}
	sc.cmd(503, "STARTTLS")
	if r := sc.send("bob@x", []string{"alice"}, "Subject: tls\r\n\r\nhi\r\n"); !strings.HasPrefix(r[0], "250 ") {
		t.Errorf("delivery under TLS: %q", r)
	}
}
