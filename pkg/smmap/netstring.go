package smmap

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"strconv"
)

// MaxRequest bounds a request's length: a map name, a space and an
// address of at most 256 bytes (RFC 5321's path limit) fit with room.
const MaxRequest = 1024

// ProtocolError is a request that is not a netstring; Why is the text
// Cyrus puts in "PERM Bad protocol (why)".
type ProtocolError struct{ Why string }

func (e *ProtocolError) Error() string { return "bad protocol: " + e.Why }

// maxLengthDigits is how many digits a length below MaxRequest can have;
// more are refused without reading on.
var maxLengthDigits = len(strconv.Itoa(MaxRequest))

// readNetstring reads one "<len>:<payload>," from r. io.EOF means the
// peer closed cleanly between requests; a *ProtocolError means the
// stream cannot be framed any more; other errors are the connection's.
func readNetstring(r *bufio.Reader) ([]byte, error) {
	n, digits := 0, 0
	for {
		c, err := r.ReadByte()
		if err != nil {
			if digits == 0 && errors.Is(err, io.EOF) {
				return nil, io.EOF
			}
			return nil, truncated(err)
		}
		if c == ':' && digits > 0 {
			break
		}
		if c < '0' || c > '9' {
			return nil, &ProtocolError{Why: "missing length"}
		}
		digits++
		n = n*10 + int(c-'0')
		if digits > maxLengthDigits || n > MaxRequest {
			return nil, &ProtocolError{Why: "request too long"}
		}
	}
	payload := make([]byte, n)
	if _, err := io.ReadFull(r, payload); err != nil {
		return nil, truncated(err)
	}
	c, err := r.ReadByte()
	if err != nil && !errors.Is(err, io.EOF) {
		return nil, truncated(err)
	}
	if err != nil || c != ',' {
		return nil, &ProtocolError{Why: "missing terminator"}
	}
	return payload, nil
}

// truncated maps the end of the stream inside a request to Cyrus's
// answer; other read errors (a timeout, a reset) stay what they are.
func truncated(err error) error {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return &ProtocolError{Why: "request size doesn't match length"}
	}
	return fmt.Errorf("reading a request: %w", err)
}

// appendNetstring appends s as a netstring to b.
func appendNetstring(b []byte, s string) []byte {
	b = strconv.AppendInt(b, int64(len(s)), 10)
	b = append(b, ':')
	b = append(b, s...)
	return append(b, ',')
}
