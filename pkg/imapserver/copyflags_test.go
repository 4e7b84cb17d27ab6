package imapserver

import (
	"regexp"
	"slices"
	"strings"
	"testing"
)

var flagsItem = regexp.MustCompile(`FLAGS \(([^)]*)\)`)

// fetchedFlags returns the flags of the one message FETCH FLAGS reported,
// sorted, without \Recent.
func fetchedFlags(t *testing.T, lines []string) []string {
	t.Helper()
	for _, l := range lines {
		if m := flagsItem.FindStringSubmatch(l); m != nil {
			var out []string
			for _, f := range strings.Fields(m[1]) {
				if f != `\Recent` {
					out = append(out, f)
				}
			}
			slices.Sort(out)
			return out
		}
	}
	t.Fatalf("no FLAGS in %q", lines)
	return nil
}

// TestCopyFlagsFollowTargetRights: COPY, MOVE and APPEND into another
// user's mailbox keep only the flags the rights there allow (RFC 4314 §4):
// \Seen needs s and is the copier's own (never the owner's index flag),
// \Deleted needs t, every other flag w.
func TestCopyFlagsFollowTargetRights(t *testing.T) {
	s := newTestSite(t)
	a := s.login("alice")
	b := s.login("bob")
	const srcFlags = `\Seen \Flagged \Deleted \Answered $Label9`
	cases := []struct {
		rights  string
		owner   []string // what alice sees in the index
		bobSeen bool
	}{
		{"lri", nil, false},
		{"lris", nil, true},
		{"lriw", []string{`$Label9`, `\Answered`, `\Flagged`}, false},
		{"lrit", []string{`\Deleted`}, false},
		{"lrswit", []string{`$Label9`, `\Answered`, `\Deleted`, `\Flagged`}, true},
	}
	for _, how := range []string{"COPY", "UID COPY", "MOVE", "UID MOVE", "APPEND"} {
		for _, c := range cases {
			folder := strings.ReplaceAll(how, " ", "") + "-" + c.rights
			a.ok("CREATE " + folder)
			a.ok("SETACL " + folder + " bob " + c.rights)
			target := `"Other Users/alice/` + folder + `"`
			if how == "APPEND" {
				msg := testMessage("appended")
				b.ok("APPEND " + target + " (" + srcFlags + ") {" + strconvItoa(len(msg)) + "+}\r\n" + msg)
			} else {
				s.deliver("user.bob", testMessage("to copy"))
				b.ok("SELECT INBOX")
				b.ok("STORE 1:* FLAGS.SILENT (" + srcFlags + ")")
				b.ok(how + " 1:* " + target)
				b.ok("EXPUNGE") // a COPY's source goes, for the next case
				b.ok("UNSELECT")
			}
			// The owner, in her own session, sees only what the rights allowed.
			a.ok("EXAMINE " + folder)
			got := fetchedFlags(t, a.ok("FETCH 1 FLAGS"))
			if !slices.Equal(got, c.owner) {
				t.Errorf("%s with %s: alice sees %q, want %q", how, c.rights, got, c.owner)
			}
			// Bob's own \Seen there is set with s only.
			b.ok("EXAMINE " + target)
			seen := slices.Contains(fetchedFlags(t, b.ok("FETCH 1 FLAGS")), `\Seen`)
			if seen != c.bobSeen {
				t.Errorf("%s with %s: bob's \\Seen %v, want %v", how, c.rights, seen, c.bobSeen)
			}
			b.ok("UNSELECT")
		}
	}
}

// TestCopySeenOwnTarget: a user copying into a mailbox she owns keeps her
// \Seen as the index flag; one copying into a selected shared mailbox
// sees his \Seen on the new message at once.
func TestCopySeenOwnTarget(t *testing.T) {
	s := newTestSite(t)
	s.deliver("board", testMessage("b1"))
	a := s.login("alice")
	s.deliver("user.alice", testMessage("mine"))
	a.ok("SELECT INBOX")
	a.ok(`STORE 1 +FLAGS.SILENT (\Seen)`)
	a.ok("COPY 1 Work")
	a.ok("EXAMINE Work")
	if got := fetchedFlags(t, a.ok("FETCH 1 FLAGS")); !slices.Equal(got, []string{`\Seen`}) {
		t.Fatalf("alice's copy into Work: %q", got)
	}
	// Alice copies within the shared board, whose \Seen is per user.
	admin := s.login("cyrus")
	admin.ok("SETACL board alice lrswi")
	a.ok(`SELECT "Shared Folders/board"`)
	a.ok(`STORE 1 +FLAGS.SILENT (\Seen)`)
	u := a.ok(`COPY 1 "Shared Folders/board"`)
	u = append(u, a.ok("FETCH 2 FLAGS")...)
	if got := fetchedFlags(t, u); !slices.Equal(got, []string{`\Seen`}) {
		t.Fatalf("alice's copy within board: %q", got)
	}
	// Bob did not get alice's \Seen.
	admin.ok("SETACL board bob lr")
	b := s.login("bob")
	has(t, b.ok(`STATUS "Shared Folders/board" (UNSEEN)`), `* STATUS "Shared Folders/board" (UNSEEN 2)`)
}
