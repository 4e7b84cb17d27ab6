package acl

import (
	"errors"
	"testing"
)

func TestParseString(t *testing.T) {
	tests := []struct{ in, out string }{
		{"alice\tlrswipkxtecdan\t", "alice\tlrswipkxtecdan\t"},
		{"alice\tlrswipkxtecdan\tanyone\tlrs\t", "alice\tlrswipkxtecdan\tanyone\tlrs\t"},
		{"alice\tlrswipkxtecdan", "alice\tlrswipkxtecdan\t"}, // trailing tab optional
		{"bob\tlrswipcda\t", "bob\tlrswipkxtecda\t"},         // 2.x letters
		{"group:staff\tlrs\t-bob\tr\tanonymous\tl\t", "group:staff\tlrs\t-bob\tr\tanonymous\tl\t"},
		{"", ""},
		{"\t", ""},
	}
	for _, tt := range tests {
		a, err := Parse(tt.in)
		if err != nil {
			t.Errorf("Parse(%q): %v", tt.in, err)
			continue
		}
		if got := a.String(); got != tt.out {
			t.Errorf("Parse(%q).String() = %q; want %q", tt.in, got, tt.out)
		}
	}
	for _, bad := range []string{"alice", "alice\tlrs\tbob", "alice\tlrz\t", "\tlrs\t", "-\tlrs\t", "a\tl\ta\tr\t", "a\nb\tl\t", "a\t\t\tl"} {
		if _, err := Parse(bad); !errors.Is(err, ErrInvalidACL) {
			t.Errorf("Parse(%q) = %v; want ErrInvalidACL", bad, err)
		}
	}
}

func TestParseDefaultACL(t *testing.T) {
	a, err := ParseDefaultACL("anyone lrs")
	if err != nil || a.String() != "anyone\tlrs\t" {
		t.Errorf("ParseDefaultACL = %q, %v", a, err)
	}
	a, err = ParseDefaultACL("  anyone\tlrs  group:staff  lrswi ")
	if err != nil || a.String() != "anyone\tlrs\tgroup:staff\tlrswi\t" {
		t.Errorf("ParseDefaultACL = %q, %v", a, err)
	}
	if _, err := ParseDefaultACL("anyone"); err == nil {
		t.Error("odd field count accepted")
	}
}

// docs/CYRUS-BEHAVIOUR.md §3.3: SETACL with +/- prefixes, "" deletes, negative ids.
func TestApply(t *testing.T) {
	base, _ := Parse("alice\tlrswipkxtecdan\tanyone\tlrs\t")
	tests := []struct {
		id, spec string
		dr       byte
		want     string
	}{
		{"bob", "lrs", 'c', "alice\tlrswipkxtecdan\tanyone\tlrs\tbob\tlrs\t"},
		{"anyone", "+w", 'c', "alice\tlrswipkxtecdan\tanyone\tlrsw\t"},
		{"anyone", "-s", 'c', "alice\tlrswipkxtecdan\tanyone\tlr\t"},
		{"anyone", "-lrs", 'c', "alice\tlrswipkxtecdan\t"},
		{"anyone", "", 'c', "alice\tlrswipkxtecdan\t"},
		{"anyone", "l", 'c', "alice\tlrswipkxtecdan\tanyone\tl\t"},
		{"nobody", "", 'c', "alice\tlrswipkxtecdan\tanyone\tlrs\t"},
		{"nobody", "-l", 'c', "alice\tlrswipkxtecdan\tanyone\tlrs\t"},
		{"nobody", "+", 'c', "alice\tlrswipkxtecdan\tanyone\tlrs\t"},
		{"bob", "+lr", 'c', "alice\tlrswipkxtecdan\tanyone\tlrs\tbob\tlr\t"},
		{"-bob", "w", 'c', "alice\tlrswipkxtecdan\tanyone\tlrs\t-bob\tw\t"},
		{"alice", "-c", 'c', "alice\tlrswiptedan\tanyone\tlrs\t"},
		{"alice", "-c", 'd', "alice\tlrswipxtecdan\tanyone\tlrs\t"},
		{"alice", "-d", 'c', "alice\tlrswipkxcan\tanyone\tlrs\t"},
		{"group:staff", "read", 'c', "alice\tlrswipkxtecdan\tanyone\tlrs\tgroup:staff\treda\t"},
	}
	for _, tt := range tests {
		got, err := base.Apply(tt.id, tt.spec, tt.dr)
		if err != nil {
			t.Errorf("Apply(%q, %q): %v", tt.id, tt.spec, err)
			continue
		}
		if got.String() != tt.want {
			t.Errorf("Apply(%q, %q, %c) = %q; want %q", tt.id, tt.spec, tt.dr, got, tt.want)
		}
	}
	if base.String() != "alice\tlrswipkxtecdan\tanyone\tlrs\t" {
		t.Errorf("Apply modified its receiver: %q", base)
	}
	if _, err := base.Apply("bob", "lrz", 'c'); !errors.Is(err, ErrInvalidRights) {
		t.Errorf("Apply bad rights = %v", err)
	}
	if _, err := base.Apply("", "lrs", 'c'); !errors.Is(err, ErrInvalidACL) {
		t.Errorf("Apply empty id = %v", err)
	}
	if got := base.Remove("anyone").String(); got != "alice\tlrswipkxtecdan\t" {
		t.Errorf("Remove = %q", got)
	}
	if r, ok := base.Get("anyone"); !ok || r.String() != "lrs" {
		t.Errorf("Get = %q %v", r, ok)
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"alice\tlrswipkxtecdan\t", "alice\tlrswipkxtecdan\tanyone\tlrs\t", "-bob\tr\tgroup:x\tl",
		"", "a\tb", "a\tl\ta\tr\t", "bob\tlrswipcda\t",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		a, err := Parse(s)
		if err != nil {
			if !errors.Is(err, ErrInvalidACL) {
				t.Fatalf("Parse(%q) error %v does not wrap ErrInvalidACL", s, err)
			}
			return
		}
		out := a.String()
		b, err := Parse(out)
		if err != nil || b.String() != out {
			t.Fatalf("Parse(%q) prints %q which reads back as %q, %v", s, out, b, err)
		}
	})
}
