package sievescripts

import (
	"errors"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestValidateName(t *testing.T) {
	tests := []struct {
		name string
		ok   bool
	}{
		{"vacation", true},
		{"my script", true},
		{"Ünïcødé", true},
		{".hidden", true},
		{"..", true}, // "...script" is a plain file name
		{strings.Repeat("a", MaxNameLen), true},
		{"", false},
		{"a/b", false},
		{"/", false},
		{"a\x00b", false},
		{"tab\there", false},
		{"new\nline", false},
		{"del\x7f", false},
		{"c1\u0085", false},
		{"ls\u2028", false},
		{"ps\u2029", false},
		{"bad\xffutf8", false},
		{strings.Repeat("a", MaxNameLen+1), false},
		{strings.Repeat("x", 1024), false},
	}
	for _, tt := range tests {
		err := ValidateName(tt.name)
		if (err == nil) != tt.ok {
			t.Errorf("ValidateName(%q) = %v, want ok=%v", tt.name, err, tt.ok)
		}
		if err != nil && !errors.Is(err, ErrInvalidName) {
			t.Errorf("ValidateName(%q) error %v does not wrap ErrInvalidName", tt.name, err)
		}
	}
}

func FuzzValidateName(f *testing.F) {
	for _, s := range []string{"", "a", "a/b", "\x00", "\u2028", strings.Repeat("z", 300), "ok name"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		if ValidateName(name) != nil {
			return
		}
		if name == "" || len(name) > MaxNameLen || strings.ContainsAny(name, "/\x00") || !utf8.ValidString(name) {
			t.Fatalf("accepted %q", name)
		}
	})
}
