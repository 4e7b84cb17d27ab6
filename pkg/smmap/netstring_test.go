package smmap

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"testing"
)

// FuzzReadNetstring: any input ends in a payload no longer than
// MaxRequest, io.EOF, or a ProtocolError, never a panic, and a payload
// read is exactly what the length announced.
func FuzzReadNetstring(f *testing.F) {
	for _, s := range []string{"12:smmapd alice,", "0:,", "5:alice", "abc", ":,", "1025:x", "99999999999999999999:", "3:a\x00b,4:abcd,", ""} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		r := bufio.NewReader(bytes.NewReader(in))
		for range 100 {
			p, err := readNetstring(r)
			var pe *ProtocolError
			switch {
			case err == nil:
				if len(p) > MaxRequest {
					t.Fatalf("payload of %d bytes", len(p))
				}
				if !bytes.Contains(in, appendNetstring(nil, string(p))) {
					t.Fatalf("payload %q not framed in %q", p, in)
				}
				continue
			case errors.Is(err, io.EOF), errors.As(err, &pe):
				return
			default:
				t.Fatalf("unexpected error %v", err)
			}
		}
	})
}
