package store

import (
	"testing"
)

func TestSelectPartition(t *testing.T) {
	paths := map[string]string{"a": "/a", "b": "/b", "c": "/c"}
	spaces := map[string]space{
		"/a": {free: 500, total: 1000},  // 50 %, 500 free
		"/b": {free: 900, total: 10000}, // 9 %, the most bytes
		"/c": {free: 80, total: 100},    // 80 %
	}
	stat := func(p string) (space, bool) { sp, ok := spaces[p]; return sp, ok }
	fixed := func(x float64) func() float64 { return func() float64 { return x } }
	tests := []struct {
		mode string
		rnd  float64
		want string
	}{
		{"freespace-most", 0, "b"},
		{"freespace-percent-most", 0, "c"},
		{"random", 0, "a"},
		{"random", 0.5, "b"},
		{"random", 0.99, "c"},
		// Weights 50, 9, 80 (total 139).
		{"freespace-percent-weighted", 0.0, "a"},
		{"freespace-percent-weighted", 0.37, "b"}, // 51.4 falls in b's 50–59
		{"freespace-percent-weighted", 0.5, "c"},
		// Weights 41.5, 0.5, 71.5 (total 113.5).
		{"freespace-percent-weighted-delta", 0.36, "a"},
		{"freespace-percent-weighted-delta", 0.3680, "b"}, // 41.77 falls in b's 41.5–42
		{"freespace-percent-weighted-delta", 0.9, "c"},
	}
	for _, tc := range tests {
		if got := selectPartition(tc.mode, paths, stat, fixed(tc.rnd)); got != tc.want {
			t.Errorf("%s at %v = %s, want %s", tc.mode, tc.rnd, got, tc.want)
		}
	}
	// A partition whose space cannot be read is passed over.
	delete(spaces, "/b")
	if got := selectPartition("freespace-most", paths, stat, fixed(0)); got != "a" {
		t.Errorf("with b unreadable = %s, want a", got)
	}
	// None readable: still a partition.
	none := func(string) (space, bool) { return space{}, false }
	if got := selectPartition("freespace-most", paths, none, fixed(0.7)); got != "c" {
		t.Errorf("nothing readable = %s, want c (random)", got)
	}
}
