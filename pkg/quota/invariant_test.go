package quota

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"
	"time"
)

// TestUsageIsSumOfRecords races charges (as separate Stores, i.e.
// processes, some caching roots) against roots being created, removed and
// mailboxes renamed, then checks that every root's usage, and the unrooted
// usage, is exactly the sum of the records of the mailboxes it governs.
func TestUsageIsSumOfRecords(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	base := openStore(t)
	names := []string{"user.a", "user.a.x", "user.a.x.y", "user.b", "user.b.z"}
	var wg sync.WaitGroup
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s := New(base.db)
			s.CacheRoots(w%2 == 0)
			rng := rand.New(rand.NewPCG(seed, uint64(w)))
			for i := 0; i < 150; i++ {
				m := names[rng.IntN(len(names))]
				d := Usage{int64(rng.IntN(100)), 1}
				r, err := s.Reserve(ctx, m, d, Ignore)
				if err != nil {
					t.Error(err)
					return
				}
				if rng.IntN(4) == 0 {
					r.Release()
				}
			}
		}()
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		s := New(base.db)
		rng := rand.New(rand.NewPCG(seed, 99))
		for i := 0; i < 60; i++ {
			root := names[rng.IntN(len(names))]
			var err error
			switch rng.IntN(3) {
			case 0:
				err = s.Set(ctx, root, NoLimits())
			case 1:
				err = s.Remove(ctx, root)
				if errors.Is(err, ErrNoRoot) {
					err = nil
				}
			case 2: // rename user.b.z away and back
				err = s.Rename(ctx, []Move{{"user.b.z", "user.a.z"}}, true)
				if err == nil {
					err = s.Rename(ctx, []Move{{"user.a.z", "user.b.z"}}, true)
				}
			}
			if err != nil {
				t.Error(err)
				return
			}
		}
	}()
	wg.Wait()
	checkSums(t, base)
}

// checkSums asserts the invariant: usage = Σ records governed.
func checkSums(t *testing.T, s *Store) {
	t.Helper()
	ctx := context.Background()
	roots, err := s.rootNames(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]Usage{}
	err = s.scanCharges(ctx, "", func(m string, u Usage, _ uint64) error {
		for r := range roots {
			if governedBy(m, r, roots) {
				w := want[r]
				w.add(u, 1)
				want[r] = w
				return nil
			}
		}
		w := want[""]
		w.add(u, 1)
		want[""] = w
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for r := range roots {
		got, _, err := s.vector(ctx, usageKey(r))
		if err != nil || Usage(got) != want[r] {
			t.Errorf("root %s: usage %v, records sum to %v (%v)", r, got, want[r], err)
		}
	}
	got, _, _ := s.vector(ctx, unrootedKey)
	if Usage(got) != want[""] {
		t.Errorf("unrooted usage %v, records sum to %v", got, want[""])
	}
	if t.Failed() {
		t.Log(fmt.Sprint("roots ", roots))
	}
}
