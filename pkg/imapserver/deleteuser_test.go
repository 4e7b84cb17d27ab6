package imapserver

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"gocyrus/pkg/sievescripts"
)

// An admin's DELETE user/bob deletes the user, not only the mailboxes:
// bob created again finds none of his seen state on a shared folder,
// subscriptions, Sieve scripts, quota roots or metadata (Cyrus's
// user_deletedata), in both delete modes.
func TestAdminDeleteOfUserDeletesTheirData(t *testing.T) {
	for _, mode := range []string{"delayed", "immediate"} {
		t.Run(mode, func(t *testing.T) {
			sieveDir := filepath.Join(t.TempDir(), "sieve")
			s := newTestSite(t, "delete_mode", mode, "sievedir", sieveDir)
			s.deliver("board", testMessage("b1"), testMessage("b2"))
			s.deliver("user.bob", testMessage("mine"))
			const board = `"Shared Folders/board"`
			sieve := sievescripts.FromConfig(s.st.Config())
			d, err := sieve.UserDir("bob")
			if err != nil {
				t.Fatal(err)
			}
			if err := d.Put("vacation", []byte("keep;\n")); err != nil {
				t.Fatal(err)
			}
			if err := d.SetActive("vacation"); err != nil {
				t.Fatal(err)
			}

			bob := s.login("bob")
			bob.ok("SELECT " + board)
			bob.ok(`STORE 1:2 +FLAGS (\Seen)`)
			bob.ok("SUBSCRIBE " + board)
			bob.ok("SUBSCRIBE INBOX")
			bob.ok(`SETMETADATA ` + board + ` (/private/comment "bob was here")`)
			bob.ok(`SETMETADATA INBOX (/private/comment "inbox note" /shared/comment "shared note")`)
			bob.ok("LOGOUT")

			root := s.login("cyrus")
			root.ok("SETQUOTA user/bob (STORAGE 100)")
			root.ok("SETACL user/bob cyrus x") // admins need x too (Cyrus 3.6)
			root.ok("DELETE user/bob")
			// Alice keeps what she had on the board.
			alice := s.login("alice")
			alice.ok("SUBSCRIBE " + board)
			root.ok("CREATE user/bob")

			bob = s.login("bob")
			has(t, bob.ok("STATUS "+board+" (UNSEEN)"), `* STATUS `+board+` (UNSEEN 2)`)
			if lines := bob.ok(`LSUB "" "*"`); len(lines) != 0 {
				t.Errorf("new bob's subscriptions: %q", lines)
			}
			has(t, bob.ok(`GETMETADATA `+board+` /private/comment`), `* METADATA `+board+` ("/private/comment" NIL)`)
			has(t, bob.ok(`GETMETADATA INBOX (/private/comment /shared/comment)`),
				`* METADATA INBOX ("/private/comment" NIL "/shared/comment" NIL)`)
			has(t, bob.ok("GETQUOTAROOT INBOX"), "* QUOTAROOT INBOX")
			has(t, bob.ok("STATUS INBOX (MESSAGES)"), "* STATUS INBOX (MESSAGES 0)")
			if name, _, err := sieve.Active("bob"); !errors.Is(err, sievescripts.ErrNoActive) {
				t.Errorf("new bob has the old active script %q (%v)", name, err)
			}
			if scripts, _ := d.List(); len(scripts) != 0 {
				t.Errorf("new bob has the old scripts %v", scripts)
			}
			if lines := alice.ok(`LSUB "" "*"`); !strings.Contains(strings.Join(lines, "\n"), "board") {
				t.Errorf("alice lost her subscription: %q", lines)
			}
		})
	}
}
