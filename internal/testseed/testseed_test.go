package testseed

import (
	"testing"
)

// TestReplay: the same GOCYRUS_SEED gives the same sequence, so a logged
// seed reproduces the run that logged it.
func TestReplay(t *testing.T) {
	t.Setenv(Env, "12345")
	a, b := Rand(t), Rand(t)
	for i := range 10 {
		if x, y := a.Uint64(), b.Uint64(); x != y {
			t.Fatalf("draw %d: %d != %d with the same seed", i, x, y)
		}
	}
	if got := Seed(t); got != 12345 {
		t.Fatalf("Seed = %d, want 12345", got)
	}
}
