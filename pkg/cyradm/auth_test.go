package cyradm

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestAuthenticateOptions: every authenticate option either acts or is
// refused with a reason; none is accepted and ignored.
func TestAuthenticateOptions(t *testing.T) {
	keyFile := filepath.Join(t.TempDir(), "key.pem")
	writeCertAndKey(t, keyFile)
	tests := []struct {
		line    string
		wantErr string // "" means success
		sent    string // the AUTHENTICATE line expected, "" for none
	}{
		{"authenticate -service smtp cyrus", "authenticate: -service smtp is not supported", ""},
		{"authenticate -minssf 1 cyrus", "security strength factor is 0, below -minssf 1", ""},
		{"authenticate -minssf many", `-minssf "many" is not a non-negative number`, ""},
		{"authenticate -minssf 5 -maxssf 2", "-maxssf 2 is below -minssf 5", ""},
		{"authenticate -notls -tlskey " + keyFile, "need TLS, which -notls/--notls turned off", ""},
		{"authenticate -cafile " + keyFile, "the server does not offer STARTTLS", ""},
		{"authenticate -mech external", "EXTERNAL needs TLS with a client certificate", ""},
		{"authenticate -service imap -minssf 0 -maxssf 0 -mech plain bob", "", "AUTHENTICATE PLAIN " + "AGJvYgBwdw=="},
	}
	for _, tc := range tests {
		f := &fakeServer{}
		f.caps = "IMAP4rev1 AUTH=PLAIN AUTH=EXTERNAL SASL-IR"
		sh, _, errb := newFakeShell(t, f)
		rc := sh.Exec(tc.line)
		f.mu.Lock()
		sent := strings.Join(f.received, "\n")
		f.mu.Unlock()
		switch {
		case tc.wantErr == "" && (rc != 0 || errb.String() != ""):
			t.Errorf("%s: rc %d, stderr %q", tc.line, rc, errb.String())
		case tc.wantErr != "" && (rc != 1 || !strings.Contains(errb.String(), tc.wantErr)):
			t.Errorf("%s: rc %d, stderr %q, want %q", tc.line, rc, errb.String(), tc.wantErr)
		}
		if got := strings.Contains(sent, "AUTHENTICATE"); got != (tc.sent != "") || !strings.Contains(sent, tc.sent) {
			t.Errorf("%s: sent %q, want %q", tc.line, sent, tc.sent)
		}
	}
}

func TestTLSFiles(t *testing.T) {
	dir := t.TempDir()
	keyFile := filepath.Join(dir, "key.pem")
	writeCertAndKey(t, keyFile)
	caDir := filepath.Join(dir, "cas")
	os.Mkdir(caDir, 0o755)
	certOnly, _ := os.ReadFile(keyFile)
	block, _ := pem.Decode(certOnly)
	os.WriteFile(filepath.Join(caDir, "abcd1234.0"), pem.EncodeToMemory(block), 0o644)
	os.WriteFile(filepath.Join(caDir, "README"), []byte("not a certificate"), 0o644)

	cfg, err := TLSFiles{CADir: caDir, KeyFile: keyFile}.Apply(nil)
	if err != nil || cfg.RootCAs == nil || len(cfg.Certificates) != 1 {
		t.Fatalf("Apply: %v %+v", err, cfg)
	}
	for _, bad := range []TLSFiles{
		{CADir: t.TempDir()},
		{CAFile: filepath.Join(caDir, "README")},
		{KeyFile: filepath.Join(caDir, "abcd1234.0")}, // certificate without key
		{CAFile: filepath.Join(dir, "missing")},
	} {
		if _, err := bad.Apply(nil); err == nil {
			t.Errorf("%+v: no error", bad)
		}
	}
}

// writeCertAndKey writes a self-signed certificate and its key to one PEM
// file, the form -tlskey takes.
func writeCertAndKey(t *testing.T, path string) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "cyrus"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), IsCA: true, BasicConstraintsValid: true}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kder, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	out := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	out = append(out, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kder})...)
	if err := os.WriteFile(path, out, 0o600); err != nil {
		t.Fatal(err)
	}
}
