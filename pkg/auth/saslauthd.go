package auth

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"time"
)

// defaultSaslauthdTimeout bounds an exchange when client_timeout is 0.
const defaultSaslauthdTimeout = 10 * time.Second

// saslauthd checks passwords with the saslauthd daemon.
type saslauthd struct {
	path    string        // the daemon's socket, sasl_saslauthd_path
	timeout time.Duration // the whole exchange, client_timeout
	service string        // e.g. "imap": PAM's service name
}

func (s *saslauthd) checkPassword(ctx context.Context, userid, password string) (bool, error) {
	timeout := s.timeout
	if timeout <= 0 {
		timeout = defaultSaslauthdTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	req, err := appendSaslauthdRequest(make([]byte, 0, 64), userid, password, s.service, "")
	if err != nil {
		return false, nil // saslauthd would refuse it too; not a backend failure
	}
	defer clear(req)

	var d net.Dialer
	conn, err := d.DialContext(ctx, "unix", s.path)
	if err != nil {
		return false, fmt.Errorf("saslauthd: %w", err)
	}
	defer conn.Close()
	deadline, _ := ctx.Deadline()
	if err := conn.SetDeadline(deadline); err != nil {
		return false, fmt.Errorf("saslauthd: %w", err)
	}
	// Closing the connection unblocks I/O when ctx is cancelled early.
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	defer stop()

	if _, err := conn.Write(req); err != nil {
		return false, fmt.Errorf("saslauthd %s: sending request: %w", s.path, err)
	}
	ok, _, err := readSaslauthdReply(bufio.NewReader(conn))
	if err != nil {
		return false, fmt.Errorf("saslauthd %s: %w", s.path, err)
	}
	return ok, nil
}
