package acl

import "testing"

// FuzzParseDefaultACL: the defaultacl option never panics the parser, and
// an accepted value's ACL survives its text form.
func FuzzParseDefaultACL(f *testing.F) {
	for _, s := range []string{"anyone lrs", "fred lrswipkxtecda anyone 0", "", "anyone", "a b c", "-fred lr", "\x00 l"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		a, err := ParseDefaultACL(s)
		if err != nil {
			return
		}
		b, err := Parse(a.String())
		if err != nil || b.String() != a.String() {
			t.Fatalf("%q -> %q -> %q, %v", s, a.String(), b.String(), err)
		}
	})
}
