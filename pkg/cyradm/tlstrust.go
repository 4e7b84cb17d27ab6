package cyradm

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
)

// CertificateError is a TLS handshake that failed because the server's
// certificate could not be verified; its text says how to proceed.
type CertificateError struct{ Err error }

func (e *CertificateError) Error() string {
	return fmt.Sprintf("the server's certificate is not trusted (%v): name the CA that signed it with --cafile FILE or --cadir DIR (-cafile/-capath to authenticate), or connect without TLS with --notls", e.Err)
}

func (e *CertificateError) Unwrap() error { return e.Err }

// trustFor is the one rule for checking a server's certificate. To a
// loopback peer (cyradm localhost, 127.0.0.1, ::1) it is accepted
// unverified, as Cyrus's cyradm accepts any: the connection never leaves
// the machine, and the certificate is usually issued for the public host
// name. Elsewhere, or when CAs were named (--cafile, --cadir), it is
// verified.
func trustFor(cfg *tls.Config, peer net.Addr) *tls.Config {
	if cfg == nil {
		cfg = &tls.Config{MinVersion: tls.VersionTLS12}
	}
	if cfg.RootCAs != nil || !isLoopback(peer) {
		return cfg
	}
	c := cfg.Clone()
	c.InsecureSkipVerify = true
	return c
}

func isLoopback(a net.Addr) bool {
	switch a := a.(type) {
	case *net.TCPAddr:
		return a.IP.IsLoopback()
	case *net.UnixAddr:
		return true
	}
	return false
}

// tlsHandshake starts TLS as a client on conn, trusting as trustFor says.
func tlsHandshake(ctx context.Context, conn net.Conn, cfg *tls.Config) (*tls.Conn, error) {
	tc := tls.Client(conn, trustFor(cfg, conn.RemoteAddr()))
	if err := tc.HandshakeContext(ctx); err != nil {
		var verr *tls.CertificateVerificationError
		if errors.As(err, &verr) {
			return nil, &CertificateError{Err: verr.Err}
		}
		return nil, err
	}
	return tc, nil
}
