package search

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/emersion/go-imap/v2"

	"gocyrus/pkg/imapserver/wire"
)

// cost orders AND/OR children so cheap keys decide first.
type cost int

const (
	costIndex cost = iota // from the Candidate alone
	costCache             // cached header fields
	costFile              // the message file
)

// node is a compiled search key.
type node struct {
	op    wire.SearchOp
	kids  []*node
	cost  cost
	flag  string
	field string // header field name, lower case
	n     needle
	day   time.Time
	num   uint64
	set   numSet
	id    []byte // EMAILID: the GUID prefix it names; nil matches nothing

	// BODY and TEXT: the needle's grams, and the index's answer for
	// them when Env.TextIndex gave one (grams.go).
	grams []uint32
	idx   TextIndex
	hits  []uint32
}

// numSet is a sequence set with "*" resolved, or the saved result.
type numSet struct {
	saved  bool
	ranges [][2]uint32
}

func (s numSet) contains(seq, uid uint32, saved []uint32) bool {
	if s.saved {
		_, ok := slices.BinarySearch(saved, uid)
		return ok
	}
	for _, r := range s.ranges {
		if r[0] <= seq && seq <= r[1] {
			return true
		}
	}
	return false
}

// compile checks key and prepares it for evaluation.
func compile(key *wire.SearchKey, env *Env, depth int) (*node, error) {
	if depth > 1000 {
		return nil, fmt.Errorf("search: program nested too deeply")
	}
	n := &node{op: key.Op}
	switch key.Op {
	case wire.SearchAll, wire.SearchLarger, wire.SearchSmaller, wire.SearchModSeq,
		wire.SearchBefore, wire.SearchOn, wire.SearchSince:
		n.num, n.day = key.Number, key.Date
	case wire.SearchSentBefore, wire.SearchSentOn, wire.SearchSentSince:
		n.day, n.cost = key.Date, costCache
	case wire.SearchOlder, wire.SearchYounger:
		n.num = key.Number
	case wire.SearchFlag, wire.SearchNoFlag:
		n.flag = string(key.Flag)
	case wire.SearchHeader:
		if key.Field == "" {
			return nil, fmt.Errorf("search: HEADER without a field name")
		}
		// The cache holds whole header blocks (all but huge ones), so a
		// header test is a cache test; evalHeader falls back to the file.
		n.field, n.n, n.cost = strings.ToLower(key.Field), newNeedle(key.Value), costCache
	case wire.SearchBody, wire.SearchText:
		n.n, n.cost = newNeedle(key.Value), costFile
		n.grams = needleGrams(n.n)
	case wire.SearchSeq:
		n.set = resolveSet(key.Set, env.MaxSeq)
	case wire.SearchUID:
		n.set = resolveSet(key.Set, env.MaxUID)
	case wire.SearchAnd, wire.SearchOr, wire.SearchNot:
		want := map[wire.SearchOp]int{wire.SearchOr: 2, wire.SearchNot: 1}[key.Op]
		if (want > 0 && len(key.Children) != want) || len(key.Children) == 0 {
			return nil, fmt.Errorf("search: operator %d with %d operands", key.Op, len(key.Children))
		}
		for i := range key.Children {
			k, err := compile(&key.Children[i], env, depth+1)
			if err != nil {
				return nil, err
			}
			n.kids = append(n.kids, k)
			n.cost = max(n.cost, k.cost)
		}
		slices.SortStableFunc(n.kids, func(a, b *node) int { return int(a.cost) - int(b.cost) })
	default:
		if compileObjData(key, n) {
			return n, nil
		}
		return nil, fmt.Errorf("search: unknown search key type %d", key.Op)
	}
	return n, nil
}

// resolveSet turns a sequence or UID set into closed ranges, with "*" as
// max and reversed ranges ("5:2", "*:3") put in order; "$" refers to the
// saved result.
func resolveSet(set imap.NumSet, max uint32) numSet {
	if set == nil {
		return numSet{}
	}
	if imap.IsSearchRes(set) {
		return numSet{saved: true}
	}
	var raw [][2]uint32
	switch s := set.(type) {
	case imap.SeqSet:
		for _, r := range s {
			raw = append(raw, [2]uint32{r.Start, r.Stop})
		}
	case imap.UIDSet:
		for _, r := range s {
			raw = append(raw, [2]uint32{uint32(r.Start), uint32(r.Stop)})
		}
	}
	out := numSet{ranges: make([][2]uint32, 0, len(raw))}
	for _, r := range raw {
		for i := range r {
			if r[i] == 0 {
				r[i] = max
			}
		}
		if r[0] > r[1] {
			r[0], r[1] = r[1], r[0]
		}
		if r[1] != 0 {
			out.ranges = append(out.ranges, r)
		}
	}
	return out
}
