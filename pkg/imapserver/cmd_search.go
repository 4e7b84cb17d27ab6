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
	env := search.Env{Saved: s.searchRs, MaxSeq: uint32(len(s.sel.uids)), Now: time.Now()}
	if n := len(s.sel.uids); n > 0 {
		env.MaxUID = s.sel.uids[n-1]
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

// cmdSearch: RFC 3501 §6.4.4, UID SEARCH, ESEARCH (RFC 4731) and SAVE
// (RFC 5182); always ESEARCH in a rev2 session (RFC 9051 §7.3.4).
func cmdSearch(s *session, c wire.Command) (reply, error) {
	sc, err := wire.ParseSearch(s.r, c.UID)
	if err != nil {
		return reply{}, err
	}
	found, err := s.match(sc.Charset, &sc.Key)
	if err != nil {
		return reply{}, err
	}
	nums := make([]uint32, len(found))
	for i, f := range found {
		nums[i] = f.Seq
		if c.UID {
			nums[i] = f.UID
		}
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
	if sc.Return == nil {
		s.w.Star().Atom("SEARCH")
		for _, n := range nums {
			s.w.SP().Number(n)
		}
		if wantModSeq && len(nums) > 0 {
			s.w.Atom(" (MODSEQ ").Number64(esearchModSeq(wire.SearchReturn{All: true}, found)).Atom(")")
		}
		s.w.CRLF()
		return reply{}, nil
	}
	ret := *sc.Return
	if ret.Save {
		s.searchRs = make([]uint32, len(found))
		for i, f := range found {
			s.searchRs[i] = f.UID
		}
		if !ret.Min && !ret.Max && !ret.All && !ret.Count {
			return reply{}, nil // RFC 5182 §2.1: SAVE alone sends nothing
		}
	}
	if !ret.Min && !ret.Max && !ret.All && !ret.Count {
		ret.All = true
	}
	var modseq uint64
	if wantModSeq {
		modseq = esearchModSeq(ret, found)
	}
	s.writeESearch(c, ret, nums, modseq)
	return reply{}, nil
}

// writeESearch sends "* ESEARCH (TAG "t") [UID] MIN n MAX n COUNT n ALL
// set [MODSEQ m]", MODSEQ when modseq is not 0 (esearchModSeq).
func (s *session) writeESearch(c wire.Command, ret wire.SearchReturn, nums []uint32, modseq uint64) {
	w := s.w
	w.Star().Atom("ESEARCH (TAG ").String(c.Tag).Atom(")")
	if c.UID {
		w.Atom(" UID")
	}
	if len(nums) > 0 {
		if ret.Min {
			w.Atom(" MIN ").Number(slicesMin(nums))
		}
		if ret.Max {
			w.Atom(" MAX ").Number(slicesMax(nums))
		}
	}
	if ret.Count {
		w.Atom(" COUNT ").Number(uint32(len(nums)))
	}
	if ret.All && len(nums) > 0 {
		w.Atom(" ALL ").Atom(compactSet(nums))
	}
	if modseq != 0 && len(nums) > 0 {
		w.Atom(" MODSEQ ").Number64(modseq)
	}
	w.CRLF()
}

func slicesMin(n []uint32) uint32 {
	m := n[0]
	for _, v := range n {
		m = min(m, v)
	}
	return m
}

func slicesMax(n []uint32) uint32 {
	m := n[0]
	for _, v := range n {
		m = max(m, v)
	}
	return m
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

// cmdSort: RFC 5256 §3 (SORT, UID SORT).
func cmdSort(s *session, c wire.Command) (reply, error) {
	sc, err := wire.ParseSort(s.r)
	if err != nil {
		return reply{}, err
	}
	found, err := s.match(sc.Charset, &sc.Key)
	if err != nil {
		return reply{}, err
	}
	if usesModSeq(&sc.Key) {
		s.enableCondstore(true)
	}
	order, err := search.Sort(s.ctx, sc.Criteria, found)
	if err != nil {
		return reply{}, err
	}
	s.w.Star().Atom("SORT")
	for _, i := range order {
		n := found[i].Seq
		if c.UID {
			n = found[i].UID
		}
		s.w.SP().Number(n)
	}
	s.w.CRLF()
	return reply{}, nil
}

// cmdThread: RFC 5256 §3 (THREAD=ORDEREDSUBJECT, THREAD=REFERENCES).
func cmdThread(s *session, c wire.Command) (reply, error) {
	tc, err := wire.ParseThread(s.r)
	if err != nil {
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
