package mboxlist

import (
	"context"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// TestUpdateSeenConcurrent: concurrent read-modify-writes of one seen
// record lose nothing. Half the writers claim the next LastUID (the
// \Recent claim: each value must be claimed by exactly one writer), half
// add a UID to SeenUIDs (which must not roll LastUID back, nor be lost).
func TestUpdateSeenConcurrent(t *testing.T) {
	ctx := context.Background()
	l := openList(t)
	const writers, rounds = 8, 25
	var (
		wg      sync.WaitGroup
		mu      sync.Mutex
		claimed = map[uint32]int{}
		errs    = make(chan error, writers)
	)
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range rounds {
				if w%2 == 0 {
					var got uint32
					_, err := l.UpdateSeen(ctx, "bob", "uid1", func(s *Seen) (bool, error) {
						s.LastUID++
						got = s.LastUID
						return true, nil
					})
					if err != nil {
						errs <- err
						return
					}
					mu.Lock()
					claimed[got]++
					mu.Unlock()
					continue
				}
				uid := strconv.Itoa(1 + w*rounds + i)
				_, err := l.UpdateSeen(ctx, "bob", "uid1", func(s *Seen) (bool, error) {
					if s.SeenUIDs != "" {
						s.SeenUIDs += ","
					}
					s.SeenUIDs += uid
					return true, nil
				})
				if err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	s, err := l.GetSeen(ctx, "bob", "uid1")
	if err != nil {
		t.Fatal(err)
	}
	claims := uint32(writers / 2 * rounds)
	if s.LastUID != claims {
		t.Errorf("LastUID %d, want %d", s.LastUID, claims)
	}
	for v := uint32(1); v <= claims; v++ {
		if claimed[v] != 1 {
			t.Errorf("LastUID %d claimed %d times, want once", v, claimed[v])
		}
	}
	for w := 1; w < writers; w += 2 {
		for i := range rounds {
			uid := strconv.Itoa(1 + w*rounds + i)
			found := false
			for _, u := range strings.Split(s.SeenUIDs, ",") {
				found = found || u == uid
			}
			if !found {
				t.Errorf("seen UID %s lost", uid)
			}
		}
	}
}

// TestUpdateSeenDeclined: fn returning false writes nothing.
func TestUpdateSeenDeclined(t *testing.T) {
	ctx := context.Background()
	l := openList(t)
	got, err := l.UpdateSeen(ctx, "bob", "uid1", func(s *Seen) (bool, error) {
		s.LastUID = 9
		return false, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if got.LastUID != 9 {
		t.Errorf("returned %+v", got)
	}
	if s, _ := l.GetSeen(ctx, "bob", "uid1"); s != (Seen{}) {
		t.Errorf("declined update stored %+v", s)
	}
}
