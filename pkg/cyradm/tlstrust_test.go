package cyradm

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
	"math/big"
	"net"
	"strings"
	"testing"
	"time"
)

// serverCert is a self-signed certificate for mail.example.com, as a site
// has for its public name.
func serverCert(t *testing.T) (tls.Certificate, *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "mail.example.com"},
		DNSNames: []string{"mail.example.com"}, NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(leaf)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}, pool
}

// tlsIMAPServer answers one connection per call on a loopback port: the
// greeting offers STARTTLS, then TLS with cert, then a greeting-less
// session that ends. With implicit, TLS starts at once.
func tlsIMAPServer(t *testing.T, cert tls.Certificate, implicit bool) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	scfg := &tls.Config{Certificates: []tls.Certificate{cert}}
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			go func(c net.Conn) {
				defer c.Close()
				c.SetDeadline(time.Now().Add(time.Minute))
				if implicit {
					tc := tls.Server(c, scfg)
					if tc.Handshake() == nil {
						tc.Write([]byte("* OK [CAPABILITY IMAP4rev1] ready\r\n"))
						bufio.NewReader(tc).ReadString('\n')
					}
					return
				}
				c.Write([]byte("* OK [CAPABILITY IMAP4rev1 STARTTLS] ready\r\n"))
				line, err := bufio.NewReader(c).ReadString('\n')
				if err != nil {
					return
				}
				tag, _, _ := strings.Cut(line, " ")
				c.Write([]byte(tag + " OK Begin TLS negotiation now\r\n"))
				tc := tls.Server(c, scfg)
				if tc.Handshake() == nil {
					bufio.NewReader(tc).ReadString('\n')
				}
			}(c)
		}
	}()
	return l.Addr().String()
}

// To a loopback address the certificate, issued for another name and
// signed by nobody we know, is accepted, over STARTTLS and implicit TLS
// alike; with --cafile it is verified, and a failure names the ways on.
func TestLoopbackTrust(t *testing.T) {
	cert, pool := serverCert(t)
	ctx := context.Background()
	for _, implicit := range []bool{false, true} {
		addr := tlsIMAPServer(t, cert, implicit)
		_, port, _ := net.SplitHostPort(addr)
		for _, host := range []string{"127.0.0.1", "localhost"} {
			k := &Connector{Timeout: time.Minute}
			if implicit {
				k.TLS = TLSImplicit
			}
			c, err := k.Connect(ctx, net.JoinHostPort(host, port))
			if err != nil {
				t.Fatalf("implicit %v, %s: %v", implicit, host, err)
			}
			if _, ok := c.TLS(); !ok {
				t.Errorf("implicit %v, %s: no TLS", implicit, host)
			}
			c.Close()
		}
		// Named CAs are verified, loopback or not: the wrong CA fails
		// with the advice, the right one with the right name succeeds.
		_, otherPool := serverCert(t)
		k := &Connector{Timeout: time.Minute, TLSConfig: &tls.Config{RootCAs: otherPool}}
		if implicit {
			k.TLS = TLSImplicit
		}
		_, err := k.Connect(ctx, addr)
		var cerr *CertificateError
		if !errors.As(err, &cerr) || !strings.Contains(err.Error(), "--cafile") || !strings.Contains(err.Error(), "--notls") {
			t.Errorf("implicit %v, wrong CA: %v", implicit, err)
		}
		k.TLSConfig = &tls.Config{RootCAs: pool, ServerName: "mail.example.com"}
		c, err := k.Connect(ctx, addr)
		if err != nil {
			t.Errorf("implicit %v, right CA: %v", implicit, err)
		} else {
			c.Close()
		}
	}
}

// Away from loopback the certificate is verified.
func TestTrustForRemote(t *testing.T) {
	for _, peer := range []net.Addr{
		&net.TCPAddr{IP: net.ParseIP("192.0.2.1"), Port: 143},
		&net.TCPAddr{IP: net.ParseIP("2001:db8::1"), Port: 143},
	} {
		if trustFor(nil, peer).InsecureSkipVerify {
			t.Errorf("%v: not verified", peer)
		}
	}
	for _, peer := range []net.Addr{
		&net.TCPAddr{IP: net.ParseIP("127.0.0.1"), Port: 143},
		&net.TCPAddr{IP: net.ParseIP("127.8.9.10"), Port: 143},
		&net.TCPAddr{IP: net.ParseIP("::1"), Port: 143},
	} {
		if !trustFor(nil, peer).InsecureSkipVerify {
			t.Errorf("%v: verified", peer)
		}
	}
}
