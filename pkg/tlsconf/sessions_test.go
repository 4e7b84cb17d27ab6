package tlsconf

import (
	"crypto/tls"
	"net"
	"testing"
	"time"
)

// resumes makes one TLS connection to a server using tc and reports
// whether the client resumed a session from cache.
func resumes(t *testing.T, tc *tls.Config, cache tls.ClientSessionCache) bool {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		s := tls.Server(c, tc)
		if s.Handshake() == nil {
			s.Write([]byte("x"))
		}
	}()
	c, err := tls.Dial("tcp", ln.Addr().String(), &tls.Config{InsecureSkipVerify: true, ClientSessionCache: cache})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	b := make([]byte, 1) // reading takes in the ticket sent after the handshake
	if _, err := c.Read(b); err != nil {
		t.Fatal(err)
	}
	return c.ConnectionState().DidResume
}

func serverConfig(t *testing.T) *tls.Config {
	certPath, keyPath := writeCert(t)
	cert, err := tls.LoadX509KeyPair(certPath, keyPath)
	if err != nil {
		t.Fatal(err)
	}
	return &tls.Config{Certificates: []tls.Certificate{cert}}
}

func TestSessionLifetime(t *testing.T) {
	for _, version := range []uint16{tls.VersionTLS13, tls.VersionTLS12} {
		clock := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
		tc := serverConfig(t)
		tc.MaxVersion = version
		limitSessionLifetime(tc, time.Hour, func() time.Time { return clock })
		cache := tls.NewLRUClientSessionCache(4)
		if resumes(t, tc, cache) {
			t.Fatal("first connection resumed")
		}
		clock = clock.Add(50 * time.Minute)
		if !resumes(t, tc, cache) {
			t.Fatalf("TLS %x: not resumed within tls_session_timeout", version)
		}
		clock = clock.Add(61 * time.Minute)
		if resumes(t, tc, cache) {
			t.Fatalf("TLS %x: resumed with a ticket older than tls_session_timeout", version)
		}
		if !resumes(t, tc, cache) {
			t.Fatalf("TLS %x: the fresh session was not resumable", version)
		}
	}
}

func TestSessionTimeoutZeroDisablesResumption(t *testing.T) {
	tc := serverConfig(t)
	limitSessionLifetime(tc, 0, time.Now)
	cache := tls.NewLRUClientSessionCache(4)
	resumes(t, tc, cache)
	if resumes(t, tc, cache) {
		t.Fatal("resumed with tls_session_timeout: 0")
	}
}
