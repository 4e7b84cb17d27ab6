package lmtp

import (
	"context"
	"strings"
	"testing"

	"gocyrus/pkg/mailbox"
	"gocyrus/pkg/quota"
	"gocyrus/pkg/sievescripts"
	"gocyrus/pkg/store"
)

// TestFileIntoFlagsFollowRights: fileinto :flags into a mailbox the
// script's owner does not own keeps only what the owner's rights there
// allow (\Seen s, \Deleted t, the rest w), and \Seen goes to the owner's
// seen set, never into the other user's index. In the owner's own
// mailbox every flag is set.
func TestFileIntoFlagsFollowRights(t *testing.T) {
	srv, addr := newTestServerWith(t, []string{"user.alice", "user.bob", "user.carol", "user.alice.own"}, func(s *Server) {
		ctx := context.Background()
		for box, rights := range map[string]string{"user.bob": "lp", "user.carol": "lrswp"} {
			_, err := s.store.ModifyMailbox(ctx, box, func(e *store.Entry) error {
				a, err := e.ACL.Apply("alice", rights, 'x')
				e.ACL = a
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
		}
		d, err := sievescripts.FromConfig(s.store.Config()).UserDir("alice")
		if err != nil {
			t.Fatal(err)
		}
		script := `require ["fileinto", "imap4flags"];
fileinto :flags ["\\Seen", "\\Deleted", "\\Flagged", "$Work"] "user.bob";
fileinto :flags ["\\Seen", "\\Deleted", "\\Flagged", "$Work"] "user.carol";
fileinto :flags ["\\Seen", "\\Deleted", "\\Flagged", "$Work"] "INBOX.own";
`
		if err := d.Put("f", []byte(script)); err != nil {
			t.Fatal(err)
		}
		if err := d.SetActive("f"); err != nil {
			t.Fatal(err)
		}
	}, "altnamespace: 0", "unixhierarchysep: 0")
	c := dialLMTP(t, addr)
	if got := c.send("x@remote", []string{"alice"}, "Subject: flags\r\nMessage-ID: <f@x>\r\n\r\nhi\r\n"); !strings.HasPrefix(got[0], "250") {
		t.Fatalf("reply %q", got[0])
	}
	for _, tc := range []struct {
		box      string
		flags    mailbox.Flags
		keywords []string
		seenSet  string // alice's seen set of the mailbox
	}{
		{"user.bob", 0, nil, ""},
		{"user.carol", mailbox.FlagFlagged, []string{"$Work"}, "1"},
		{"user.alice.own", mailbox.FlagSeen | mailbox.FlagDeleted | mailbox.FlagFlagged, []string{"$Work"}, ""},
	} {
		mb, e, err := srv.store.Open(t.Context(), tc.box, quota.Ignore)
		if err != nil {
			t.Fatal(err)
		}
		v, err := mb.Snapshot()
		mb.Close()
		if err != nil || v.Exists() != 1 {
			t.Fatalf("%s: %d messages (%v)", tc.box, v.Exists(), err)
		}
		r := v.Records[0]
		if got := r.Flags & (mailbox.FlagSeen | mailbox.FlagDeleted | mailbox.FlagFlagged | mailbox.FlagAnswered | mailbox.FlagDraft); got != tc.flags {
			t.Errorf("%s: flags %v, want %v", tc.box, v.FlagNames(r), tc.flags)
		}
		if kw := v.Keywords(r); strings.Join(kw, " ") != strings.Join(tc.keywords, " ") {
			t.Errorf("%s: keywords %v, want %v", tc.box, kw, tc.keywords)
		}
		seen, _ := srv.store.GetSeen(t.Context(), "alice", e.UniqueID)
		if seen.SeenUIDs != tc.seenSet {
			t.Errorf("%s: alice's seen set %q, want %q", tc.box, seen.SeenUIDs, tc.seenSet)
		}
	}
}
