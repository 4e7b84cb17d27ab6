package imapserver

import (
	"slices"
	"sort"
)

// reportedSet holds the UIDs whose current flags this command already
// sent (STORE, FETCH setting \Seen), so that sync does not send them
// again. It keeps runs of UIDs: a STORE over a whole mailbox adds its UIDs
// in order, which makes one run per gap rather than a map entry per
// message; sync asks in UID order too, so a cursor answers most questions
// without a search.
type reportedSet struct {
	runs     []uidRange // lo+1 .. hi
	unsorted bool       // a UID was added below the last run
	cursor   int        // the run that answered last
}

// add notes uid.
func (s *reportedSet) add(uid uint32) {
	if n := len(s.runs); n > 0 {
		last := &s.runs[n-1]
		switch {
		case uid > last.lo && uid <= last.hi:
			return
		case uid == last.hi+1:
			last.hi = uid
			return
		case uid <= last.lo:
			s.unsorted = true
		}
	}
	s.runs = append(s.runs, uidRange{uid - 1, uid})
}

// empty reports whether nothing was noted.
func (s *reportedSet) empty() bool { return len(s.runs) == 0 }

// has reports whether uid was noted.
func (s *reportedSet) has(uid uint32) bool {
	if s.unsorted {
		s.normalize()
	}
	if c := s.cursor; c < len(s.runs) && uid > s.runs[c].lo && uid <= s.runs[c].hi {
		return true
	}
	// The first run ending at or above uid holds it if any does.
	i := sort.Search(len(s.runs), func(i int) bool { return s.runs[i].hi >= uid })
	if i < len(s.runs) && uid > s.runs[i].lo {
		s.cursor = i
		return true
	}
	return false
}

// normalize sorts the runs and merges those that overlap or touch, so
// that they are ascending and disjoint.
func (s *reportedSet) normalize() {
	slices.SortFunc(s.runs, func(a, b uidRange) int {
		switch {
		case a.lo < b.lo:
			return -1
		case a.lo > b.lo:
			return 1
		}
		return 0
	})
	out := s.runs[:1]
	for _, r := range s.runs[1:] {
		last := &out[len(out)-1]
		if r.lo <= last.hi {
			last.hi = max(last.hi, r.hi)
			continue
		}
		out = append(out, r)
	}
	s.runs, s.unsorted, s.cursor = out, false, 0
}
