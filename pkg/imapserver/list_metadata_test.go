package imapserver

import (
	"slices"
	"strings"
	"testing"
)

// LIST-METADATA (RFC 9590 §4's conversation, on this site's mailboxes):
// every listed mailbox is followed by the METADATA GETMETADATA would give
// (after the STATUS of LIST-STATUS), NIL for an entry without a value.
func TestListReturnMetadata(t *testing.T) {
	s := newTestSite(t)
	a := s.login("alice")
	if caps := a.ok("CAPABILITY"); len(caps) != 1 || !slices.Contains(strings.Fields(caps[0]), "LIST-METADATA") {
		t.Fatalf("CAPABILITY: %q", caps)
	}
	a.ok(`SETMETADATA INBOX (/private/comment "My own comment" /shared/comment "Shared comment")`)
	a.ok(`SETMETADATA Work (/shared/comment "Work stuff")`)
	want := []string{
		`* LIST (\HasNoChildren) "/" INBOX`,
		`* METADATA INBOX ("/private/comment" "My own comment" "/shared/comment" "Shared comment")`,
		`* LIST (\HasNoChildren) "/" Work`,
		`* METADATA Work ("/private/comment" NIL "/shared/comment" "Work stuff")`,
		`* LIST (\Noselect \HasChildren) "/" "Shared Folders"`, // nothing to read
	}
	got := a.ok(`LIST "" "%" RETURN (METADATA (/private/comment /shared/comment))`)
	if !slices.Equal(got, want) {
		t.Errorf("LIST RETURN (METADATA):\n got %q\nwant %q", got, want)
	}
	// One entry without parentheses; with STATUS, STATUS comes first (Cyrus).
	got = a.ok(`LIST "" "Work" RETURN (STATUS (MESSAGES) METADATA /shared/comment)`)
	want = []string{`* LIST (\HasNoChildren) "/" Work`, `* STATUS Work (MESSAGES 0)`,
		`* METADATA Work ("/shared/comment" "Work stuff")`}
	if !slices.Equal(got, want) {
		t.Errorf("with STATUS:\n got %q\nwant %q", got, want)
	}
	// The same values as GETMETADATA, one rule.
	for _, m := range []string{"INBOX", "Work"} {
		g := a.ok(`GETMETADATA ` + m + ` (/private/comment /shared/comment)`)
		l := a.ok(`LIST "" "` + m + `" RETURN (METADATA (/private/comment /shared/comment))`)
		if len(g) != 1 || len(l) != 2 || g[0] != l[1] {
			t.Errorf("%s: GETMETADATA %q, LIST %q", m, g, l)
		}
	}
}

// The rights GETMETADATA needs: with l alone another user sees the mailbox
// listed without METADATA; with lr the shared value and its own private one.
func TestListReturnMetadataRights(t *testing.T) {
	s := newTestSite(t)
	a := s.login("alice")
	b := s.login("bob")
	a.ok(`SETMETADATA Work (/private/comment "alice's" /shared/comment "everyone's")`)
	a.ok("SETACL Work bob l")
	const work = `"Other Users/alice/Work"`
	lines := b.ok(`LIST "" "*" RETURN (METADATA (/private/comment /shared/comment))`)
	has(t, lines, `* LIST (\HasNoChildren) "/" `+work)
	for _, l := range lines {
		if strings.HasPrefix(l, "* METADATA "+work) {
			t.Errorf("with l only: %q", l)
		}
	}
	a.ok("SETACL Work bob lr")
	has(t, b.ok(`LIST "" `+work+` RETURN (METADATA (/private/comment /shared/comment))`),
		`* METADATA `+work+` ("/private/comment" NIL "/shared/comment" "everyone's")`)
}

// Hostile entry lists: a bad name, too many entries or an empty list is
// BAD before any LIST response, and the session goes on.
func TestListReturnMetadataHostile(t *testing.T) {
	s := newTestSite(t)
	a := s.login("alice")
	var many strings.Builder
	for i := range maxMetaEntries + 1 {
		many.WriteString(" /shared/vendor/x" + strings.Repeat("y", i%7) + string(rune('a'+i%26)) + itoa(i))
	}
	deep := "/shared" + strings.Repeat("/d", 200)
	for cmd, want := range map[string]string{
		`LIST "" "*" RETURN (METADATA (/bogus/comment))`:            "BAD Invalid entry name",
		`LIST "" "*" RETURN (METADATA ("/shared/a*"))`:              "BAD Invalid entry name",
		`LIST "" "*" RETURN (METADATA (` + many.String()[1:] + `))`: "BAD Too many metadata entries",
		`LIST "" "*" RETURN (METADATA (` + deep + `))`:              "BAD Invalid entry name",
		`LIST "" "*" RETURN (METADATA ())`:                          "BAD",
		`LIST "" "*" RETURN (METADATA (/shared/comment) (DEPTH 1))`: "BAD",
	} {
		if u := a.expect(cmd, want); len(u) != 0 {
			t.Errorf("%.60s: untagged %q", cmd, u)
		}
	}
	// The same entry many times is one entry.
	dup := strings.Repeat(" /shared/comment", 3*maxMetaEntries)
	has(t, a.ok(`LIST "" "INBOX" RETURN (METADATA (`+dup[1:]+`))`), `* METADATA INBOX ("/shared/comment" NIL)`)
	a.ok("NOOP")
}

// ENABLE of what this server does not implement (UTF8=ACCEPT, UIDONLY and
// INPROGRESS are not advertised yet) or of junk enables nothing, and the
// session behaves as before: RFC 5161 §3.1 ignores unknown names.
func TestEnableUnknownAtoms(t *testing.T) {
	s := newTestSite(t)
	a := s.login("alice")
	caps := strings.Fields(a.ok("CAPABILITY")[0])
	for _, atom := range []string{"UTF8=ACCEPT", "UIDONLY", "INPROGRESS", "X-BOGUS", "utf8=only", "LIST-METADATA"} {
		if slices.Contains(caps, atom) && atom != "LIST-METADATA" {
			continue // implemented by now: its own tests cover it
		}
		if got := a.ok("ENABLE " + atom); !slices.Equal(got, []string{"* ENABLED"}) {
			t.Errorf("ENABLE %s: %q", atom, got)
		}
	}
	a.expect(`ENABLE "UIDONLY"`, "BAD")
	a.ok("SELECT INBOX")
	s.deliver("user.alice", testMessage("one"))
	a.ok("NOOP")
	has(t, a.ok("FETCH 1 UID"), "* 1 FETCH (UID 1)")
}
