package imapserver

import (
	"context"
	"strings"
	"testing"
)

// deletedOf returns the one delayed-deleted name whose original is orig.
func (s *testSite) deletedOf(orig string) string {
	s.t.Helper()
	dels, err := s.st.ListDeleted(context.Background())
	if err != nil {
		s.t.Fatal(err)
	}
	for _, d := range dels {
		if d.Original == orig {
			return d.Name
		}
	}
	s.t.Fatalf("no deleted mailbox for %s in %+v", orig, dels)
	return ""
}

func noLineContains(t *testing.T, lines []string, bad string) {
	t.Helper()
	for _, l := range lines {
		if strings.Contains(l, bad) {
			t.Fatalf("response %q shows %q", l, bad)
		}
	}
}

func TestDeletedMailboxesHiddenFromUsers(t *testing.T) {
	site := newTestSite(t)
	alice := site.login("alice")
	alice.ok("CREATE Gone")
	alice.ok("SUBSCRIBE Gone")
	alice.ok("DELETE Gone")
	internal := site.deletedOf("user.alice.Gone")
	// alice still holds every right in its kept ACL: only the prefix hides it.
	asAlice := "Shared Folders/" + strings.ReplaceAll(internal, ".", "/")
	asAdmin := strings.ReplaceAll(internal, ".", "/")

	for _, cmd := range []string{
		`LIST "" "*"`, `LIST "" "Shared Folders/*"`, `LIST "" "*DELETED*"`, `LSUB "" "*"`,
		`LIST (SUBSCRIBED) "" "*"`, `LIST "" "*" RETURN (STATUS (MESSAGES) CHILDREN)`,
	} {
		lines := alice.ok(cmd)
		noLineContains(t, lines, "DELETED")
		for _, l := range lines {
			// A subscription outliving its mailbox is \NonExistent (RFC 5258).
			if strings.Contains(l, "Gone") && !strings.Contains(l, `\NonExistent`) {
				t.Fatalf("%s: %q", cmd, l)
			}
		}
	}
	q := `"` + asAlice + `"`
	alice.expect("SELECT "+q, "NO Mailbox does not exist")
	alice.expect("EXAMINE "+q, "NO Mailbox does not exist")
	alice.expect("STATUS "+q+" (MESSAGES)", "NO Mailbox does not exist")
	alice.expect("GETACL "+q, "NO Mailbox does not exist")
	alice.expect("DELETE "+q, "NO Mailbox does not exist")
	alice.expect("RENAME "+q+" Back", "NO Mailbox does not exist")
	alice.expect("APPEND "+q+" {3+}\r\nx\r\n", "NO")
	alice.expect(`CREATE "Shared Folders/DELETED/mine"`, "NO Permission denied")
	alice.expect(`CREATE "Shared Folders/DELETED"`, "NO Permission denied")
	alice.expect(`RENAME Work "Shared Folders/DELETED/Work/6B0D16FA"`, "NO Permission denied")
	alice.expect(q+"x", "BAD")

	admin := site.login("cyrus")
	has(t, admin.ok(`LIST "" "DELETED/*"`), `* LIST (\HasNoChildren) "/" `+asAdmin)
	admin.ok("SETACL " + asAdmin + " cyrus lrx")
	admin.ok("EXAMINE " + asAdmin)
	admin.ok("UNSELECT")
	// An admin's DELETE of a deleted mailbox removes it for real.
	admin.ok("DELETE " + asAdmin)
	if dels, _ := site.st.ListDeleted(context.Background()); len(dels) != 0 {
		t.Fatalf("still kept: %+v", dels)
	}
	noLineContains(t, admin.ok(`LIST "" "*"`), "DELETED")
}

func TestDeleteUserDelayed(t *testing.T) {
	site := newTestSite(t)
	admin := site.login("cyrus")
	admin.ok("SETACL user/alice cyrus x")
	admin.ok("DELETE user/alice")
	site.deletedOf("user.alice")
	site.deletedOf("user.alice.Work")
	lines := admin.ok(`LIST "" "*"`)
	noLineContains(t, lines, `"/" user/alice`)
	if n := strings.Count(strings.Join(lines, "\n"), "DELETED/user/alice"); n != 2 {
		t.Fatalf("admin LIST shows %d deleted alice mailboxes: %q", n, lines)
	}
	// The user can come back fresh while the old tree is kept.
	admin.ok("CREATE user/alice")
}

func TestDeleteImmediateMode(t *testing.T) {
	site := newTestSite(t, "delete_mode", "immediate")
	alice := site.login("alice")
	alice.ok("DELETE Work")
	if dels, _ := site.st.ListDeleted(context.Background()); len(dels) != 0 {
		t.Fatalf("immediate mode kept %+v", dels)
	}
}
