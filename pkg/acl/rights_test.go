package acl

import (
	"errors"
	"testing"
)

func mustRights(t testing.TB, s string) Rights {
	t.Helper()
	r, err := ParseRights(s, 'c')
	if err != nil {
		t.Fatalf("ParseRights(%q): %v", s, err)
	}
	return r
}

func TestRightsBits(t *testing.T) {
	for ch, want := range map[string]Rights{
		"l": Lookup, "r": Read, "s": Seen, "w": Write, "i": Insert, "p": Post, "k": Create,
		"x": DeleteMailbox, "t": DeleteMessages, "e": Expunge, "a": Administer, "n": Annotate, "0": User0,
	} {
		if got := mustRights(t, ch); got != want {
			t.Errorf("%s = %#x; want %#x", ch, got, want)
		}
	}
	if All.String() != "lrswipkxtecdan" {
		t.Errorf("All = %q", All)
	}
	if UserDefined.String() != "0123456789" {
		t.Errorf("UserDefined = %q", UserDefined)
	}
	if ReadWrite.String() != "switedn" {
		t.Errorf("ReadWrite = %q", ReadWrite)
	}
}

// docs/CYRUS-BEHAVIOUR.md §3.1: the legacy c and d macros, output order and errors.
func TestParseAndFormatRights(t *testing.T) {
	tests := []struct {
		in          string
		deleteRight byte
		want        string // Format with the same deleteright
		bits        string // the plain letters held (no c/d)
	}{
		{"lrswipkxtecdan", 'c', "lrswipkxtecdan", "lrswipkxtean"},
		{"lrswipcda", 'c', "lrswipkxtecda", "lrswipkxtea"}, // 2.1 "all": c = kx, d = te
		{"c", 'c', "kxc", "kx"},
		{"c", 'd', "kc", "k"},
		{"d", 'c', "ted", "te"},
		{"d", 'd', "xted", "xte"}, // with deleteright d, x prints d too
		{"ck", 'c', "kc", "k"},    // k present: c does not expand
		{"cx", 'c', "xc", "x"},    // x is a member of c when deleteright is c
		{"cx", 'd', "kxcd", "kx"}, // ...but not when it is d
		{"dt", 'c', "td", "t"},    // t present: d does not expand
		{"de", 'c', "ed", "e"},
		{"dx", 'd', "xd", "x"}, // x is a member of d when deleteright is d
		{"cd", 'c', "kxtecd", "kxte"},
		{"cd", 'd', "kxtecd", "kxte"},
		{"", 'c', "", ""},
		{"0123456789", 'c', "0123456789", "0123456789"},
		{"nalr9", 'c', "lran9", "lran9"},
		{"lrs", 0, "lrs", "lrs"},
		{"llll", 'c', "l", "l"},
		{"lrswipkxte", 'c', "lrswipkxtecd", "lrswipkxte"}, // cyradm "write"
		{"lrxte", 'c', "lrxtecd", "lrxte"},                // cyradm "delete"
	}
	for _, tt := range tests {
		r, err := ParseRights(tt.in, tt.deleteRight)
		if err != nil {
			t.Errorf("ParseRights(%q, %c): %v", tt.in, tt.deleteRight, err)
			continue
		}
		dr := tt.deleteRight
		if dr == 0 {
			dr = 'c'
		}
		if got := r.Format(dr); got != tt.want {
			t.Errorf("ParseRights(%q, %c).Format = %q; want %q", tt.in, tt.deleteRight, got, tt.want)
		}
		var plain Rights
		for _, ch := range tt.bits {
			plain |= letterRights[ch]
		}
		if r != plain {
			t.Errorf("ParseRights(%q, %c) = %q; want bits %q", tt.in, tt.deleteRight, r, tt.bits)
		}
	}
}

func TestParseRightsErrors(t *testing.T) {
	for in, letter := range map[string]string{"lrz": "z", "L": "L", "lr s": " ", "ü": "ü", "+l": "+", "\x00": "\x00"} {
		_, err := ParseRights(in, 'c')
		if !errors.Is(err, ErrInvalidRights) {
			t.Errorf("ParseRights(%q) = %v; want ErrInvalidRights", in, err)
			continue
		}
		if want := "The " + letter + " right is not supported"; err.Error() != want {
			t.Errorf("ParseRights(%q) error %q; want %q", in, err, want)
		}
	}
}

// docs/CYRUS-BEHAVIOUR.md §3.2: the server parses the shortcut words letter by letter.
func TestServerDoesNotKnowShortcuts(t *testing.T) {
	r, err := ParseRights("read", 'c')
	if err != nil || r != mustRights(t, "rea") {
		t.Errorf(`ParseRights("read") = %q, %v; want r e a d`, r, err)
	}
}

func TestShortcuts(t *testing.T) {
	for name, want := range map[string]string{
		"none": "", "read": "lrs", "post": "lrsp", "append": "lrsip",
		"write": "lrswipkxte", "delete": "lrxte", "all": "lrswipkxtea", "ALL": "lrswipkxtea",
	} {
		got, ok := Shortcut(name)
		if !ok || got != want {
			t.Errorf("Shortcut(%q) = %q, %v; want %q", name, got, ok, want)
		}
		if _, err := ParseRights(got, 'c'); err != nil {
			t.Errorf("Shortcut(%q) does not parse: %v", name, err)
		}
	}
	if _, ok := Shortcut("lrs"); ok {
		t.Error("Shortcut(lrs) should not be a name")
	}
	if all, _ := Shortcut("all"); mustRights(t, all).Has(Annotate) {
		t.Error(`"all" must not include n`)
	}
}

func TestHasAny(t *testing.T) {
	r := mustRights(t, "lrs")
	if !r.Has(Lookup|Read) || r.Has(Lookup|Write) || !r.Any(Write|Seen) || r.Any(Write|Insert) {
		t.Error("Has/Any")
	}
}

func FuzzParseRights(f *testing.F) {
	for _, s := range []string{"lrswipkxtecdan", "lrswipcda", "c", "d", "ck", "xyz", "0123456789", ""} {
		f.Add(s, byte('c'))
		f.Add(s, byte('d'))
	}
	f.Fuzz(func(t *testing.T, s string, dr byte) {
		if dr != 'd' {
			dr = 'c'
		}
		r, err := ParseRights(s, dr)
		if err != nil {
			if !errors.Is(err, ErrInvalidRights) {
				t.Fatalf("ParseRights(%q) error %v does not wrap ErrInvalidRights", s, err)
			}
			return
		}
		// The printed form must read back as the same set.
		out := r.Format(dr)
		back, err := ParseRights(out, dr)
		if err != nil || back != r {
			t.Fatalf("ParseRights(%q) = %q prints %q which reads %q, %v", s, r, out, back, err)
		}
	})
}

func TestExpandShortcut(t *testing.T) {
	for in, want := range map[string]string{
		"read": "lrs", "ALL": "lrswipkxtea", "Read": "lrs", "none": "",
		"lrs": "lrs", "+w": "+w", "-a": "-a", "": "", "reader": "reader",
	} {
		if got := ExpandShortcut(in); got != want {
			t.Errorf("ExpandShortcut(%q) = %q, want %q", in, got, want)
		}
	}
}
