package imapserver

import (
	"strings"
	"testing"
)

// FuzzParseMetaEntry: an accepted METADATA entry name is printable ASCII
// under /private or /shared, with no wildcard and no empty component, and
// its client form names it again.
func FuzzParseMetaEntry(f *testing.F) {
	for _, s := range []string{"/private/comment", "/shared/vendor/cmu/cyrus-imapd/expire", "/private", "/shared/",
		"/private//x", "/private/a*b", "/private/%", "/PRIVATE/Comment", "/private/\x00", "private/comment", ""} {
		f.Add(s, false)
		f.Add(s, true)
	}
	f.Fuzz(func(t *testing.T, s string, allowRoot bool) {
		e, err := parseMetaEntry(s, allowRoot)
		if err != nil {
			return
		}
		if strings.ContainsAny(s, "*%") || strings.Contains(s, "//") {
			t.Fatalf("accepted %q", s)
		}
		for i := 0; i < len(s); i++ {
			if s[i] < 0x20 || s[i] > 0x7e {
				t.Fatalf("accepted %q with byte %#x", s, s[i])
			}
		}
		again, err := parseMetaEntry(e.name(), allowRoot)
		if err != nil || again != e {
			t.Fatalf("%q -> %q -> %+v, %v", s, e.name(), again, err)
		}
	})
}
