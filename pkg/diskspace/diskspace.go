package diskspace

import (
	"fmt"

	"golang.org/x/sys/unix"
)

// Usage is one filesystem's space in bytes.
type Usage struct {
	Total uint64 // the filesystem's size
	Used  uint64 // allocated (total minus free, the root reserve counted as free)
	Avail uint64 // still writable by a user other than root
}

// Stat reads the space of the filesystem holding path.
func Stat(path string) (Usage, error) {
	var st unix.Statfs_t
	if err := unix.Statfs(path, &st); err != nil {
		return Usage{}, fmt.Errorf("statfs %s: %w", path, err)
	}
	unit := uint64(st.Frsize)
	if unit == 0 {
		unit = uint64(st.Bsize)
	}
	return FromBlocks(unit, st.Blocks, st.Bfree, st.Bavail), nil
}

// FromBlocks turns statvfs's block counts into a Usage; free counts the
// root reserve, avail does not.
func FromBlocks(unit, blocks, free, avail uint64) Usage {
	used := uint64(0)
	if blocks > free {
		used = blocks - free
	}
	return Usage{Total: blocks * unit, Used: used * unit, Avail: avail * unit}
}

// Percent is the share of the space a user may fill that is used, rounded
// to the nearest whole percent as df and Cyrus's cyr_df print it: used
// over used plus available, so the root reserve does not count (a full
// filesystem shows 100% even with the reserve left).
func (u Usage) Percent() int {
	if u.Used+u.Avail == 0 {
		return 0
	}
	return int(float64(u.Used)*100/float64(u.Used+u.Avail) + 0.5)
}
