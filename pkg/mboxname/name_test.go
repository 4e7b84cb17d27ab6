package mboxname

import (
	"errors"
	"strings"
	"testing"
)

func TestValidate(t *testing.T) {
	good := []string{
		"user.alice", "user.alice.Work", "board", "shared.blah", "example.org!user.alice",
		"user.john^doe", "user.adam.p&AOQA5A-", "DELETED.user.bench.dtest.6B0D16FA",
		"user.x.#sieve", "a b.c-d", strings.Repeat("a", MaxNameLen),
	}
	for _, n := range good {
		if err := Validate(n); err != nil {
			t.Errorf("Validate(%q) = %v", n, err)
		}
	}
	bad := []string{
		"", ".a", "a.", "a..b", "a/b", "a\x00b", "a\nb", "a\x7fb", "päd", "a&b", "a&AGE-",
		"a.^", "a.^^.b", "user.^x", "!user.a", "ex..org!a", "ex/org!a", "d!", "a!b!c",
		"../x", "user.alice/../../etc", strings.Repeat("a", MaxNameLen+1), "a.&AAk-",
	}
	for _, n := range bad {
		if err := Validate(n); !errors.Is(err, ErrInvalidName) {
			t.Errorf("Validate(%q) = %v; want ErrInvalidName", n, err)
		}
	}
}

func TestValidateUserID(t *testing.T) {
	for _, u := range []string{"alice", "john.doe", "alice@example.org", "a-b_c", "bob+x"} {
		if err := ValidateUserID(u); err != nil {
			t.Errorf("ValidateUserID(%q) = %v", u, err)
		}
	}
	for _, u := range []string{"", ".alice", "..", "a/b", "a!b", "a^b", "a\x00", "a\tb", "@x", "a@", "a@ex..org",
		strings.Repeat("a", MaxUserIDLen+1)} {
		if err := ValidateUserID(u); !errors.Is(err, ErrInvalidUserID) {
			t.Errorf("ValidateUserID(%q) = %v; want ErrInvalidUserID", u, err)
		}
	}
}

func TestHelpers(t *testing.T) {
	parents := []struct {
		in, want string
		ok       bool
	}{
		{"user.alice.Work.x", "user.alice.Work", true},
		{"user.alice", "user", true},
		{"board", "", false},
		{"example.org!user.alice.x", "example.org!user.alice", true},
		{"example.org!board", "", false},
	}
	for _, tt := range parents {
		got, ok := Parent(tt.in)
		if got != tt.want || ok != tt.ok {
			t.Errorf("Parent(%q) = %q, %v", tt.in, got, ok)
		}
	}
	owners := []struct {
		in, want string
		ok       bool
	}{
		{"user.alice", "alice", true},
		{"user.alice.Work", "alice", true},
		{"user.john^doe.x", "john.doe", true},
		{"example.org!user.alice.x", "alice@example.org", true},
		{"board", "", false},
		{"user", "", false},
		{"users.alice", "", false},
		{"DELETED.user.alice.AB", "", false},
	}
	for _, tt := range owners {
		got, ok := UserOf(tt.in)
		if got != tt.want || ok != tt.ok {
			t.Errorf("UserOf(%q) = %q, %v", tt.in, got, ok)
		}
	}
	inboxes := map[string]bool{"user.alice": true, "d.org!user.alice": true, "user.alice.x": false, "user": false, "board": false}
	for n, want := range inboxes {
		if IsUserInbox(n) != want {
			t.Errorf("IsUserInbox(%q) != %v", n, want)
		}
	}
	for user, want := range map[string]string{"alice": "user.alice", "john.doe": "user.john^doe", "alice@example.org": "example.org!user.alice"} {
		if got := UserInbox(user); got != want {
			t.Errorf("UserInbox(%q) = %q", user, got)
		}
		if back, _ := UserOf(want); back != user {
			t.Errorf("UserOf(UserInbox(%q)) = %q", user, back)
		}
	}
	if d, l := SplitDomain("example.org!user.a"); d != "example.org" || l != "user.a" {
		t.Errorf("SplitDomain = %q %q", d, l)
	}
	if d, l := SplitDomain("user.a"); d != "" || l != "user.a" {
		t.Errorf("SplitDomain = %q %q", d, l)
	}
	if !IsDescendant("user.a.b", "user.a") || IsDescendant("user.ab", "user.a") || IsDescendant("user.a", "user.a") {
		t.Error("IsDescendant")
	}
}

func TestCompare(t *testing.T) {
	ordered := []string{"user", "user.a", "user.a.x", "user.a.y.z", "user.a-b", "user.a0", "user.aa", "user.b", "user^"}
	for i := range ordered {
		for j := range ordered {
			want := 0
			if i < j {
				want = -1
			} else if i > j {
				want = 1
			}
			if got := Compare(ordered[i], ordered[j]); got != want {
				t.Errorf("Compare(%q, %q) = %d; want %d", ordered[i], ordered[j], got, want)
			}
		}
	}
}

func TestMatch(t *testing.T) {
	tests := []struct {
		pattern, name string
		sep           byte
		want          bool
	}{
		{"*", "a/b/c", '/', true},
		{"%", "a/b", '/', false},
		{"%", "a", '/', true},
		{"a/%", "a/b", '/', true},
		{"a/%", "a/b/c", '/', false},
		{"a/*", "a/b/c", '/', true},
		{"a*c", "abbbc", '/', true},
		{"a%c", "ab/c", '/', false},
		{"a%c", "ab/c", '.', true},
		{"%/%", "Other Users/bob", '/', true},
		{"", "", '/', true},
		{"", "a", '/', false},
		{"inbox", "INBOX", '/', true},
		{"inbox/%", "INBOX/Sent", '/', true},
		{"Inbox*", "INBOX", '.', true},
		{"inbox", "inbox2", '/', false},
		{"work", "Work", '/', false},
		{"*%*%*%*%*%*%*%*%*%*%b", strings.Repeat("a", 200), '/', false},
	}
	for _, tt := range tests {
		if got := Match(tt.pattern, tt.name, tt.sep); got != tt.want {
			t.Errorf("Match(%q, %q, %q) = %v", tt.pattern, tt.name, tt.sep, got)
		}
	}
}

func FuzzValidate(f *testing.F) {
	for _, s := range []string{"user.alice", "a..b", "d!user.x", "p&AOQA5A-", "../..", "a.^^"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		if Validate(name) != nil {
			return
		}
		if _, err := DecodeUTF7(name[strings.IndexByte(name, '!')+1:]); err != nil {
			t.Fatalf("valid name %q is not modified UTF-7: %v", name, err)
		}
		for _, c := range strings.Split(name, ".") {
			if c == "" {
				t.Fatalf("valid name %q has an empty component", name)
			}
		}
	})
}
