package mailbox

import (
	"slices"
	"testing"
)

// FuzzDecodeHeader: cyrus.header decoding never panics, and what it
// accepts encodes back to a header that decodes to the same value.
func FuzzDecodeHeader(f *testing.F) {
	for _, h := range []Header{
		{Name: "user.fred", UniqueID: "abc123", UIDValidity: 7},
		{Name: "user.fred.Sent", UniqueID: "x", UIDValidity: 4294967295, Keywords: []string{"$Junk", "work"}},
	} {
		b, err := encodeHeader(h)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(headerMagic + "\nname \x00\ncrc 00000000\n"))
	f.Add([]byte("gocyrus mailbox header 1\nkeywords " + string(make([]byte, 300)) + "\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		h, err := decodeHeader(b)
		if err != nil {
			return
		}
		again, err := encodeHeader(h)
		if err != nil {
			return // decodable but not writable (e.g. a name encodeHeader refuses)
		}
		h2, err := decodeHeader(again)
		if err != nil {
			t.Fatalf("re-encoded header does not decode: %v\n%q", err, again)
		}
		if h2.Name != h.Name || h2.UniqueID != h.UniqueID || h2.UIDValidity != h.UIDValidity || !slices.Equal(h2.Keywords, h.Keywords) {
			t.Fatalf("round trip: %+v -> %+v", h, h2)
		}
	})
}
