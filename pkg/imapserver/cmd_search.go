package imapserver

import (
	"os"
	"strconv"
	"strings"
	"time"

	"gocyrus/pkg/imapserver/search"
	"gocyrus/pkg/imapserver/wire"
	"gocyrus/pkg/mailbox"
)

// candidates returns every message of the session's view for SEARCH,
// SORT and THREAD (messages expunged meanwhile are left out).
func (s *session) candidates() ([]search.Candidate, error) {
	sel := s.sel
	v, err := sel.mb.Snapshot()
	if err != nil {
		return nil, err
	}
	cands := make([]search.Candidate, 0, len(sel.uids))
	j := 0
	for i, uid := range sel.uids {
		for j < len(v.Records) && v.Records[j].UID < uid {
			j++
		}
		if j == len(v.Records) || v.Records[j].UID != uid {
			continue
		}
		r := v.Records[j]
		cands = append(cands, search.Candidate{
			Seq: uint32(i + 1), UID: uid, Flags: sel.flagNames(v, r), Record: r, View: v,
			Open: openerOf(sel.mb, uid),
		})
	}
	return cands, nil
}

func openerOf(mb *mailbox.Mailbox, uid uint32) func() (*os.File, error) {
	return func() (*os.File, error) { return mb.OpenMessage(uid) }
}

// match runs a search program over the session's messages.
func (s *session) match(charset string, key *wire.SearchKey) ([]search.Candidate, error) {
	if charset != "" && !search.SupportedCharset(charset) {
		return nil, noCode("BADCHARSET (US-ASCII UTF-8)", "Unrecognized character set")
	}
	if err := s.refuseSeqKeys(key); err != nil {
		return nil, err
	}
	cands, err := s.candidates()
	if err != nil {
		return nil, err
	}
	env := search.Env{Saved: s.searchRs, MaxSeq: uint32(len(s.sel.uids)), Now: time.Now(), Progress: s.progress}
	if n := len(s.sel.uids); n > 0 {
		env.MaxUID = s.sel.uids[n-1]
	}
	if len(cands) > 0 {
		uv := cands[0].View.UIDValidity
		env.TextIndex = func() search.TextIndex { return s.textIndex(uv) }
	}
	ok, err := search.Match(s.ctx, key, cands, env)
	if err != nil {
		return nil, err
	}
	out := cands[:0]
	for i, c := range cands {
		if ok[i] {
			out = append(out, c)
		}
	}
	return out, nil
}

// cmdSearch: RFC 3501 §6.4.4, UID SEARCH, ESEARCH (RFC 4731), SAVE
// (RFC 5182) and PARTIAL (RFC 9394); always ESEARCH in a rev2 session
// (RFC 9051 §7.3.4).
func cmdSearch(s *session, c wire.Command) (reply, error) {
	sc, err := wire.ParseSearch(s.r, c.UID)
	if err != nil {
		return reply{}, err
	}
	if err := s.refuseCharset(sc.Charset, false); err != nil {
		return reply{}, err
	}
	if err := s.contextTagInUse(c.Tag, sc.Return); err != nil {
		return reply{}, err
	}
	base := s.sel.modseq
	found, err := s.matchSaving(sc.Return, sc.Charset, &sc.Key)
	if err != nil {
		return reply{}, err
	}
	wantModSeq := usesModSeq(&sc.Key)
	if wantModSeq {
		s.enableCondstore(true)
	}
	if sc.Return == nil && s.enabled.rev2 {
		// RFC 9051 §6.4.4: no RETURN means RETURN (ALL), answered by
		// ESEARCH; the SEARCH response no longer exists.
		sc.Return = &wire.SearchReturn{All: true}
	}
	if sc.Return != nil {
		s.answerReturn(c, *sc.Return, found, wantModSeq)
		s.keepContext(c, sc.Return, sc.Charset, &sc.Key, nil, found, base)
		return reply{}, nil
	}
	s.writeList("SEARCH", c.UID, found, wantModSeq)
	return reply{}, nil
}

// matchSaving is match for a command that may SAVE: when the search fails
// "$" becomes empty (RFC 5182 §2.1: a NO leaves no stale result behind).
func (s *session) matchSaving(ret *wire.SearchReturn, charset string, key *wire.SearchKey) ([]search.Candidate, error) {
	found, err := s.match(charset, key)
	if err != nil && ret != nil && ret.Save {
		s.searchRs = nil
	}
	return found, err
}

// writeList sends the untagged SEARCH or SORT response: the numbers in
// found's order, then "(MODSEQ m)", the highest modseq among them, when
// the program had a MODSEQ key (RFC 7162 §3.1.5) and found is not empty.
func (s *session) writeList(name string, uid bool, found []search.Candidate, wantModSeq bool) {
	s.w.Star().Atom(name)
	var modseq uint64
	for _, f := range found {
		n := f.Seq
		if uid {
			n = f.UID
		}
		s.w.SP().Number(n)
		modseq = max(modseq, f.Record.ModSeq)
	}
	if wantModSeq && len(found) > 0 {
		s.w.Atom(" (MODSEQ ").Number64(modseq).Atom(")")
	}
	s.w.CRLF()
}

