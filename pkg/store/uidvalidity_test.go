package store

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"gocyrus/pkg/mailbox"
	"gocyrus/pkg/mboxlist"
	"gocyrus/pkg/quota"
)

// uidValidityOf reads a mailbox's UIDVALIDITY from its index, checking the
// list entry says the same.
func uidValidityOf(t *testing.T, s *Store, name string) uint32 {
	t.Helper()
	mb, e, err := s.Open(context.Background(), name, quota.Ignore)
	if err != nil {
		t.Fatal(err)
	}
	defer mb.Close()
	v, err := mb.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	if e.UIDValidity != v.UIDValidity {
		t.Errorf("%s: list says uidvalidity %d, index %d", name, e.UIDValidity, v.UIDValidity)
	}
	return v.UIDValidity
}

// Issue 15 item 8: CREATE, DELETE, CREATE of one name within a second gave
// the same UIDVALIDITY both times, so (name, UIDVALIDITY, 1) named two
// different messages. Whatever the delete mode, each creation gets its own.
func TestRecreatedMailboxNewUIDValidity(t *testing.T) {
	for _, mode := range []string{"immediate", "delayed"} {
		t.Run(mode, func(t *testing.T) {
			ctx := context.Background()
			s := newStore(t, "delete_mode", mode)
			if _, err := s.CreateMailbox(ctx, "user.alice", CreateOptions{}); err != nil {
				t.Fatal(err)
			}
			start := time.Now()
			seen := map[uint32]int{}
			for i := range 3 {
				if _, err := s.CreateMailbox(ctx, "user.alice.uv1", CreateOptions{}); err != nil {
					t.Fatal(err)
				}
				v := uidValidityOf(t, s, "user.alice.uv1")
				if prev, dup := seen[v]; dup {
					t.Fatalf("creation %d got uidvalidity %d, as creation %d did", i, v, prev)
				}
				seen[v] = i
				if _, err := s.DeleteMailbox(ctx, "user.alice.uv1"); err != nil {
					t.Fatal(err)
				}
			}
			t.Logf("3 creations in %v: %v", time.Since(start), seen)
		})
	}
}

func TestConcurrentCreatesDistinctUIDValidity(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	if _, err := s.CreateMailbox(ctx, "user.bob", CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	const n = 12
	got := make([]uint32, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			e, err := s.CreateMailbox(ctx, fmt.Sprintf("user.bob.f%d", i), CreateOptions{})
			if err != nil {
				t.Error(err)
				return
			}
			got[i] = e.UIDValidity
		})
	}
	wg.Wait()
	seen := map[uint32]bool{}
	for i, v := range got {
		if v == 0 || seen[v] {
			t.Fatalf("mailbox f%d got uidvalidity %d (all: %v)", i, v, got)
		}
		seen[v] = true
	}
}

// A reconstruct of a mailbox whose index is lost gives it a new
// UIDVALIDITY from the counter and writes it into the list entry too.
func TestReconstructLostIndexTakesCounterValue(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	e, err := s.CreateMailbox(ctx, "user.carol", CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	mb, _, err := s.Open(ctx, "user.carol", quota.Ignore)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := mb.Append(ctx, []mailbox.AppendMessage{{Body: strings.NewReader("Subject: a\r\n\r\nx\r\n")}}); err != nil {
		t.Fatal(err)
	}
	mb.Close()
	dir, err := s.Dir(e)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(filepath.Join(dir, "cyrus.index")); err != nil {
		t.Fatal(err)
	}
	rep, err := s.Reconstruct(ctx, e, mailbox.ReconstructOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if rep.UIDValidity <= e.UIDValidity {
		t.Fatalf("uidvalidity after losing the index: %d, before %d", rep.UIDValidity, e.UIDValidity)
	}
	if got := uidValidityOf(t, s, "user.carol"); got != rep.UIDValidity {
		t.Errorf("index has %d, report %d", got, rep.UIDValidity)
	}
	next, err := s.CreateMailbox(ctx, "user.carol.after", CreateOptions{})
	if err != nil || next.UIDValidity <= rep.UIDValidity {
		t.Fatalf("creation after reconstruct: %+v %v", next, err)
	}
}

// A mailbox adopted from the spool (reconstruct -f) keeps its UIDVALIDITY,
// which is then never handed out again.
func TestAdoptMailboxRaisesUIDValidity(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	ahead := uint32(time.Now().Unix()) + 100000
	e := &mboxlist.Entry{Name: "user.dave", Partition: "default", UniqueID: "adopteddave0000000000000", UIDValidity: ahead}
	dir, err := s.Dir(e)
	if err != nil {
		t.Fatal(err)
	}
	if err := mailbox.Create(dir, mailbox.Header{Name: e.Name, UniqueID: e.UniqueID, UIDValidity: ahead}); err != nil {
		t.Fatal(err)
	}
	if err := s.AdoptMailbox(ctx, e); err != nil {
		t.Fatal(err)
	}
	next, err := s.CreateMailbox(ctx, "user.dave.new", CreateOptions{})
	if err != nil || next.UIDValidity <= ahead {
		t.Fatalf("creation after adopting %d: %+v %v", ahead, next, err)
	}
}
