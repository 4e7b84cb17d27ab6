package mboxname

import (
	"errors"
	"strings"
	"testing"
)

func settings() map[string]Namespace {
	mk := func(alt, unix bool) Namespace {
		ns := DefaultNamespace()
		ns.AltNamespace, ns.UnixHierarchySep = alt, unix
		return ns
	}
	return map[string]Namespace{
		"std.": mk(false, false), "std/": mk(false, true),
		"alt.": mk(true, false), "alt/": mk(true, true),
	}
}

// The mapping table of docs/CYRUS-BEHAVIOUR.md §2.2, logged in as adam.
var adamTable = []struct {
	internal                     string
	stdDot, stdSl, altDot, altSl string
}{
	{"user.adam", "INBOX", "INBOX", "INBOX", "INBOX"},
	{"user.adam.klug", "INBOX.klug", "INBOX/klug", "klug", "klug"},
	{"user.adam.subsys.gnome", "INBOX.subsys.gnome", "INBOX/subsys/gnome", "subsys.gnome", "subsys/gnome"},
	{"user.bob.x", "user.bob.x", "user/bob/x", "Other Users.bob.x", "Other Users/bob/x"},
	{"service", "service", "service", "Shared Folders.service", "Shared Folders/service"},
}

func TestReferenceMappingTable(t *testing.T) {
	ns := settings()
	for _, row := range adamTable {
		for key, ext := range map[string]string{"std.": row.stdDot, "std/": row.stdSl, "alt.": row.altDot, "alt/": row.altSl} {
			got, err := ns[key].ToExternal(row.internal, "adam", false)
			if err != nil || got != ext {
				t.Errorf("%s ToExternal(%q) = %q, %v; want %q", key, row.internal, got, err, ext)
			}
			back, err := ns[key].ToInternal(ext, "adam", false)
			if err != nil || back != row.internal {
				t.Errorf("%s ToInternal(%q) = %q, %v; want %q", key, ext, back, err, row.internal)
			}
		}
	}
}

func TestNamespaceResponses(t *testing.T) {
	ns := settings()
	tests := []struct {
		key, user string
		admin     bool
		want      string
	}{
		{"alt/", "alice", false, `(("" "/")) (("Other Users/" "/")) (("Shared Folders/" "/"))`},
		{"alt/", "cyrus", true, `NIL (("user/" "/")) (("" "/"))`},
		{"alt.", "alice", false, `(("" ".")) (("Other Users." ".")) (("Shared Folders." "."))`},
		{"std.", "alice", false, `(("INBOX." ".")) (("user." ".")) (("" "."))`},
		{"std/", "alice", false, `(("INBOX/" "/")) (("user/" "/")) (("" "/"))`},
		{"std.", "cyrus", true, `NIL (("user." ".")) (("" "."))`},
		{"alt/", "", false, `NIL (("Other Users/" "/")) (("Shared Folders/" "/"))`},
	}
	for _, tt := range tests {
		if got := ns[tt.key].Namespaces(tt.user, tt.admin).String(); got != tt.want {
			t.Errorf("%s Namespaces(%q, %v) = %s; want %s", tt.key, tt.user, tt.admin, got, tt.want)
		}
	}
}

func TestAdminSeesStandardNamespace(t *testing.T) {
	ns := settings()
	tests := []struct{ key, internal, external string }{
		{"alt/", "user.alice", "user/alice"},
		{"alt/", "user.alice.Sent", "user/alice/Sent"},
		{"alt/", "DELETED.user.bench.dtest.6B0D16FA", "DELETED/user/bench/dtest/6B0D16FA"},
		{"alt/", "service", "service"},
		{"alt.", "user.alice", "user.alice"},
		{"std/", "user.john^doe", "user/john.doe"},
	}
	for _, tt := range tests {
		got, err := ns[tt.key].ToExternal(tt.internal, "cyrus", true)
		if err != nil || got != tt.external {
			t.Errorf("%s admin ToExternal(%q) = %q, %v; want %q", tt.key, tt.internal, got, err, tt.external)
		}
		back, err := ns[tt.key].ToInternal(tt.external, "cyrus", true)
		if err != nil || back != tt.internal {
			t.Errorf("%s admin ToInternal(%q) = %q, %v; want %q", tt.key, tt.external, back, err, tt.internal)
		}
	}
	if sep := ns["alt/"].Separator(true); sep != '/' {
		t.Errorf("admin separator = %q", sep)
	}
}

