package search

import (
	"strings"
	"testing"
)

// TestFieldMatchesAgreesWithForEachField checks the allocation-free field
// walk against the general one it replaces for HEADER keys.
func TestFieldMatchesAgreesWithForEachField(t *testing.T) {
	block := []byte("Subject: Hello\r\n\tworld\r\nX-Bench-Token : tok042\r\n" +
		"Kelvin-\u212a: unicode\r\nbroken line\r\n: empty\r\nX-Enc: =?utf-8?q?caf=C3=A9?=\r\n\r\n")
	reference := func(name string, n needle) bool {
		found := false
		forEachField(block, func(f, v string) bool {
			if strings.EqualFold(f, name) {
				found = n == "" || n.in(decodeWords(v))
			}
			return !found
		})
		return found
	}
	for _, tc := range []struct {
		name, needle string
	}{
		{"subject", "hello world"}, {"SUBJECT", ""}, {"x-bench-token", "tok042"}, {"x-bench-token", "tok043"},
		{"kelvin-k", "unicode"}, {"Kelvin-\u212a", ""}, {"x-enc", "café"}, {"missing", ""}, {"", ""},
		{"subject:", ""}, {"broken line", ""},
	} {
		n := needle(foldString(tc.needle))
		if got, want := fieldMatches(block, tc.name, n), reference(tc.name, n); got != want {
			t.Errorf("fieldMatches(%q, %q) = %v, want %v", tc.name, tc.needle, got, want)
		}
	}
}
