package tlsconf

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"

	"gocyrus/pkg/config"
)

func writeCert(t *testing.T) (certPath, keyPath string) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "localhost"},
		DNSNames: []string{"localhost"}, NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kder, _ := x509.MarshalECPrivateKey(key)
	dir := t.TempDir()
	certPath, keyPath = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	os.WriteFile(certPath, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644)
	os.WriteFile(keyPath, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kder}), 0o600)
	return certPath, keyPath
}

func TestFromConfigAndHandshake(t *testing.T) {
	cfg := config.New()
	if tc, err := FromConfig(cfg); tc != nil || err != nil {
		t.Fatalf("no certificate: %v %v", tc, err)
	}
	cert, key := writeCert(t)
	cfg.Set("tls_server_cert", cert)
	cfg.Set("tls_server_key", key)
	cfg.Set("tls_versions", "tls1_2 tls1_3")
	tc, err := FromConfig(cfg)
	if err != nil || tc == nil || tc.MinVersion != tls.VersionTLS12 || tc.MaxVersion != tls.VersionTLS13 {
		t.Fatalf("FromConfig = %+v %v", tc, err)
	}
	server, client := net.Pipe()
	defer server.Close()
	go func() {
		c := tls.Client(client, &tls.Config{InsecureSkipVerify: true})
		c.Handshake()
		c.Write([]byte("x"))
	}()
	conn, st, err := Handshake(context.Background(), server, tc)
	if err != nil || !st.HandshakeComplete {
		t.Fatalf("Handshake: %v %+v", err, st)
	}
	b := make([]byte, 1)
	if _, err := conn.Read(b); err != nil || b[0] != 'x' {
		t.Fatalf("read over TLS: %q %v", b, err)
	}
	cfg.Set("tls_server_key", cert) // not a key
	if _, err := FromConfig(cfg); err == nil {
		t.Fatal("a certificate as the key was accepted")
	}
}
