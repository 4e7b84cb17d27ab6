// Package testseed gives every randomized test a seed it logs and can be
// re-run with: a failure seen once on a busy machine must be reproducible.
// GOCYRUS_SEED=<n> replays a run; without it each test draws a fresh seed.
package testseed

import (
	"math/rand/v2"
	"os"
	"strconv"
	"testing"
)

// Env names the variable that replays a logged seed.
const Env = "GOCYRUS_SEED"

// Seed returns the seed for t (GOCYRUS_SEED when set, else a fresh one)
// and logs it with the command that replays it.
func Seed(t testing.TB) uint64 {
	t.Helper()
	if s := os.Getenv(Env); s != "" {
		v, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			t.Fatalf("%s=%q: %v", Env, s, err)
		}
		t.Logf("seed %d (from %s)", v, Env)
		return v
	}
	v := rand.Uint64()
	t.Logf("seed %d (replay with %s=%d)", v, Env, v)
	return v
}

// Rand returns a generator seeded by Seed(t).
func Rand(t testing.TB) *rand.Rand {
	t.Helper()
	s := Seed(t)
	return rand.New(rand.NewPCG(s, s^0x9e3779b97f4a7c15))
}
