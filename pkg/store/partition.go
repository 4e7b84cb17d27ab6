package store

import (
	"sort"

	"gocyrus/pkg/diskspace"
)

// space is a partition's free and total space in bytes.
type space struct{ free, total uint64 }

// freePercent is the share of the partition still free, 0–100.
func (s space) freePercent() float64 {
	if s.total == 0 {
		return 0
	}
	return 100 * float64(s.free) / float64(s.total)
}

// statPartition reads a partition's space from its filesystem.
func statPartition(path string) (space, bool) {
	u, err := diskspace.Stat(path)
	if err != nil {
		return space{}, false
	}
	return space{free: u.Avail, total: u.Total}, true
}

// selectPartition picks the partition of a new top-level mailbox by
// partition_select_mode, as Cyrus does when defaultpartition is unset:
// random; freespace-most (most free bytes); freespace-percent-most (most
// free share); freespace-percent-weighted (at random, weighted by free
// share); freespace-percent-weighted-delta (at random, weighted by how
// much more free share a partition has than the fullest one, plus 0.5 so
// that the fullest still has a chance). Partitions whose space cannot be
// read are left out unless none can be read.
func selectPartition(mode string, paths map[string]string, stat func(string) (space, bool), rnd func() float64) string {
	names := make([]string, 0, len(paths))
	for n := range paths {
		names = append(names, n)
	}
	sort.Strings(names)
	var known []string
	spaces := map[string]space{}
	for _, n := range names {
		if sp, ok := stat(paths[n]); ok {
			known = append(known, n)
			spaces[n] = sp
		}
	}
	if len(known) == 0 || mode == "random" {
		return names[min(int(rnd()*float64(len(names))), len(names)-1)]
	}
	switch mode {
	case "freespace-percent-most":
		return most(known, func(n string) float64 { return spaces[n].freePercent() })
	case "freespace-percent-weighted":
		return weighted(known, func(n string) float64 { return spaces[n].freePercent() }, rnd)
	case "freespace-percent-weighted-delta":
		fullest := spaces[known[0]].freePercent()
		for _, n := range known {
			fullest = min(fullest, spaces[n].freePercent())
		}
		return weighted(known, func(n string) float64 { return spaces[n].freePercent() - fullest + 0.5 }, rnd)
	default: // freespace-most, Cyrus's default
		return most(known, func(n string) float64 { return float64(spaces[n].free) })
	}
}

// most returns the first name with the highest score.
func most(names []string, score func(string) float64) string {
	best := names[0]
	for _, n := range names[1:] {
		if score(n) > score(best) {
			best = n
		}
	}
	return best
}

// weighted picks a name at random with probability proportional to its
// weight; with no weight at all, the first.
func weighted(names []string, weight func(string) float64, rnd func() float64) string {
	total := 0.0
	for _, n := range names {
		total += max(weight(n), 0)
	}
	if total <= 0 {
		return names[0]
	}
	x := rnd() * total
	for _, n := range names {
		if x -= max(weight(n), 0); x < 0 {
			return n
		}
	}
	return names[len(names)-1]
}
