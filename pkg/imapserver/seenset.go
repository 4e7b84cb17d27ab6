package imapserver

import (
	"errors"
	"slices"
	"strconv"
	"strings"
)

// seenSet is a user's \Seen UIDs of a mailbox the user does not own,
// ascending without duplicates. Its text form (mboxlist.Seen.SeenUIDs)
// is an IMAP sequence set of UIDs, "1:3,7", as Cyrus's seen database
// keeps it.
type seenSet []uint32

var errBadSeenSet = errors.New("malformed seen UID set")

// parseSeenSet reads the text form; "" is the empty set. Ranges may come
// in any order and overlap.
func parseSeenSet(text string) (seenSet, error) {
	if text == "" {
		return nil, nil
	}
	var out seenSet
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
		if a > b {
			a, b = b, a
		}
		if b-a > 1<<24 {
			return nil, errBadSeenSet // no mailbox holds that many messages
		}
		for u := a; u <= b; u++ {
			out = append(out, uint32(u))
		}
	}
	slices.Sort(out)
	return slices.Compact(out), nil
}

// String is the text form.
func (s seenSet) String() string { return compactSet(s) }

// has reports whether uid is seen.
func (s seenSet) has(uid uint32) bool {
	_, ok := slices.BinarySearch(s, uid)
	return ok
}

// with returns s plus uids.
func (s seenSet) with(uids []uint32) seenSet {
	out := append(slices.Clone(s), uids...)
	slices.Sort(out)
	return slices.Compact(out)
}

// without returns s minus uids.
func (s seenSet) without(uids []uint32) seenSet {
	drop := slices.Clone(uids)
	slices.Sort(drop)
	return slices.DeleteFunc(slices.Clone(s), func(u uint32) bool {
		_, ok := slices.BinarySearch(drop, u)
		return ok
	})
}

// diff returns the UIDs seen in exactly one of s and t.
func (s seenSet) diff(t seenSet) []uint32 {
	var out []uint32
	i, j := 0, 0
	for i < len(s) || j < len(t) {
		switch {
		case j == len(t) || (i < len(s) && s[i] < t[j]):
			out = append(out, s[i])
			i++
		case i == len(s) || t[j] < s[i]:
			out = append(out, t[j])
			j++
		default:
			i++
			j++
		}
	}
	return out
}
