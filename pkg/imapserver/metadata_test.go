package imapserver

import (
	"strings"
	"testing"
)

func TestMetadata(t *testing.T) {
	s := newTestSite(t)
	a := s.login("alice")
	b := s.login("bob")
	admin := s.login("cyrus")

	// Private and shared values of one's own mailbox.
	a.ok(`SETMETADATA INBOX (/private/comment "my notes" /shared/comment "for all")`)
	has(t, a.ok(`GETMETADATA INBOX /private/comment`), `* METADATA INBOX ("/private/comment" "my notes")`)
	has(t, a.ok(`GETMETADATA INBOX (/shared/comment /Private/Comment)`),
		`* METADATA INBOX ("/shared/comment" "for all" "/private/comment" "my notes")`)
	has(t, a.ok(`GETMETADATA INBOX /shared/vendor/x`), `* METADATA INBOX ("/shared/vendor/x" NIL)`)
	a.ok(`SETMETADATA INBOX (/shared/vendor/a "1" /shared/vendor/a/b "2")`)
	has(t, a.ok(`GETMETADATA (DEPTH 1) INBOX /shared/vendor`), `* METADATA INBOX ("/shared/vendor/a" "1")`)
	has(t, a.ok(`GETMETADATA (DEPTH infinity) INBOX /shared/vendor`),
		`* METADATA INBOX ("/shared/vendor/a" "1" "/shared/vendor/a/b" "2")`)
	has(t, a.ok(`GETMETADATA (DEPTH infinity) INBOX /shared`),
		`* METADATA INBOX ("/shared/comment" "for all" "/shared/vendor/a" "1" "/shared/vendor/a/b" "2")`)
	// MAXSIZE leaves long values out and says how long the longest was.
	u, st := a.run(`GETMETADATA (MAXSIZE 3) INBOX (/private/comment /shared/vendor/a)`)
	if st != "OK [METADATA LONGENTRIES 8] Completed" {
		t.Fatalf("MAXSIZE: %q %q", u, st)
	}
	has(t, u, `* METADATA INBOX ("/shared/vendor/a" "1")`)
	// NIL removes; binary values travel as literal8.
	a.ok(`SETMETADATA INBOX (/shared/vendor/a NIL)`)
	has(t, a.ok(`GETMETADATA INBOX /shared/vendor/a`), `* METADATA INBOX ("/shared/vendor/a" NIL)`)
	a.ok("SETMETADATA INBOX (/private/vendor/bin ~{3+}\r\na\x00b)")
	has(t, a.ok(`GETMETADATA INBOX /private/vendor/bin`), "* METADATA INBOX (\"/private/vendor/bin\" ~{3}\r\na\x00b)")

	// Bad entry names.
	a.expect(`SETMETADATA INBOX (/other/x "v")`, "BAD Invalid entry name")
	a.expect(`SETMETADATA INBOX (/shared "v")`, "BAD Invalid entry name")
	a.expect(`GETMETADATA INBOX /shared/a*`, "BAD")
	a.expect(`GETMETADATA INBOX /shared//a`, "BAD Invalid entry name")

	// Other users: private values are per user; shared need r and w.
	a.ok("SETACL INBOX bob lr")
	b.ok(`SETMETADATA "Other Users/alice" (/private/comment "bob's")`)
	has(t, b.ok(`GETMETADATA "Other Users/alice" (/private/comment /shared/comment)`),
		`* METADATA "Other Users/alice" ("/private/comment" "bob's" "/shared/comment" "for all")`)
	has(t, a.ok(`GETMETADATA INBOX /private/comment`), `* METADATA INBOX ("/private/comment" "my notes")`)
	b.expect(`SETMETADATA "Other Users/alice" (/shared/comment "x")`, "NO Permission denied")
	a.ok("SETACL INBOX bob lrw")
	b.ok(`SETMETADATA "Other Users/alice" (/shared/comment "by bob")`)
	b.expect(`GETMETADATA "Other Users/alice/Work" /shared/comment`, "NO Mailbox does not exist")

	// Server entries: shared ones for admins only, private ones for all.
	b.expect(`SETMETADATA "" (/shared/motd "hi")`, "NO Permission denied")
	admin.ok(`SETMETADATA "" (/shared/motd "hi")`)
	b.expect(`SETMETADATA "" (/private/vendor/x "mine")`, "NO Permission denied")
	has(t, b.ok(`GETMETADATA "" (/shared/motd /private/vendor/x)`), `* METADATA "" ("/shared/motd" "hi" "/private/vendor/x" NIL)`)

	// Special-use lives on the mailbox entry.
	a.ok(`SETMETADATA Work (/private/specialuse "\\Archive")`)
	has(t, a.ok(`LIST "" Work`), `* LIST (\HasNoChildren \Archive) "/" Work`)
	has(t, a.ok(`GETMETADATA Work /private/specialuse`), `* METADATA Work ("/private/specialuse" "\\Archive")`)
	a.expect(`SETMETADATA Work (/private/specialuse "\\Bogus")`, "NO [USEATTR]")
	a.ok(`SETMETADATA Work (/private/specialuse NIL)`)
	has(t, a.ok(`LIST "" Work`), `* LIST (\HasNoChildren) "/" Work`)

	// Limits.
	a.expect("SETMETADATA INBOX (/private/big {1048577}", "NO [METADATA MAXSIZE 65536]")
	a.ok("NOOP")
	caps := a.ok("CAPABILITY")[0]
	for _, want := range []string{" METADATA ", " METADATA-SERVER "} {
		if !strings.Contains(caps, want) {
			t.Errorf("CAPABILITY lacks %s", want)
		}
	}
}

func TestMetadataTooMany(t *testing.T) {
	s := newTestSite(t)
	a := s.login("alice")
	var b strings.Builder
	for i := range maxEntriesPerMailbox {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString("/private/vendor/e" + itoa(i) + ` "v"`)
	}
	a.ok("SETMETADATA INBOX (" + b.String() + ")")
	a.ok(`SETMETADATA INBOX (/private/vendor/e1 "changed")`)
	a.expect(`SETMETADATA INBOX (/private/vendor/one-more "v")`, "NO [METADATA TOOMANY]")
	a.ok(`SETMETADATA INBOX (/shared/vendor/one-more "v")`)
}
