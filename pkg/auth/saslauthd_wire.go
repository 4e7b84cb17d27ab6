package auth

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"strings"
)

// Limits of the saslauthd protocol: saslauthd refuses request fields over
// 1024 bytes and never sends a reply over 1024.
const (
	saslauthdMaxField = 1024
	saslauthdMaxReply = 1024
)

// errSaslauthdProtocol: the daemon's reply is not "OK..." or "NO...".
var errSaslauthdProtocol = errors.New("saslauthd: malformed reply")

// appendSaslauthdRequest appends the request for (login, password, service,
// realm): each field a 2-byte big-endian length and its bytes. The error
// names the field, never its content.
func appendSaslauthdRequest(b []byte, login, password, service, realm string) ([]byte, error) {
	fields := [...]struct{ name, val string }{
		{"login", login}, {"password", password}, {"service", service}, {"realm", realm},
	}
	for _, f := range fields {
		if len(f.val) > saslauthdMaxField {
			return b, fmt.Errorf("saslauthd: %s longer than %d bytes", f.name, saslauthdMaxField)
		}
		b = binary.BigEndian.AppendUint16(b, uint16(len(f.val)))
		b = append(b, f.val...)
	}
	return b, nil
}

// readSaslauthdReply reads one reply. ok is true for "OK"; reason is the
// text after "OK"/"NO" (saslauthd quotes it), for logs.
func readSaslauthdReply(r io.Reader) (ok bool, reason string, err error) {
	var hdr [2]byte
	if _, err := io.ReadFull(r, hdr[:]); err != nil {
		return false, "", fmt.Errorf("saslauthd: reading reply length: %w", err)
	}
	n := int(binary.BigEndian.Uint16(hdr[:]))
	if n > saslauthdMaxReply {
		return false, "", fmt.Errorf("%w: length %d", errSaslauthdProtocol, n)
	}
	body := make([]byte, n)
	if _, err := io.ReadFull(r, body); err != nil {
		return false, "", fmt.Errorf("saslauthd: reading reply: %w", err)
	}
	return parseSaslauthdReply(string(body))
}

// parseSaslauthdReply interprets a reply body.
func parseSaslauthdReply(s string) (ok bool, reason string, err error) {
	verdict, rest, _ := strings.Cut(s, " ")
	switch verdict {
	case "OK":
		ok = true
	case "NO":
	default:
		return false, "", fmt.Errorf("%w: %q", errSaslauthdProtocol, truncate(s, 40))
	}
	return ok, strings.Trim(strings.TrimSpace(rest), `"`), nil
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}
