package soak

import (
	"fmt"
	"sort"
	"strings"
)

// rssSlack is how far a program's RssAnon may rise in the second half of
// a soak over its highest point in the first half. Memory that is still
// climbing once every code path has warmed up is a leak; the first half
// is the warm-up (caches, buffers for every client, the GC's headroom).
const rssSlack = 16 << 10 // KiB

// rssGrowth compares, per program, the highest RssAnon (KiB) sampled in
// the second half of the run with the highest in the first half and
// describes each program that rose by more than rssSlack.
func rssGrowth(samples []map[string]int64) []string {
	if len(samples) < 4 {
		return nil
	}
	half := len(samples) / 2
	peak := func(part []map[string]int64) map[string]int64 {
		m := map[string]int64{}
		for _, s := range part {
			for prog, kib := range s {
				m[prog] = max(m[prog], kib)
			}
		}
		return m
	}
	first, second := peak(samples[:half]), peak(samples[half:])
	var grew []string
	for prog, late := range second {
		if early, ok := first[prog]; ok && late > early+rssSlack {
			grew = append(grew, fmt.Sprintf("%s RssAnon still rising: peak %d KiB in the first half, %d KiB in the second", prog, early, late))
		}
	}
	sort.Strings(grew)
	return grew
}

// rssSeries prints each program's samples in order, one line per program.
func rssSeries(samples []map[string]int64) string {
	progs := map[string]bool{}
	for _, s := range samples {
		for p := range s {
			progs[p] = true
		}
	}
	var names []string
	for p := range progs {
		names = append(names, p)
	}
	sort.Strings(names)
	var lines []string
	for _, p := range names {
		var vals []string
		for _, s := range samples {
			vals = append(vals, fmt.Sprint(s[p]))
		}
		lines = append(lines, fmt.Sprintf("  %-10s %s", p, strings.Join(vals, " ")))
	}
	return strings.Join(lines, "\n")
}
