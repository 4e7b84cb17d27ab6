package store

import (
	"context"
	"errors"
	"path/filepath"
	"slices"
	"testing"

	"gocyrus/pkg/cyrusdb"
	"gocyrus/pkg/mboxlist"
	"gocyrus/pkg/quota"
	"gocyrus/pkg/sievescripts"
)

// userFixture gives bob and alice (and bobby, whose name starts with
// bob's) everything a user leaves behind: mailboxes with messages, seen
// state on a shared folder, subscriptions, an active Sieve script, quota
// roots and metadata.
func userFixture(t *testing.T, s *Store) {
	t.Helper()
	ctx := context.Background()
	for _, n := range []string{"board", "user.alice", "user.bob", "user.bob.Sub", "user.bobby"} {
		if _, err := s.CreateMailbox(ctx, n, CreateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	appendOne(t, s, "user.bob", 10)
	appendOne(t, s, "user.bob.Sub", 10)
	board, err := s.list.Lookup(ctx, "board")
	if err != nil {
		t.Fatal(err)
	}
	sieve := sievescripts.FromConfig(s.cfg)
	l := quota.NoLimits()
	l[quota.Storage] = 1000
	for _, u := range []string{"alice", "bob", "bobby"} {
		if err := s.list.SetSeen(ctx, u, board.UniqueID, mboxlist.Seen{LastUID: 1, SeenUIDs: "1"}); err != nil {
			t.Fatal(err)
		}
		for _, sub := range []string{"board", "user." + u} {
			if err := s.list.Subscribe(ctx, u, sub); err != nil {
				t.Fatal(err)
			}
		}
		d, err := sieve.UserDir(u)
		if err != nil {
			t.Fatal(err)
		}
		if err := d.Put("main", []byte("keep;\n")); err != nil {
			t.Fatal(err)
		}
		if err := d.SetActive("main"); err != nil {
			t.Fatal(err)
		}
		if err := s.SetQuota(ctx, "user."+u, l); err != nil {
			t.Fatal(err)
		}
		// URLAUTH keys (GENURLAUTH) on a shared folder and on the own INBOX.
		inbox, err := s.list.Lookup(ctx, "user."+u)
		if err != nil {
			t.Fatal(err)
		}
		for _, id := range []string{board.UniqueID, inbox.UniqueID} {
			put := cyrusdb.Put{Key: URLAuthKeyName(u, id), Val: []byte("key of " + u)}
			if err := s.db.Txn(ctx, nil, []cyrusdb.Op{put}); err != nil {
				t.Fatal(err)
			}
		}
		for _, m := range []struct{ mbox, owner string }{{"board", u}, {"", u}, {"user." + u, u}, {"user." + u, ""}} {
			if err := s.SetMetadata(ctx, m.mbox, "/comment", m.owner, []byte("note of "+u)); err != nil {
				t.Fatal(err)
			}
		}
	}
	// Roots below the INBOX, one naming no mailbox at all.
	for _, root := range []string{"user.bob.Sub", "user.bob.Nowhere"} {
		if err := s.SetQuota(ctx, root, l); err != nil {
			t.Fatal(err)
		}
	}
}

// assertUserGone checks that nothing of bob is left where a new bob would
// find it, and that alice and bobby kept everything.
func assertUserGone(t *testing.T, s *Store) {
	t.Helper()
	ctx := context.Background()
	board, err := s.list.Lookup(ctx, "board")
	if err != nil {
		t.Fatal(err)
	}
	sieve := sievescripts.FromConfig(s.cfg)
	if err := s.list.Walk(ctx, "user.bob", func(e *mboxlist.Entry) error {
		if !e.IsDeleted() {
			t.Errorf("mailbox %s is still there", e.Name)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if seen, _ := s.list.GetSeen(ctx, "bob", board.UniqueID); seen != (mboxlist.Seen{}) {
		t.Errorf("bob's seen state on board is left: %+v", seen)
	}
	if subs, _ := s.list.Subscriptions(ctx, "bob"); len(subs) != 0 {
		t.Errorf("bob's subscriptions are left: %v", subs)
	}
	if name, _, err := sieve.Active("bob"); !errors.Is(err, sievescripts.ErrNoActive) {
		t.Errorf("bob's active script is left: %q %v", name, err)
	}
	if d, _ := sieve.UserDir("bob"); d != nil {
		if scripts, _ := d.List(); len(scripts) != 0 {
			t.Errorf("bob's scripts are left: %v", scripts)
		}
	}
	roots, _ := s.quota.List(ctx, "user.bob")
	for _, r := range roots {
		if r.Name != "user.bobby" {
			t.Errorf("quota root %s is left", r.Name)
		}
	}
	keys, _ := s.list.PrivateMetadataOf(ctx, "bob")
	for _, k := range keys {
		// Delayed-deleted mailboxes keep all their metadata until cyr_expire -D.
		if !s.IsDeletedName(k.Mailbox) {
			t.Errorf("bob's private metadata is left: %+v", k)
		}
	}
	if n := urlauthKeys(t, s, "bob"); n != 0 {
		t.Errorf("bob's URLAUTH keys are left: %d", n)
	}
	if v, _ := s.list.GetMetadata(ctx, "user.bob", "/comment", ""); v != nil {
		t.Errorf("user.bob's shared metadata is left: %q", v)
	}
	// The others keep theirs.
	for _, u := range []string{"alice", "bobby"} {
		if seen, _ := s.list.GetSeen(ctx, u, board.UniqueID); seen.SeenUIDs != "1" {
			t.Errorf("%s lost the seen state: %+v", u, seen)
		}
		if subs, _ := s.list.Subscriptions(ctx, u); len(subs) != 2 {
			t.Errorf("%s lost subscriptions: %v", u, subs)
		}
		if name, _, err := sieve.Active(u); name != "main" || err != nil {
			t.Errorf("%s lost the active script: %q %v", u, name, err)
		}
		if _, err := s.quota.Get(ctx, "user."+u); err != nil {
			t.Errorf("%s lost the quota root: %v", u, err)
		}
		if n := urlauthKeys(t, s, u); n != 2 {
			t.Errorf("%s holds %d URLAUTH keys, want 2", u, n)
		}
		for _, mbox := range []string{"board", ""} {
			if v, _ := s.list.GetMetadata(ctx, mbox, "/comment", u); string(v) != "note of "+u {
				t.Errorf("%s lost private metadata on %q: %q", u, mbox, v)
			}
		}
	}
	// The board's usage no longer counts bob's private value: it charges
	// alice's and bobby's only (board has no root: compare the records).
	if got, err := s.quota.Charged(ctx, "board"); err == nil {
		want, _ := s.list.MetadataBytes(ctx, "board")
		if got[quota.AnnotationStorage] != want {
			t.Errorf("board charges %d annotation bytes, holds %d", got[quota.AnnotationStorage], want)
		}
	}
}

// urlauthKeys counts userid's URLAUTH keys.
func urlauthKeys(t *testing.T, s *Store, userid string) int {
	t.Helper()
	n := 0
	err := s.db.Scan(context.Background(), URLAuthKeyName(userid, ""), func(_, _ []byte, _ uint64) error { n++; return nil })
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// assertRecreatedEmpty creates bob again and checks he starts from nothing.
func assertRecreatedEmpty(t *testing.T, s *Store) {
	t.Helper()
	ctx := context.Background()
	if _, err := s.CreateMailbox(ctx, "user.bob", CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	if root, found, _ := s.quota.RootOf(ctx, "user.bob"); found {
		t.Errorf("new bob is under the old quota root %s", root)
	}
	mb, _, err := s.Open(ctx, "user.bob", quota.Ignore)
	if err != nil {
		t.Fatal(err)
	}
	defer mb.Close()
	v, err := mb.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	if n := v.Exists(); n != 0 {
		t.Errorf("new bob's INBOX holds %d messages", n)
	}
	if all, _ := s.list.ListMetadata(ctx, "user.bob", "", "bob"); len(all) != 0 {
		t.Errorf("new bob's INBOX has metadata %+v", all)
	}
}

func TestDeleteUserRemovesAllTheirData(t *testing.T) {
	for _, mode := range []string{"immediate", "delayed"} {
		t.Run(mode, func(t *testing.T) {
			s := newStore(t, "delete_mode", mode, "sievedir", filepath.Join(t.TempDir(), "sieve"))
			userFixture(t, s)
			gone, err := s.DeleteUser(context.Background(), "bob")
			if err != nil {
				t.Fatal(err)
			}
			var names []string
			for _, e := range gone {
				names = append(names, e.Name)
			}
			slices.Sort(names)
			if !slices.Equal(names, []string{"user.bob", "user.bob.Sub"}) {
				t.Errorf("deleted %v", names)
			}
			assertUserGone(t, s)
			if mode == "delayed" {
				// The mailboxes wait for cyr_expire -D with their messages.
				if d, _ := s.ListDeleted(context.Background()); len(d) != 2 {
					t.Errorf("delayed-deleted mailboxes: %+v", d)
				}
			}
			assertRecreatedEmpty(t, s)
		})
	}
}

// An interruption between any two steps (or in the middle of the
// mailboxes' deletion) leaves what a second DeleteUser finishes.
func TestDeleteUserInterruptedIsFinishedByARerun(t *testing.T) {
	ctx := context.Background()
	for _, mode := range []string{"immediate", "delayed"} {
		probe := newStore(t)
		steps := len(probe.userDataSteps("bob", "user.bob"))
		for done := 0; done <= steps+1; done++ {
			s := newStore(t, "delete_mode", mode, "sievedir", filepath.Join(t.TempDir(), "sieve"))
			userFixture(t, s)
			for i, step := range s.userDataSteps("bob", "user.bob") {
				if i >= done {
					break
				}
				if err := step.run(ctx); err != nil {
					t.Fatalf("%s: step %s: %v", mode, step.what, err)
				}
			}
			if done == steps+1 {
				// Stopped among the mailboxes: the deepest went first.
				if _, err := s.DeleteMailbox(ctx, "user.bob.Sub"); err != nil {
					t.Fatal(err)
				}
			}
			if _, err := s.DeleteUser(ctx, "bob"); err != nil {
				t.Fatalf("%s: rerun after %d steps: %v", mode, done, err)
			}
			assertUserGone(t, s)
			assertRecreatedEmpty(t, s)
		}
	}
}

// A tree whose INBOX went first (or a list restored without it) is still
// deleted whole, and deleting a user twice is not an error.
func TestDeleteUserWithoutInbox(t *testing.T) {
	ctx := context.Background()
	s := newStore(t, "delete_mode", "immediate", "sievedir", filepath.Join(t.TempDir(), "sieve"))
	userFixture(t, s)
	if _, err := s.list.Delete(ctx, "user.bob", false); err != nil {
		t.Fatal(err)
	}
	if _, err := s.DeleteUser(ctx, "bob"); err != nil {
		t.Fatal(err)
	}
	assertUserGone(t, s)
	if _, err := s.DeleteUser(ctx, "bob"); err != nil {
		t.Fatalf("second deletion: %v", err)
	}
}
