package imapserver

import (
	"strings"
	"testing"
)

// noneContains fails if a line holds sub.
func noneContains(t *testing.T, lines []string, sub string) {
	t.Helper()
	for _, l := range lines {
		if strings.Contains(l, sub) {
			t.Fatalf("unexpected %q in %q", sub, l)
		}
	}
}

// A special use is the owner's private annotation (Cyrus 3.6, checked
// against a live instance): only the owner sees it, in every command that
// shows one; an admin and a user the folder is shared with see none, yet
// specialuse_protect still guards the owner's folder against the sharer.
func TestSpecialUseOwnerOnly(t *testing.T) {
	s := newTestSite(t)
	a := s.login("alice")
	a.ok(`CREATE Sent (USE (\Sent))`)
	a.ok(`SETACL Sent bob lrx`)
	has(t, a.ok(`LIST "" "Sent"`), `* LIST (\HasNoChildren \Sent) "/" Sent`)
	has(t, a.ok(`LIST (SPECIAL-USE) "" "*"`), `* LIST (\HasNoChildren \Sent) "/" Sent`)
	has(t, a.ok(`GETMETADATA Sent /private/specialuse`), `* METADATA Sent ("/private/specialuse" "\\Sent")`)

	for who, name := range map[string]string{"cyrus": "user/alice/Sent", "bob": `"Other Users/alice/Sent"`} {
		c := s.login(who)
		plain := `* LIST (\HasNoChildren) "/" ` + name
		has(t, c.ok(`LIST "" `+name), plain)
		has(t, c.ok(`LIST "" `+name+` RETURN (SPECIAL-USE)`), plain)
		noneContains(t, c.ok(`LIST (SPECIAL-USE) "" "*"`), "alice/Sent")
		noneContains(t, c.ok(`GETMETADATA `+name+` /private/specialuse`), `\Sent`)
		noneContains(t, c.ok(`GETMETADATA (DEPTH infinity) `+name+` /private`), `\Sent`)
	}
	// The owner's protection holds for the user it is shared with.
	s.login("bob").expect(`DELETE "Other Users/alice/Sent"`, "NO [USEATTR]")
}

// CREATE's and RENAME's partition argument naming no configured partition
// is the admin's mistake, answered as Cyrus does, not a server error; a
// non-admin naming any partition is refused first, as in Cyrus.
func TestCreateUnknownPartition(t *testing.T) {
	s := newTestSite(t)
	c := s.login("cyrus")
	c.expect(`CREATE user/alice/x nopart`, "NO Unknown/invalid partition")
	c.expect(`RENAME user/alice/Work user/alice/Work nopart`, "NO Unknown/invalid partition")
	c.ok(`CREATE user/alice/y default`)
	a := s.login("alice")
	a.expect(`CREATE z nopart`, "NO Permission denied")
	a.expect(`CREATE z default`, "NO Permission denied")
	noneContains(t, c.ok(`LIST "" "*"`), "user/alice/x")
}
