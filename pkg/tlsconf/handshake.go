package tlsconf

import (
	"context"
	"crypto/tls"
	"net"
	"time"
)

// HandshakeTimeout bounds a server-side TLS handshake.
const HandshakeTimeout = time.Minute

// Handshake runs the server side of TLS on conn (implicit TLS, or after
// STARTTLS/STLS), bounded by HandshakeTimeout and ctx, and returns the TLS
// connection with its state. Every daemon uses it, so the bound is one.
func Handshake(ctx context.Context, conn net.Conn, cfg *tls.Config) (*tls.Conn, *tls.ConnectionState, error) {
	ctx, cancel := context.WithTimeout(ctx, HandshakeTimeout)
	defer cancel()
	tc := tls.Server(conn, cfg)
	if err := tc.HandshakeContext(ctx); err != nil {
		return nil, nil, err
	}
	st := tc.ConnectionState()
	return tc, &st, nil
}
