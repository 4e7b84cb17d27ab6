package imapserver

import (
	"testing"

	"gocyrus/internal/testseed"
)

// TestReportedSet checks the run set against a map, for UIDs added in
// order (a STORE) and out of order (FETCH marking, sync).
func TestReportedSet(t *testing.T) {
	rng := testseed.Rand(t)
	for round := range 200 {
		var s reportedSet
		want := map[uint32]bool{}
		n := rng.IntN(60)
		uid := uint32(1)
		for range n {
			if round%2 == 0 {
				uid += uint32(rng.IntN(3)) // in order, with repeats and gaps
			} else {
				uid = uint32(rng.IntN(80) + 1)
			}
			s.add(uid)
			want[uid] = true
		}
		if s.empty() != (len(want) == 0) {
			t.Fatalf("round %d: empty() = %v with %d UIDs", round, s.empty(), len(want))
		}
		for q := uint32(0); q < 200; q++ {
			if got := s.has(q); got != want[q] {
				t.Fatalf("round %d: has(%d) = %v, want %v (runs %v)", round, q, got, want[q], s.runs)
			}
		}
	}
}
