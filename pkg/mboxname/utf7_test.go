package mboxname

import (
	"errors"
	"testing"
	"unicode/utf8"
)

func TestUTF7(t *testing.T) {
	pairs := []struct{ utf8, utf7 string }{
		{"", ""},
		{"INBOX", "INBOX"},
		{"&", "&-"},
		{"Tom & Jerry", "Tom &- Jerry"},
		{"pää", "p&AOQA5A-"},
		{"~peter/mail/台北/日本語", "~peter/mail/&U,BTFw-/&ZeVnLIqe-"}, // RFC 3501 §5.1.3
		{"😀", "&2D3eAA-"},
		{"€uro", "&IKw-uro"},
	}
	for _, p := range pairs {
		if got := EncodeUTF7(p.utf8); got != p.utf7 {
			t.Errorf("EncodeUTF7(%q) = %q; want %q", p.utf8, got, p.utf7)
		}
		got, err := DecodeUTF7(p.utf7)
		if err != nil || got != p.utf8 {
			t.Errorf("DecodeUTF7(%q) = %q, %v; want %q", p.utf7, got, err, p.utf8)
		}
	}
	bad := []string{
		"&", "a&b", "&AGE-", // unterminated / 'a' encoded
		"&U,BTFw-&ZeVnLIqe-",                                      // adjacent runs
		"&AO-", "&AOQ=-", "&2D0-", "&3gA-", "pä", "a\tb", "&AOR-", // padding, surrogates, raw bytes
	}
	for _, s := range bad {
		if got, err := DecodeUTF7(s); !errors.Is(err, ErrInvalidUTF7) {
			t.Errorf("DecodeUTF7(%q) = %q, %v; want ErrInvalidUTF7", s, got, err)
		}
	}
}

func FuzzUTF7(f *testing.F) {
	for _, s := range []string{"", "&-", "p&AOQA5A-", "&U,BTFw-", "&2D3eAA-", "a&b-", "&AGE-"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		dec, err := DecodeUTF7(s)
		if err == nil {
			if enc := EncodeUTF7(dec); enc != s {
				t.Fatalf("DecodeUTF7(%q) = %q re-encodes as %q", s, dec, enc)
			}
		}
		if utf8.ValidString(s) {
			enc := EncodeUTF7(s)
			back, err := DecodeUTF7(enc)
			if err != nil || back != s {
				t.Fatalf("EncodeUTF7(%q) = %q decodes to %q, %v", s, enc, back, err)
			}
		}
	})
}
