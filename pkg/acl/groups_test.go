package acl

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"
)

const groupFile = `# system groups
root:x:0:
mail:x:8:cyrus
staff:x:50:alice,bob, carol
devs:*:1001:bob
+nisgroup
broken line
empty::1002:
dup:x:1003:bob,bob
`

func writeGroups(t *testing.T, path, content string, mtime time.Time) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(path, mtime, mtime); err != nil {
		t.Fatal(err)
	}
}

func TestGroupReader(t *testing.T) {
	path := filepath.Join(t.TempDir(), "group")
	t0 := time.Now().Add(-time.Hour)
	writeGroups(t, path, groupFile, t0)
	g := &GroupReader{Path: path}
	tests := map[string][]string{
		"alice":  {"group:staff"},
		"bob":    {"group:devs", "group:dup", "group:staff"},
		"carol":  {"group:staff"}, // need not exist in passwd
		"cyrus":  {"group:mail"},
		"nobody": nil,
	}
	for user, want := range tests {
		got, err := g.GroupsOf(user)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != len(want) || len(want) > 0 && !reflect.DeepEqual(got, want) {
			t.Errorf("GroupsOf(%q) = %v; want %v", user, got, want)
		}
	}

	// The returned slice is the caller's.
	got, _ := g.GroupsOf("bob")
	got[0] = "changed"
	if again, _ := g.GroupsOf("bob"); again[0] != "group:devs" {
		t.Error("GroupsOf returned the cache's storage")
	}

	// A changed file is re-read.
	writeGroups(t, path, "staff:x:50:alice,dave\n", t0.Add(time.Minute))
	if got, _ := g.GroupsOf("dave"); !reflect.DeepEqual(got, []string{"group:staff"}) {
		t.Errorf("after change GroupsOf(dave) = %v", got)
	}
	if got, _ := g.GroupsOf("bob"); len(got) != 0 {
		t.Errorf("after change GroupsOf(bob) = %v", got)
	}

	if _, err := (&GroupReader{Path: filepath.Join(t.TempDir(), "missing")}).GroupsOf("x"); err == nil {
		t.Error("missing group file gave no error")
	}
}

func TestGroupsFeedEvaluation(t *testing.T) {
	path := filepath.Join(t.TempDir(), "group")
	writeGroups(t, path, groupFile, time.Now())
	groups, err := (&GroupReader{Path: path}).GroupsOf("carol")
	if err != nil {
		t.Fatal(err)
	}
	a, _ := Parse("group:staff\tlrs\t")
	if got := DefaultPolicy().Rights(a, Identity{User: "carol", Groups: groups}, "board"); got.String() != "lrs" {
		t.Errorf("group rights = %q", got)
	}
}

func FuzzParseGroupFile(f *testing.F) {
	f.Add([]byte(groupFile))
	f.Add([]byte("a:b:c:d,e\n:::\n\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		for user, ids := range ParseGroupFile(data) {
			if user == "" || len(ids) == 0 {
				t.Fatalf("bad entry %q -> %v", user, ids)
			}
			for _, id := range ids {
				if len(id) <= len(GroupPrefix) || id[:len(GroupPrefix)] != GroupPrefix {
					t.Fatalf("bad group id %q", id)
				}
			}
		}
	})
}
