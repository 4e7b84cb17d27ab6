package tlsconf

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"time"

	"gocyrus/pkg/config"
)

// FromConfig builds the server TLS configuration from tls_server_cert,
// tls_server_key, tls_versions and the client CA options. It returns nil,
// nil when no certificate is configured: STARTTLS/STLS are then not offered.
func FromConfig(cfg *config.Config) (*tls.Config, error) {
	certFile, keyFile := cfg.TlsServerCert(), cfg.TlsServerKey()
	if certFile == "" && keyFile == "" {
		return nil, nil
	}
	if keyFile == "" {
		keyFile = certFile // one PEM file holding both, as Cyrus allows
	}
	cert, err := tls.LoadX509KeyPair(certFile, keyFile)
	if err != nil {
		return nil, fmt.Errorf("tls_server_cert/tls_server_key: %w", err)
	}
	tc := &tls.Config{Certificates: []tls.Certificate{cert}}
	tc.MinVersion, tc.MaxVersion = versionRange(cfg.TlsVersions())
	limitSessionLifetime(tc, cfg.TlsSessionTimeout(), time.Now)
	pool, err := clientCAs(cfg.TlsClientCaFile(), cfg.TlsClientCaDir())
	if err != nil {
		return nil, err
	}
	if pool != nil {
		tc.ClientCAs = pool
		switch cfg.TlsClientCerts() {
		case "require":
			tc.ClientAuth = tls.RequireAndVerifyClientCert
		case "optional":
			tc.ClientAuth = tls.VerifyClientCertIfGiven
		}
	}
	return tc, nil
}

// versionRange maps tls_versions ("tls1_2 tls1_3") to Go's bounds.
func versionRange(names []string) (minV, maxV uint16) {
	all := []struct {
		name string
		v    uint16
	}{{"tls1_0", tls.VersionTLS10}, {"tls1_1", tls.VersionTLS11}, {"tls1_2", tls.VersionTLS12}, {"tls1_3", tls.VersionTLS13}}
	for _, e := range all {
		if slices.Contains(names, e.name) {
			if minV == 0 {
				minV = e.v
			}
			maxV = e.v
		}
	}
	return minV, maxV
}

// clientCAs reads the CA certificates client certificates are verified
// against; nil when neither option is set.
func clientCAs(file, dir string) (*x509.CertPool, error) {
	if file == "" && dir == "" {
		return nil, nil
	}
	pool := x509.NewCertPool()
	var files []string
	if file != "" {
		files = append(files, file)
	}
	if dir != "" {
		ents, err := os.ReadDir(dir)
		if err != nil {
			return nil, fmt.Errorf("tls_client_ca_dir: %w", err)
		}
		for _, e := range ents {
			if !e.IsDir() {
				files = append(files, filepath.Join(dir, e.Name()))
			}
		}
	}
	for _, f := range files {
		pem, err := os.ReadFile(f)
		if err != nil {
			return nil, fmt.Errorf("client CA: %w", err)
		}
		pool.AppendCertsFromPEM(pem)
	}
	return pool, nil
}