func TestToInternal(t *testing.T) {
	ns := settings()
	tests := []struct {
		key, external, user string
		want                string
		err                 error
	}{
		{"alt/", "inbox", "adam", "user.adam", nil},
		{"alt/", "InBoX", "adam", "user.adam", nil},
		{"std/", "inbox/Sent", "adam", "user.adam.Sent", nil},
		{"std.", "Inbox.Sent", "adam", "user.adam.Sent", nil},
		{"alt/", "INBOX/x", "adam", "user.adam.INBOX.x", nil}, // as Cyrus: only a bare INBOX is special
		{"alt/", "my.folder", "adam", "user.adam.my^folder", nil},
		{"std/", "user/john.doe/a.b", "adam", "user.john^doe.a^b", nil},
		{"alt/", "INBOX", "john.doe", "user.john^doe", nil},
		{"alt/", "Other Users/john.doe", "adam", "user.john^doe", nil},
		{"alt/", "Shared Folders/a.b/c", "adam", "a^b.c", nil},
		{"alt/", "päd", "adam", "user.adam.p&AOQ-d", nil},
		{"alt/", "p&AOQA5A-", "adam", "user.adam.p&AOQA5A-", nil},
		{"alt/", "Tom & Jerry", "adam", "", ErrInvalidName},
		{"alt/", "Tom &- Jerry", "adam", "user.adam.Tom &- Jerry", nil},
		{"alt/", "Tom & Jérry", "adam", "user.adam.Tom &- J&AOk-rry", nil},
		{"alt/", "Other Users", "adam", "", ErrNamespaceRoot},
		{"alt/", "Shared Folders", "adam", "", ErrNamespaceRoot},
		{"alt/", "Shared Folders/user/bob", "adam", "", ErrInvalidName},
		{"std/", "user", "adam", "", ErrNamespaceRoot},
		{"alt/", "a//b", "adam", "", ErrInvalidName},
		{"alt/", "a/", "adam", "", ErrInvalidName},
		{"alt/", "/a", "adam", "", ErrInvalidName},
		{"alt/", "a/../b", "adam", "", ErrInvalidName},
		{"alt/", "a/./b", "adam", "", ErrInvalidName},
		{"alt/", "a^b", "adam", "", ErrInvalidName},
		{"alt.", "a^b", "adam", "user.adam.a^b", nil},
		{"std.", "a..b", "adam", "", ErrInvalidName},
		{"std.", "a/b", "adam", "", ErrInvalidName},
		{"alt/", "a\tb", "adam", "", ErrInvalidName},
		{"alt/", "a\x00b", "adam", "", ErrInvalidName},
		{"alt/", "", "adam", "", ErrInvalidName},
		{"alt/", "\xff", "adam", "", ErrInvalidName},
		{"alt/", "Work", "", "", ErrNoInbox},
		{"std/", "INBOX", "", "", ErrNoInbox},
		{"std/", "service", "", "service", nil},
	}
	for _, tt := range tests {
		got, err := ns[tt.key].ToInternal(tt.external, tt.user, false)
		if tt.err != nil {
			if !errors.Is(err, tt.err) {
				t.Errorf("%s ToInternal(%q) = %q, %v; want error %v", tt.key, tt.external, got, err, tt.err)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("%s ToInternal(%q, %q) = %q, %v; want %q", tt.key, tt.external, tt.user, got, err, tt.want)
		}
	}
}

func TestToExternalDotsAndCaret(t *testing.T) {
	ns := settings()
	got, _ := ns["alt/"].ToExternal("user.adam.a^b", "adam", false)
	if got != "a.b" {
		t.Errorf("alt/ = %q", got)
	}
	got, _ = ns["alt."].ToExternal("user.adam.a^b", "adam", false)
	if got != "a^b" {
		t.Errorf("alt. = %q", got)
	}
	got, _ = ns["alt/"].ToExternal("user.john^doe", "john.doe", false)
	if got != "INBOX" {
		t.Errorf("john.doe INBOX = %q", got)
	}
	if _, err := ns["alt/"].ToExternal("user..x", "adam", false); !errors.Is(err, ErrInvalidName) {
		t.Errorf("invalid internal accepted: %v", err)
	}
}

func TestVirtualDomains(t *testing.T) {
	ns := DefaultNamespace()
	ns.VirtDomains = "userid"
	ns.DefaultDomain = "example.com"
	tests := []struct {
		user, external string
		admin          bool
		internal       string
	}{
		{"alice@example.org", "INBOX", false, "example.org!user.alice"},
		{"alice@example.org", "Work", false, "example.org!user.alice.Work"},
		{"alice@example.org", "Other Users/bob", false, "example.org!user.bob"},
		{"alice@example.org", "Shared Folders/board", false, "example.org!board"},
		{"alice%example.org", "INBOX", false, "example.org!user.alice"},
		{"alice@example.com", "INBOX", false, "user.alice"},
		{"alice", "INBOX", false, "user.alice"},
		{"cyrus", "user/alice@example.org", true, "example.org!user.alice"},
		{"cyrus", "user/alice@example.com", true, "user.alice"},
		{"cyrus", "user/alice", true, "user.alice"},
	}
	for _, tt := range tests {
		got, err := ns.ToInternal(tt.external, tt.user, tt.admin)
		if err != nil || got != tt.internal {
			t.Errorf("ToInternal(%q, %q) = %q, %v; want %q", tt.external, tt.user, got, err, tt.internal)
			continue
		}
		if tt.user == "alice@example.com" || tt.user == "cyrus" && tt.external == "user/alice@example.com" {
			continue // the default domain is not echoed back
		}
		back, err := ns.ToExternal(got, tt.user, tt.admin)
		if err != nil || back != tt.external && tt.user != "alice%example.org" {
			t.Errorf("ToExternal(%q, %q) = %q, %v; want %q", got, tt.user, back, err, tt.external)
		}
	}
	if _, err := ns.ToExternal("other.net!user.bob", "alice@example.org", false); !errors.Is(err, ErrOtherDomain) {
		t.Errorf("cross-domain name visible: %v", err)
	}
	if got := ns.UserInbox("alice@example.org"); got != "example.org!user.alice" {
		t.Errorf("UserInbox = %q", got)
	}
	if got := ns.UserInbox("alice@EXAMPLE.com"); got != "user.alice" {
		t.Errorf("UserInbox default domain = %q", got)
	}
	if got := ns.CanonicalUserID("alice%example.org"); got != "alice@example.org" {
		t.Errorf("CanonicalUserID = %q", got)
	}
	off := DefaultNamespace()
	if got := off.UserInbox("alice@example.org"); got != "user.alice@example^org" {
		t.Errorf("virtdomains off UserInbox = %q", got)
	}
}

func FuzzNamespaceRoundTrip(f *testing.F) {
	for _, s := range []string{"INBOX", "a/b", "Other Users/bob/x", "Shared Folders/s", "päd", "a.b", "&-", "user/x"} {
		f.Add(s, "adam", false, true, true)
		f.Add(s, "adam", true, false, true)
	}
	f.Fuzz(func(t *testing.T, external, user string, admin, alt, unix bool) {
		ns := DefaultNamespace()
		ns.AltNamespace, ns.UnixHierarchySep = alt, unix
		if ValidateUserID(user) != nil {
			user = "adam"
		}
		internal, err := ns.ToInternal(external, user, admin)
		if err != nil {
			return
		}
		if err := Validate(internal); err != nil {
			t.Fatalf("ToInternal(%q) = %q which fails Validate: %v", external, internal, err)
		}
		ext, err := ns.ToExternal(internal, user, admin)
		if err != nil {
			t.Fatalf("ToExternal(%q): %v", internal, err)
		}
		again, err := ns.ToInternal(ext, user, admin)
		// The personal names that shadow a prefix or INBOX cannot round-trip, in Cyrus either.
		if !admin && alt && shadowed(ext, ns) {
			return
		}
		if err != nil || again != internal {
			t.Fatalf("round trip %q -> %q -> %q -> %q, %v", external, internal, ext, again, err)
		}
	})
}

// shadowed reports a personal folder whose alt-namespace name starts like a
// namespace prefix or INBOX and so reads as something else.
func shadowed(ext string, ns Namespace) bool {
	first, _, _ := strings.Cut(ext, string(ns.Separator(false)))
	return strings.EqualFold(first, "INBOX") || first == ns.UserPrefix || first == ns.SharedPrefix
}
