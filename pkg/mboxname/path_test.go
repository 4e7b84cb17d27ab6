package mboxname

import (
	"path/filepath"
	"strings"
	"testing"
)

func TestHashChar(t *testing.T) {
	tests := []struct {
		name string
		full bool
		want byte
	}{
		{"mdoozan", false, 'm'}, {"Alice", false, 'a'}, {"9lives", false, 'q'}, {"_x", false, 'q'},
		{"", false, 'q'}, {"alice.work", false, 'a'},
		{"alice", true, 'L'}, {"bob", true, 'E'}, {"mdoozan", true, 'T'}, {"example.org", true, 'O'}, {"", true, 'A'},
		{"alice.work", true, 'L'},
	}
	for _, tt := range tests {
		if got := HashChar(tt.name, tt.full); got != tt.want {
			t.Errorf("HashChar(%q, %v) = %q; want %q", tt.name, tt.full, got, tt.want)
		}
	}
	for _, n := range []string{"a", "zz", "some.user", "\xff\xfe"} {
		if c := HashChar(n, true); c < 'A' || c > 'W' {
			t.Errorf("fulldirhash(%q) = %q out of A-W", n, c)
		}
	}
}

func TestPaths(t *testing.T) {
	if got := UUIDPath("/var/spool/cyrus", "3dgr9ecmvtvxjxwbou8f4v03"); got != "/var/spool/cyrus/uuid/3/d/3dgr9ecmvtvxjxwbou8f4v03" {
		t.Errorf("UUIDPath = %q", got)
	}
	tests := []struct {
		name       string
		hash, full bool
		want       string
	}{
		{"user.mdoozan", true, false, "/s/m/user/mdoozan"},
		{"user.mdoozan", false, false, "/s/user/mdoozan"},
		{"user.alice.Work.2024", true, false, "/s/a/user/alice/Work/2024"},
		{"user.alice.Work", true, true, "/s/L/user/alice/Work"},
		// A shared mailbox hashes on its second level, as a user's does
		// (Cyrus 3.6.1's own tree: test/compat/cyrus-tree-hashed).
		{"board.sub", true, false, "/s/s/board/sub"},
		{"shared", true, true, "/s/T/shared"},
		{"shared.team", true, true, "/s/O/shared/team"},
		{"shared.team.x", true, false, "/s/t/shared/team/x"},
		{"1board", true, false, "/s/q/1board"},
		{"example.org!user.alice", true, false, "/s/domain/e/example.org/a/user/alice"},
		// Without hashimapspool a domain has no hash directory either.
		{"example.org!user.alice", false, false, "/s/domain/example.org/user/alice"},
		{"example.org!user.alice", true, true, "/s/domain/O/example.org/L/user/alice"},
		{"example.org!shared.team", true, true, "/s/domain/O/example.org/O/shared/team"},
		{"example.org!shared", false, false, "/s/domain/example.org/shared"},
		{"DELETED.user.bench.dtest.6B0D16FA", true, false, "/s/u/DELETED/user/bench/dtest/6B0D16FA"},
		{"DELETED.user.alice.Old.6B16DA54", true, true, "/s/C/DELETED/user/alice/Old/6B16DA54"},
		{"user.john^doe", false, false, "/s/user/john^doe"},
		// '^' is a '.' in Cyrus's form of the name: the full hash stops there.
		{"user.john^doe.x", true, true, "/s/" + string(HashChar("john", true)) + "/user/john^doe/x"},
	}
	for _, tt := range tests {
		if got := LegacyPath("/s", tt.name, tt.hash, tt.full); got != tt.want {
			t.Errorf("LegacyPath(%q, %v, %v) = %q; want %q", tt.name, tt.hash, tt.full, got, tt.want)
		}
	}
}

func TestUniqueID(t *testing.T) {
	seen := map[string]bool{}
	for range 1000 {
		id := NewUniqueID()
		if len(id) != UniqueIDLen || strings.Trim(id, uniqueIDAlphabet) != "" {
			t.Fatalf("bad id %q", id)
		}
		if err := ValidateUniqueID(id); err != nil {
			t.Fatal(err)
		}
		if seen[id] {
			t.Fatalf("duplicate id %q", id)
		}
		seen[id] = true
	}
	for _, bad := range []string{"", "a/b", "..", "a b", strings.Repeat("a", 65)} {
		if ValidateUniqueID(bad) == nil {
			t.Errorf("ValidateUniqueID(%q) accepted", bad)
		}
	}
}

// underRoot reports whether p is strictly inside root after cleaning.
func underRoot(root, p string) bool {
	rel, err := filepath.Rel(root, filepath.Clean(p))
	return err == nil && rel != "." && rel != ".." && !strings.HasPrefix(rel, "../") && !filepath.IsAbs(rel)
}

func TestPathsNeverEscape(t *testing.T) {
	evil := []string{"..", "../..", "user/../../etc", "a/b", "/etc/passwd", ".", "", "\x00", "..!user.x", "d!..", "a..b", ".hidden", "x!"}
	for _, n := range evil {
		for _, hash := range []bool{false, true} {
			if p := LegacyPath("/srv/part", n, hash, hash); !underRoot("/srv/part", p) {
				t.Errorf("LegacyPath(%q) = %q escapes", n, p)
			}
		}
		if p := UUIDPath("/srv/part", n); !underRoot("/srv/part", p) {
			t.Errorf("UUIDPath(%q) = %q escapes", n, p)
		}
	}
}

func FuzzPathsStayUnderRoot(f *testing.F) {
	for _, s := range []string{"user.alice", "..", "a/../../b", "d!user.x", "\x00", ".", "example.org!..!x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		const root = "/srv/part"
		for _, hash := range []bool{false, true} {
			if p := LegacyPath(root, name, hash, !hash); !underRoot(root, p) {
				t.Fatalf("LegacyPath(%q) = %q escapes %s", name, p, root)
			}
		}
		if p := UUIDPath(root, name); !underRoot(root, p) {
			t.Fatalf("UUIDPath(%q) = %q escapes %s", name, p, root)
		}
		if Validate(name) == nil {
			p := LegacyPath(root, name, true, false)
			// A domain ("example.org!...") is one directory, dots and all.
			_, local, _ := strings.Cut(name, "!")
			if !strings.Contains(name, "!") {
				local = name
			}
			if strings.Count(p, "/") < strings.Count(local, ".")+3 {
				t.Fatalf("valid name %q lost components: %q", name, p)
			}
		}
	})
}
