package cyradm

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// TLSFiles names the files cyradm's TLS options point at (--cafile,
// --cadir, --tlskey on the command line; -cafile, -capath, -tlskey of
// authenticate).
type TLSFiles struct {
	CAFile string // PEM certificates trusted to sign the server's certificate
	CADir  string // a directory of such PEM files (OpenSSL's CApath)
	// KeyFile holds the client certificate and its private key in one PEM
	// file, as Cyrus's cyradm passes the same file for both; it is
	// presented to the server (for SASL EXTERNAL).
	KeyFile string
}

// Empty reports whether no file is named.
func (f TLSFiles) Empty() bool { return f == TLSFiles{} }

// Apply returns a copy of base (nil: defaults) with the named files
// loaded: CAFile and CADir replace the system roots, KeyFile adds a client
// certificate.
func (f TLSFiles) Apply(base *tls.Config) (*tls.Config, error) {
	cfg := &tls.Config{MinVersion: tls.VersionTLS12}
	if base != nil {
		cfg = base.Clone()
	}
	if f.CAFile != "" || f.CADir != "" {
		pool := x509.NewCertPool()
		if f.CAFile != "" {
			if err := addPEMFile(pool, f.CAFile); err != nil {
				return nil, err
			}
		}
		if f.CADir != "" {
			if err := addPEMDir(pool, f.CADir); err != nil {
				return nil, err
			}
		}
		cfg.RootCAs = pool
	}
	if f.KeyFile != "" {
		pem, err := os.ReadFile(f.KeyFile)
		if err != nil {
			return nil, err
		}
		cert, err := tls.X509KeyPair(pem, pem)
		if err != nil {
			return nil, fmt.Errorf("%s: a PEM file with a certificate and its private key is needed: %w", f.KeyFile, err)
		}
		cfg.Certificates = []tls.Certificate{cert}
	}
	return cfg, nil
}

func addPEMFile(pool *x509.CertPool, path string) error {
	pem, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	if !pool.AppendCertsFromPEM(pem) {
		return fmt.Errorf("%s: no PEM certificates found", path)
	}
	return nil
}

// addPEMDir loads every regular file of dir holding PEM certificates
// (OpenSSL's hashed links and plain *.pem files alike); other files are
// skipped, but a directory without any certificate is an error.
func addPEMDir(pool *x509.CertPool, dir string) error {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	found := false
	for _, e := range entries {
		if e.IsDir() {
			continue
		}
		pem, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			continue
		}
		if pool.AppendCertsFromPEM(pem) {
			found = true
		}
	}
	if !found {
		return fmt.Errorf("%s: no PEM certificates found in the directory", dir)
	}
	return nil
}

// errTLSActive: TLS options given to authenticate when TLS already runs.
var errTLSActive = errors.New("TLS is already active on this connection; -tlskey, -cafile and -capath only apply when authenticate starts TLS (connect with server -noauthenticate first)")
