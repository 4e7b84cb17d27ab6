package mboxlist

import "testing"

// FuzzDecodeEntry: a mailboxes.db record never panics the decoder, and an
// accepted one encodes and decodes again.
func FuzzDecodeEntry(f *testing.F) {
	if b, err := encodeEntry(&Entry{Name: "user.fred", UniqueID: "abc"}); err == nil {
		f.Add(b)
	}
	f.Add([]byte(`{"acl":"fred\tlrswipkxtecda\t"}`))
	f.Add([]byte(`{"acl":"\t\t\t"}`))
	f.Add([]byte(`{"Name":1}`))
	f.Add([]byte(`null`))
	f.Fuzz(func(t *testing.T, b []byte) {
		e, err := decodeEntry(b)
		if err != nil {
			return
		}
		again, err := encodeEntry(e)
		if err != nil {
			t.Fatalf("decoded entry does not encode: %v", err)
		}
		if _, err := decodeEntry(again); err != nil {
			t.Fatalf("re-encoded entry does not decode: %v\n%s", err, again)
		}
	})
}
