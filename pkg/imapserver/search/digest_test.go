package search

import (
	"os"
	"strings"
	"testing"
)

// TestBodyDigestParts: SEARCH BODY reads an untyped part of a
// multipart/digest as the message it is (RFC 2046 §5.1.5): the inner
// body's transfer encoding is undone, as for an explicit message/rfc822,
// and the fixture's digest messages, nested ones included, are found.
func TestBodyDigestParts(t *testing.T) {
	encoded := "Content-Type: multipart/digest; boundary=b\r\n\r\n" +
		"--b\r\n\r\nSubject: inner\r\nContent-Transfer-Encoding: base64\r\n\r\naGlkZGVuIHRyZWFzdXJl\r\n--b--\r\n"
	fixture, err := os.ReadFile("../../mailbox/testdata/digest.eml")
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		raw, needle string
		want        bool
	}{
		{encoded, "hidden treasure", true},
		{encoded, "inner", true},
		{string(fixture), "First message body", true},
		{string(fixture), "Nested digest message", true},
		{string(fixture), "Mixed part without a type", true},
		{string(fixture), "not in the digest", false},
	} {
		hs := int64(strings.Index(tt.raw, "\r\n\r\n") + 4)
		if got := bodyContains(strings.NewReader(tt.raw), int64(len(tt.raw)), hs, foldString(tt.needle)); got != tt.want {
			t.Errorf("%q in %.40q: %v, want %v", tt.needle, tt.raw, got, tt.want)
		}
	}
}