// compactSet formats ascending numbers as a sequence set ("1:3,7").
func compactSet(nums []uint32) string {
	var b strings.Builder
	for i := 0; i < len(nums); {
		j := i
		for j+1 < len(nums) && nums[j+1] == nums[j]+1 {
			j++
		}
		if b.Len() > 0 {
			b.WriteByte(',')
		}
		b.WriteString(strconv.FormatUint(uint64(nums[i]), 10))
		if j > i {
			b.WriteByte(':')
			b.WriteString(strconv.FormatUint(uint64(nums[j]), 10))
		}
		i = j + 1
	}
	return b.String()
}

// usesModSeq reports a MODSEQ key anywhere in the program (RFC 7162
// §3.1.5: the response then carries the highest modseq).
func usesModSeq(k *wire.SearchKey) bool {
	if k.Op == wire.SearchModSeq {
		return true
	}
	for i := range k.Children {
		if usesModSeq(&k.Children[i]) {
			return true
		}
	}
	return false
}

// cmdSort: RFC 5256 §3 (SORT, UID SORT), ESORT's RETURN (RFC 5267 §3)
// with SAVE and PARTIAL.
func cmdSort(s *session, c wire.Command) (reply, error) {
	sc, err := wire.ParseSort(s.r)
	if err != nil {
		return reply{}, err
	}
	if err := s.refuseCharset(sc.Charset, true); err != nil {
		return reply{}, err
	}
	if err := s.contextTagInUse(c.Tag, sc.Return); err != nil {
		return reply{}, err
	}
	base := s.sel.modseq
	found, err := s.matchSaving(sc.Return, sc.Charset, &sc.Key)
	if err != nil {
		return reply{}, err
	}
	wantModSeq := usesModSeq(&sc.Key)
	if wantModSeq {
		s.enableCondstore(true)
	}
	order, err := search.Sort(s.ctx, sc.Criteria, found)
	if err != nil {
		if sc.Return != nil && sc.Return.Save {
			s.searchRs = nil
		}
		return reply{}, err
	}
	ordered := make([]search.Candidate, len(order))
	for i, j := range order {
		ordered[i] = found[j]
	}
	if sc.Return != nil {
		s.answerReturn(c, *sc.Return, ordered, wantModSeq)
		s.keepContext(c, sc.Return, sc.Charset, &sc.Key, sc.Criteria, ordered, base)
		return reply{}, nil
	}
	s.writeList("SORT", c.UID, ordered, wantModSeq)
	return reply{}, nil
}

// cmdThread: RFC 5256 §3 (THREAD=ORDEREDSUBJECT, THREAD=REFERENCES).
func cmdThread(s *session, c wire.Command) (reply, error) {
	tc, err := wire.ParseThread(s.r)
	if err != nil {
		return reply{}, err
	}
	if err := s.refuseCharset(tc.Charset, true); err != nil {
		return reply{}, err
	}
	if tc.Algorithm != "ORDEREDSUBJECT" && tc.Algorithm != "REFERENCES" {
		return reply{}, bad("Unsupported threading algorithm " + tc.Algorithm)
	}
	found, err := s.match(tc.Charset, &tc.Key)
	if err != nil {
		return reply{}, err
	}
	if usesModSeq(&tc.Key) {
		s.enableCondstore(true)
	}
	threads, err := search.Threads(s.ctx, tc.Algorithm, found)
	if err != nil {
		return reply{}, err
	}
	num := func(i int) uint32 {
		if c.UID {
			return found[i].UID
		}
		return found[i].Seq
	}
	var b strings.Builder
	for _, t := range threads {
		b.WriteByte('(')
		writeThreadMembers(&b, t, num)
		b.WriteByte(')')
	}
	s.w.Star().Atom("THREAD")
	if b.Len() > 0 {
		s.w.SP().Atom(b.String())
	}
	s.w.CRLF()
	return reply{}, nil
}

// writeThreadMembers formats a thread node per RFC 5256's grammar: a
// message followed by its only child in a chain, or by one parenthesised
// list per child when it has several (a dummy parent has no number).
func writeThreadMembers(b *strings.Builder, t *search.Thread, num func(int) uint32) {
	if t.Index >= 0 {
		b.WriteString(strconv.FormatUint(uint64(num(t.Index)), 10))
		if len(t.Children) == 1 {
			b.WriteByte(' ')
			writeThreadMembers(b, t.Children[0], num)
			return
		}
		if len(t.Children) > 0 {
			b.WriteByte(' ')
		}
	} else if len(t.Children) == 1 {
		writeThreadMembers(b, t.Children[0], num)
		return
	}
	for _, ch := range t.Children {
		b.WriteByte('(')
		writeThreadMembers(b, ch, num)
		b.WriteByte(')')
	}
}
