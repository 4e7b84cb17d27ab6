package duplicate

import (
	"testing"
	"time"
)

// FuzzDecodeValue: a duplicate-delivery record value never panics the
// decoder, and an accepted one encodes back to the same bytes.
func FuzzDecodeValue(f *testing.F) {
	f.Add(encodeValue(time.Unix(1700000000, 0), 42))
	f.Add([]byte{})
	f.Add(make([]byte, 13))
	f.Fuzz(func(t *testing.T, b []byte) {
		at, uid, err := decodeValue(b)
		if err != nil {
			return
		}
		if again := encodeValue(at, uid); string(again) != string(b) {
			t.Fatalf("round trip %x -> %x", b, again)
		}
	})
}
