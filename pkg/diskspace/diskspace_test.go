package diskspace

import "testing"

// TestPercentRoundsLikeCyrus checks the Use% column on the cases that
// tell a rounding rule apart: exact, half up, below half, the root
// reserve left out, and an empty filesystem (no division by zero).
func TestPercentRoundsLikeCyrus(t *testing.T) {
	for _, c := range []struct {
		blocks, free, avail uint64
		want                int
	}{
		{100, 50, 50, 50},
		{1000, 995, 995, 1}, // 0.5% rounds up
		{1000, 996, 996, 0}, // 0.4% rounds down
		{100, 10, 0, 100},   // only the root reserve left
		{100, 60, 50, 44},   // 40 / (40+50) = 44.4%
		{0, 0, 0, 0},        // nothing at all
		{10, 20, 5, 0},      // a kernel reporting more free than total
		{264212084, 231124908, 62413088, 35},
	} {
		u := FromBlocks(1024, c.blocks, c.free, c.avail)
		if got := u.Percent(); got != c.want {
			t.Errorf("blocks %d free %d avail %d: %d%%, want %d%%", c.blocks, c.free, c.avail, got, c.want)
		}
	}
}

// TestStat reads a real filesystem and an absent path.
func TestStat(t *testing.T) {
	u, err := Stat(t.TempDir())
	if err != nil || u.Total == 0 || u.Used > u.Total || u.Avail > u.Total {
		t.Errorf("Stat(tempdir) = %+v, %v", u, err)
	}
	if _, err := Stat(t.TempDir() + "/nosuch"); err == nil {
		t.Error("Stat of a missing path: no error")
	}
}
