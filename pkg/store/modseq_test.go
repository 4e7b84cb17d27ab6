package store

import (
	"context"
	"errors"
	"testing"
)

func highestModSeq(t *testing.T, s *Store, name string) uint64 {
	t.Helper()
	mb, _, err := s.Open(context.Background(), name, QuotaIgnore)
	if err != nil {
		t.Fatal(err)
	}
	defer mb.Close()
	v, err := mb.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	return v.HighestModSeq
}

// Cyrus's modseqs of mailbox-level changes (docs/CYRUS-BEHAVIOUR.md
// §11.3): the creation takes 1, a special use given at creation 2, each
// ACL change and mailbox annotation one more; a restored annotation
// (cyr_import) and server metadata none.
func TestMailboxChangesTakeModSeqs(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	if _, err := s.CreateMailbox(ctx, "user.alice", CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	if got := highestModSeq(t, s, "user.alice"); got != 1 {
		t.Fatalf("new mailbox: %d, want 1", got)
	}
	if _, err := s.CreateMailbox(ctx, "user.alice.Sent", CreateOptions{SpecialUse: `\Sent`}); err != nil {
		t.Fatal(err)
	}
	if got := highestModSeq(t, s, "user.alice.Sent"); got != 2 {
		t.Fatalf("created with a special use: %d, want 2", got)
	}
	for i, id := range []string{"anyone", "bob"} {
		if _, err := s.ModifyMailbox(ctx, "user.alice", func(e *Entry) error {
			var err error
			e.ACL, err = e.ACL.Apply(id, "lrs", 'x')
			return err
		}); err != nil {
			t.Fatal(err)
		}
		if got, want := highestModSeq(t, s, "user.alice"), uint64(2+i); got != want {
			t.Fatalf("after SETACL %s: %d, want %d", id, got, want)
		}
	}
	if err := s.SetMetadata(ctx, "user.alice", "/shared/comment", "", []byte("hi")); err != nil {
		t.Fatal(err)
	}
	if got := highestModSeq(t, s, "user.alice"); got != 4 {
		t.Fatalf("after SETMETADATA: %d, want 4", got)
	}
	if err := s.ImportMetadata(ctx, "user.alice", "/shared/comment", "", []byte("imported")); err != nil {
		t.Fatal(err)
	}
	if err := s.SetMetadata(ctx, "", "/shared/comment", "", []byte("server")); err != nil {
		t.Fatal(err)
	}
	if got := highestModSeq(t, s, "user.alice"); got != 4 {
		t.Fatalf("after an imported annotation and server metadata: %d, want 4", got)
	}
	// A refused change takes none.
	if _, err := s.ModifyMailbox(ctx, "user.alice", func(e *Entry) error {
		return errors.New("refused")
	}); err == nil {
		t.Fatal("a failing change succeeded")
	}
	if got := highestModSeq(t, s, "user.alice"); got != 4 {
		t.Fatalf("after a refused change: %d, want 4", got)
	}
}
