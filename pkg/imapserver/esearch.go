package imapserver

import (
	"slices"

	"gocyrus/pkg/imapserver/search"
	"gocyrus/pkg/imapserver/wire"
)

// searchCapabilities are the SEARCH and SORT extensions answered here and
// in cmd_search.go: ESORT (RFC 5267 §3), SORT=DISPLAY (RFC 5957), WITHIN
// (RFC 5032), SEARCHRES (RFC 5182), PARTIAL (RFC 9394), and CONTEXT=SEARCH
// and CONTEXT=SORT (RFC 5267 §4, context.go).
var searchCapabilities = []string{"ESORT", "SORT=DISPLAY", "WITHIN", "SEARCHRES", "PARTIAL", "CONTEXT=SEARCH", "CONTEXT=SORT"}

// answerReturn answers SEARCH or SORT with RETURN options: it saves "$"
// when SAVE is asked and sends one ESEARCH response unless SAVE is all
// that was asked (RFC 5182 §2.1). ordered is the result in the order the
// command defines: ascending for SEARCH, the sort order for SORT.
func (s *session) answerReturn(c wire.Command, ret wire.SearchReturn, ordered []search.Candidate, wantModSeq bool) {
	if ret.Save {
		s.searchRs = uidsSorted(savedOf(ret, ordered))
		if !ret.Reports() {
			return
		}
	}
	if !ret.Reports() {
		ret.All = true
	}
	var modseq uint64
	if wantModSeq {
		for _, f := range reportedOf(ret, ordered) {
			modseq = max(modseq, f.Record.ModSeq)
		}
	}
	s.writeESearch(c, ret, ordered, modseq)
}

// savedOf is what SAVE keeps (RFC 5182 §2.4): the whole result when ALL
// or COUNT is asked too, or nothing else is; else only the messages the
// other options report (MIN, MAX, the PARTIAL range). RFC 9394 §3.2 says
// the same of PARTIAL: with SAVE and no MIN/MAX/COUNT, "$" holds the
// messages the PARTIAL returns (plus MIN/MAX when asked); with COUNT, all
// messages found.
func savedOf(ret wire.SearchReturn, ordered []search.Candidate) []search.Candidate {
	if ret.All || ret.Count || !ret.Reports() {
		return ordered
	}
	return reportedOf(ret, ordered)
}

// reportedOf returns the messages an ESEARCH response with ret names: the
// whole result for ALL or COUNT, else the MIN and MAX messages and the
// PARTIAL range. Its MODSEQ is their highest (RFC 4731 §3.2, RFC 7162
// §3.1.5).
func reportedOf(ret wire.SearchReturn, ordered []search.Candidate) []search.Candidate {
	if len(ordered) == 0 {
		return nil
	}
	if ret.All || ret.Count {
		return ordered
	}
	var out []search.Candidate
	if ret.Partial != nil {
		out = append(out, partialOf(*ret.Partial, ordered)...)
	}
	lo, hi := extremes(ordered)
	if ret.Min {
		out = append(out, ordered[lo])
	}
	if ret.Max {
		out = append(out, ordered[hi])
	}
	return out
}

// extremes returns the indices of the messages with the lowest and the
// highest number: MIN and MAX are numeric for SORT too, as in Cyrus.
func extremes(ordered []search.Candidate) (lo, hi int) {
	for i, f := range ordered {
		if f.Seq < ordered[lo].Seq {
			lo = i
		}
		if f.Seq > ordered[hi].Seq {
			hi = i
		}
	}
	return lo, hi
}

// partialOf returns the positions p names in ordered (RFC 9394 §3.1): a
// range past the end yields what exists of it, possibly nothing.
func partialOf(p wire.PartialRange, ordered []search.Candidate) []search.Candidate {
	n := uint64(len(ordered))
	lo, hi := uint64(p.Lo), uint64(p.Hi) // 1-based, lo <= hi
	if lo > n {
		return nil
	}
	hi = min(hi, n)
	if p.FromEnd {
		// -1 is the last message: position n+1-k.
		return ordered[n-hi : n+1-lo]
	}
	return ordered[lo-1 : hi]
}

func uidsSorted(found []search.Candidate) []uint32 {
	out := make([]uint32, len(found))
	for i, f := range found {
		out[i] = f.UID
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// writeESearch sends "* ESEARCH (TAG "t") [UID] COUNT n MIN n MAX n ALL
// set PARTIAL (range set) [MODSEQ m]" (Cyrus's order), MODSEQ when modseq
// is not 0. The
// sets keep ordered's order: a range only stands for ascending runs
// (RFC 5267 §3.2).
func (s *session) writeESearch(c wire.Command, ret wire.SearchReturn, ordered []search.Candidate, modseq uint64) {
	num := func(f search.Candidate) uint32 {
		if c.UID {
			return f.UID
		}
		return f.Seq
	}
	nums := func(fs []search.Candidate) []uint32 {
		out := make([]uint32, len(fs))
		for i, f := range fs {
			out[i] = num(f)
		}
		return out
	}
	w := s.w
	w.Star().Atom("ESEARCH (TAG ").String(c.Tag).Atom(")")
	if c.UID {
		w.Atom(" UID")
	}
	if ret.Count {
		w.Atom(" COUNT ").Number(uint32(len(ordered)))
	}
	if len(ordered) > 0 {
		lo, hi := extremes(ordered)
		if ret.Min {
			w.Atom(" MIN ").Number(num(ordered[lo]))
		}
		if ret.Max {
			w.Atom(" MAX ").Number(num(ordered[hi]))
		}
	}
	if ret.All && len(ordered) > 0 {
		w.Atom(" ALL ").Atom(compactSet(nums(ordered)))
	}
	if ret.Partial != nil {
		w.Atom(" PARTIAL (").Atom(ret.Partial.String()).SP()
		if part := partialOf(*ret.Partial, ordered); len(part) > 0 {
			w.Atom(compactSet(nums(part)))
		} else {
			w.Atom("NIL")
		}
		w.Atom(")")
	}
	if modseq != 0 && len(ordered) > 0 {
		w.Atom(" MODSEQ ").Number64(modseq)
	}
	w.CRLF()
}
