package lmtp

import "testing"

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
