package imapserver

import (
	"errors"
	"slices"
	"strconv"
	"strings"
)

// seenSet is a user's \Seen UIDs of a mailbox the user does not own, as
// ascending, disjoint, non-adjacent UID ranges. Its text form
// (mboxlist.Seen.SeenUIDs) is an IMAP sequence set of UIDs, "1:3,7", as
// Cyrus's seen database keeps it. Ranges, not UIDs: "1:4294967295" is a
// lawful record (a reader who marked everything read), and its cost must
// be its length, not its span.
type seenSet []seenRange

// seenRange is the UIDs lo..hi, both included.
type seenRange struct{ lo, hi uint32 }

var errBadSeenSet = errors.New("malformed seen UID set")

// parseSeenSet reads the text form; "" is the empty set. Ranges may come
// in any order and overlap.
func parseSeenSet(text string) (seenSet, error) {
	if text == "" {
		return nil, nil
	}
	var rs []seenRange
	for _, part := range strings.Split(text, ",") {
		lo, hi, isRange := strings.Cut(part, ":")
		a, err := strconv.ParseUint(lo, 10, 32)
		if err != nil || a == 0 {
			return nil, errBadSeenSet
		}
		b := a
		if isRange {
			if b, err = strconv.ParseUint(hi, 10, 32); err != nil || b == 0 {
				return nil, errBadSeenSet
			}
		}
		rs = append(rs, seenRange{uint32(min(a, b)), uint32(max(a, b))})
	}
	return normalize(rs), nil
}

// normalize sorts rs and merges overlapping and adjacent ranges, in place.
func normalize(rs []seenRange) seenSet {
	slices.SortFunc(rs, func(x, y seenRange) int {
		switch {
		case x.lo < y.lo:
			return -1
		case x.lo > y.lo:
			return 1
		}
		return 0
	})
	out := rs[:0]
	for _, r := range rs {
		if n := len(out); n > 0 && uint64(r.lo) <= uint64(out[n-1].hi)+1 {
			out[n-1].hi = max(out[n-1].hi, r.hi)
			continue
		}
		out = append(out, r)
	}
	return seenSet(out)
}

// rangesOf returns uids (in any order, repeats allowed) as ranges.
func rangesOf(uids []uint32) []seenRange {
	rs := make([]seenRange, 0, len(uids))
	for _, u := range uids {
		rs = append(rs, seenRange{u, u})
	}
	return rs
}

// String is the text form.
func (s seenSet) String() string {
	var b strings.Builder
	for i, r := range s {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(strconv.FormatUint(uint64(r.lo), 10))
		if r.hi != r.lo {
			b.WriteByte(':')
			b.WriteString(strconv.FormatUint(uint64(r.hi), 10))
		}
	}
	return b.String()
}

// has reports whether uid is seen.
func (s seenSet) has(uid uint32) bool {
	i, _ := slices.BinarySearchFunc(s, uid, func(r seenRange, u uint32) int {
		switch {
		case r.hi < u:
			return -1
		case r.lo > u:
			return 1
		}
		return 0
	})
	return i < len(s) && s[i].lo <= uid && uid <= s[i].hi
}

// with returns s plus uids.
func (s seenSet) with(uids []uint32) seenSet {
	if len(uids) == 0 {
		return s
	}
	return normalize(append(slices.Clone([]seenRange(s)), rangesOf(uids)...))
}

// without returns s minus uids.
func (s seenSet) without(uids []uint32) seenSet {
	if len(uids) == 0 {
		return s
	}
	drop := slices.Clone(uids)
	slices.Sort(drop)
	drop = slices.Compact(drop)
	var out seenSet
	j := 0
	for _, r := range s {
		for j < len(drop) && drop[j] < r.lo {
			j++
		}
		lo := r.lo
		for ; j < len(drop) && drop[j] <= r.hi; j++ {
			if drop[j] > lo {
				out = append(out, seenRange{lo, drop[j] - 1})
			}
			if drop[j] == r.hi {
				lo, j = 0, j+1
				break
			}
			lo = drop[j] + 1
		}
		if lo != 0 {
			out = append(out, seenRange{lo, r.hi})
		}
	}
	return out
}

// changedAmong returns those of uids whose \Seen differs between s and t,
// ascending without repeats: the messages a change has to be reported for.
func (s seenSet) changedAmong(t seenSet, uids []uint32) []uint32 {
	var out []uint32
	for _, u := range uids {
		if s.has(u) != t.has(u) {
			out = append(out, u)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}
