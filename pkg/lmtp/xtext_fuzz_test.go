package lmtp

import (
	"strings"
	"testing"
)

// FuzzDecodeXtext: RFC 3461 xtext decoding never panics and never grows
// its input.
func FuzzDecodeXtext(f *testing.F) {
	for _, s := range []string{"", "a+2Bb", "+", "+2", "+zz", "+2B+2B", "\x00+00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if out := decodeXtext(s); len(out) > len(s) {
			t.Fatalf("%q decoded to longer %q", s, out)
		}
	})
}

// FuzzParseFields: splitting a header block never panics, and every field
// name is an RFC 5322 one (printable ASCII but ':'; a bare CR made one).
func FuzzParseFields(f *testing.F) {
	for _, s := range []string{"Subject: a\r\n b\r\nFrom: x\r\n", ": empty\r\n", " continuation first\r\n", "NoColon\r\n", "A:\n\tb\n", "\x00: \x00\r\n"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		for _, h := range parseFields(b) {
			if h.name == "" || strings.IndexFunc(h.name, func(r rune) bool { return r < 33 || r > 126 || r == ':' }) >= 0 {
				t.Fatalf("field name %q from %q", h.name, b)
			}
		}
	})
}
