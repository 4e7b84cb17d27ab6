package imapserver

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"gocyrus/pkg/quota"
)

// TestAdminPartitionsQuotaRemovalReconstruct covers the Cyrus admin forms
// cyradm relies on: CREATE and RENAME with a partition, SETQUOTA with no
// resources removing the root, RECONSTRUCT, and admins reading metadata.
func TestAdminPartitionsQuotaRemovalReconstruct(t *testing.T) {
	other := filepath.Join(t.TempDir(), "other")
	s := newTestSite(t, "partition-other", other)
	s.deliver("user.alice", testMessage("one"), testMessage("two"))
	root := s.login("cyrus")

	root.ok("CREATE shared-on-other other")
	e, err := s.st.Lookup(context.Background(), "shared-on-other")
	if err != nil || e.Partition != "other" {
		t.Fatalf("created entry = %+v %v", e, err)
	}
	alice := s.login("alice")
	alice.expect("CREATE mine other", "NO Permission denied")

	// Move alice's INBOX to the other partition under the same name.
	root.ok("RENAME user/alice user/alice other")
	e, _ = s.st.Lookup(context.Background(), "user.alice")
	dir, _ := s.st.Dir(e)
	if e.Partition != "other" || !strings.HasPrefix(dir, other) {
		t.Fatalf("after the partition move: %+v in %s", e, dir)
	}
	has(t, alice.ok("STATUS INBOX (MESSAGES)"), "* STATUS INBOX (MESSAGES 2)")

	root.ok("SETQUOTA user/alice (STORAGE 100)")
	root.ok("SETQUOTA user/alice ()")
	if roots, _ := s.st.QuotaRoots(context.Background(), ""); len(roots) != 0 {
		t.Fatalf("SETQUOTA () left roots: %+v", roots)
	}

	root.ok("RECONSTRUCT user/alice RECURSIVE")
	alice.expect("RECONSTRUCT INBOX", "NO Permission denied")
	has(t, alice.ok("STATUS INBOX (MESSAGES)"), "* STATUS INBOX (MESSAGES 2)")

	alice.ok(`SETMETADATA INBOX (/shared/comment "hello")`)
	has(t, root.ok(`GETMETADATA user/alice /shared/comment`), `* METADATA user/alice ("/shared/comment" "hello")`)
	root.ok(`SETMETADATA user/alice (/shared/comment "set by admin")`)
}

// TestRenameUserNeedsAllowusermoves: renaming user.X to user.Y is refused
// as Cyrus refuses it unless allowusermoves is on.
func TestRenameUserNeedsAllowusermoves(t *testing.T) {
	s := newTestSite(t)
	root := s.login("cyrus")
	root.ok("SETACL user/bob cyrus lrswipkxtecda")
	root.expect("RENAME user/bob user/robert", "NO Operation is not supported on mailbox")
	root.expect("RENAME user/bob shared-bob", "NO Operation is not supported on mailbox")

	s = newTestSite(t, "allowusermoves", "1")
	root = s.login("cyrus")
	root.ok("SETACL user/bob cyrus lrswipkxtecda")
	root.ok("RENAME user/bob user/robert")
	root.expect("RENAME user/robert shared-bob", "NO Operation is not supported on mailbox")
}

// TestAdminRenamesWithoutDeleteRight: an admin renames a user's folder
// (and its children) holding only the implicit l and a on it, as Cyrus
// 3.6.1 did building test/compat/fixtures (RENAME user/alice/Work/2024);
// an ordinary user without x is still refused.
func TestAdminRenamesWithoutDeleteRight(t *testing.T) {
	s := newTestSite(t)
	root := s.login("cyrus")
	root.ok("CREATE user/alice/Work/2024")
	root.ok("CREATE user/alice/Work/2024/Q1")
	has(t, root.ok("MYRIGHTS user/alice/Work/2024"), "* MYRIGHTS user/alice/Work/2024 la")
	root.ok("RENAME user/alice/Work/2024 user/alice/Work/Old2024")
	has(t, root.ok(`LIST "" "user/alice/Work/*"`), `* LIST (\HasNoChildren) "/" user/alice/Work/Old2024/Q1`)

	root.ok("SETACL user/alice/Work bob lrs")
	bob := s.login("bob")
	bob.expect(`RENAME "Other Users/alice/Work" Mine`, "NO Permission denied")
}

// TestReconstructCommandSyncsQuota: an admin's RECONSTRUCT makes the
// quota usage of the mailboxes it rebuilds what their indexes hold, as the
// reconstruct tool (and Cyrus's) does: both go through store.Reconstruct.
func TestReconstructCommandSyncsQuota(t *testing.T) {
	s := newTestSite(t)
	s.deliver("user.alice", testMessage("one"), testMessage("two"))
	s.deliver("user.alice.Work", testMessage("three"))
	root := s.login("cyrus")
	root.ok("SETQUOTA user/alice (MESSAGE 100)")
	has(t, root.ok("GETQUOTA user/alice"), "* QUOTA user/alice (MESSAGE 3 100)")
	// Wrong figures, as a crash between a charge and its index could leave.
	if _, _, err := quota.New(s.st.DB()).Fix(context.Background(), "user.alice", map[string]quota.Usage{}, false); err != nil {
		t.Fatal(err)
	}
	has(t, root.ok("GETQUOTA user/alice"), "* QUOTA user/alice (MESSAGE 0 100)")
	root.ok("RECONSTRUCT user/alice RECURSIVE")
	has(t, root.ok("GETQUOTA user/alice"), "* QUOTA user/alice (MESSAGE 3 100)")
}
