package imapserver

import (
	"slices"
	"sort"
	"time"

	"github.com/emersion/go-imap/v2"

	"gocyrus/pkg/imapserver/search"
	"gocyrus/pkg/imapserver/wire"
	"gocyrus/pkg/mailbox"
)

// This file is CONTEXT=SEARCH and CONTEXT=SORT (RFC 5267 §4): a SEARCH or
// SORT with RETURN (UPDATE) leaves a context whose result the session keeps
// (as UIDs) and which sync re-evaluates when the mailbox changes, telling
// the client with ESEARCH REMOVEFROM (before the EXPUNGEs, so the message
// numbers are still valid: §4.3.4) and ADDTO (after EXISTS: §4.3.3).

// maxContexts bounds the live UPDATE contexts of a session; beyond it the
// search is answered and "* NO [NOUPDATE tag]" refuses the context (RFC
// 5267 §4.3.1 asks for at least one).
const maxContexts = 8

// searchContext is one live UPDATE context.
type searchContext struct {
	tag      string
	uid      bool // UID SEARCH / UID SORT: updates carry UIDs
	charset  string
	key      wire.SearchKey
	criteria []wire.SortCriterion // nil for SEARCH: updates at position 0
	// whole: the program depends on message numbers, "$", "*" or the
	// clock, so a change of the session's messages (shape) re-evaluates
	// every message; otherwise, and for flag changes, only the messages
	// changed since modseq are.
	whole  bool
	modseq uint64   // changes up to here are reflected in result
	shape  shape    // the session's messages at the last evaluation
	result []uint32 // UIDs: ascending for SEARCH, sort order for SORT
}

// shape identifies the session's message list: UIDs only grow, so an
// append changes the last UID and an expunge alone the count.
type shape struct {
	n    int
	last uint32
}

func shapeOf(uids []uint32) shape {
	if len(uids) == 0 {
		return shape{}
	}
	return shape{len(uids), uids[len(uids)-1]}
}

// contextTagInUse refuses UPDATE under a tag a live context has (RFC 5267
// §4.3: "SHALL result in the server rejecting the searching command with
// a BAD response").
func (s *session) contextTagInUse(tag string, ret *wire.SearchReturn) error {
	if ret == nil || !ret.Update {
		return nil
	}
	for _, c := range s.contexts {
		if c.tag == tag {
			return bad("Tag reuse")
		}
	}
	return nil
}

// keepContext registers the context of a SEARCH/SORT that asked for
// UPDATE, ordered being its whole result (PARTIAL does not narrow what
// UPDATE follows: RFC 9394 §3.1, RFC 5267 §4.3) and modseq the mailbox
// state it was computed from.
func (s *session) keepContext(c wire.Command, ret *wire.SearchReturn, charset string, key *wire.SearchKey,
	criteria []wire.SortCriterion, ordered []search.Candidate, modseq uint64) {
	if ret == nil || !ret.Update {
		return
	}
	if len(s.contexts) >= maxContexts {
		s.w.StatusResponse("*", wire.NO, `NOUPDATE "`+quoteEscape(c.Tag)+`"`, "Too many contexts")
		return
	}
	result := make([]uint32, len(ordered))
	for i, f := range ordered {
		result[i] = f.UID
	}
	if criteria == nil {
		slices.Sort(result)
	}
	s.contexts = append(s.contexts, &searchContext{
		tag: c.Tag, uid: c.UID, charset: charset, key: *key, criteria: criteria,
		whole: dependsOnPosition(key), modseq: modseq, shape: shapeOf(s.sel.uids), result: result,
	})
}

func quoteEscape(s string) string {
	var b []byte
	for i := 0; i < len(s); i++ {
		if s[i] == '"' || s[i] == '\\' {
			b = append(b, '\\')
		}
		b = append(b, s[i])
	}
	return string(b)
}

// dependsOnPosition reports keys whose answer for one message can change
// without that message changing: message numbers, "*" in a UID set, "$",
// OLDER/YOUNGER. A fixed UID set is not one.
func dependsOnPosition(k *wire.SearchKey) bool {
	switch k.Op {
	case wire.SearchSeq, wire.SearchOlder, wire.SearchYounger:
		return true
	case wire.SearchUID:
		return k.Set == nil || k.Set.Dynamic() || imap.IsSearchRes(k.Set)
	}
	for i := range k.Children {
		if dependsOnPosition(&k.Children[i]) {
			return true
		}
	}
	return false
}

// cmdCancelUpdate: RFC 5267 §4.3.5. Every tag must name a live context;
// otherwise nothing is cancelled.
func cmdCancelUpdate(s *session, c wire.Command) (reply, error) {
	tags, err := wire.ParseCancelUpdate(s.r)
	if err != nil {
		return reply{}, err
	}
	for _, t := range tags {
		if !slices.ContainsFunc(s.contexts, func(sc *searchContext) bool { return sc.tag == t }) {
			return reply{}, bad("No such search context")
		}
	}
	s.contexts = slices.DeleteFunc(s.contexts, func(sc *searchContext) bool { return slices.Contains(tags, sc.tag) })
	return reply{Text: "No further updates"}, nil
}

// contextUpdate is what one context's re-evaluation changes.
type contextUpdate struct {
	ctx     *searchContext
	removes []posRun
	adds    []posRun
	result  []uint32
	modseq  uint64
	shape   shape
	drop    bool // the context failed and is given up
}

// posRun is one "context-position SP sequence-set" pair, as UIDs.
type posRun struct {
	pos  int
	uids []uint32
}

// evaluateContexts computes, before sync reports anything, each context's
// result in view v. after is the session's UIDs once this sync has
// reported its EXPUNGEs and EXISTS; changed are UIDs whose \Seen changed
// outside the index (shared mailboxes). A context whose program cannot
// have changed is not evaluated at all.
func (s *session) evaluateContexts(v *mailbox.View, after []uint32, changed []uint32) []contextUpdate {
	if len(s.contexts) == 0 {
		return nil
	}
	lowest := v.HighestModSeq
	for _, c := range s.contexts {
		lowest = min(lowest, c.modseq)
	}
	var updated []mailbox.Record
	if lowest < v.HighestModSeq {
		updated = v.ChangesSince(lowest).Updated
	}
	var out []contextUpdate
	for _, c := range s.contexts {
		reshaped := c.whole && c.shape != shapeOf(after)
		if c.modseq >= v.HighestModSeq && len(changed) == 0 && !reshaped {
			continue
		}
		result, err := s.reevaluate(c, v, after, updated, changed, reshaped)
		if err != nil {
			// The context can no longer be kept: say so once and drop it.
			s.log.Warn("search context", "tag", c.tag, "err", err)
			s.w.StatusResponse("*", wire.NO, `NOUPDATE "`+quoteEscape(c.tag)+`"`, "Search context dropped")
			out = append(out, contextUpdate{ctx: c, drop: true})
			continue
		}
		u := contextUpdate{ctx: c, result: result, modseq: v.HighestModSeq, shape: shapeOf(after)}
		if c.criteria == nil {
			u.removes, u.adds = diffSets(c.result, result)
		} else {
			u.removes, u.adds = diffOrdered(c.result, result)
		}
		out = append(out, u)
	}
	return out
}

// reevaluate returns c's result in v: against every message when whole,
// else against the messages changed since c.modseq only, the rest of the
// old result kept when still in v.
func (s *session) reevaluate(c *searchContext, v *mailbox.View, after []uint32, updated []mailbox.Record, changed []uint32, whole bool) ([]uint32, error) {
	seqOf := func(uid uint32) uint32 {
		i := sort.Search(len(after), func(i int) bool { return after[i] >= uid })
		if i < len(after) && after[i] == uid {
			return uint32(i + 1)
		}
		return 0
	}
	cand := func(r mailbox.Record) search.Candidate {
		return search.Candidate{Seq: seqOf(r.UID), UID: r.UID, Flags: s.sel.flagNames(v, r), Record: r, View: v, Open: openerOf(s.sel.mb, r.UID)}
	}
	var cands []search.Candidate
	keep := map[uint32]bool{}
	if whole {
		for _, r := range v.Records {
			if seqOf(r.UID) != 0 {
				cands = append(cands, cand(r))
			}
		}
	} else {
		redo := map[uint32]bool{}
		for _, r := range updated {
			if r.ModSeq > c.modseq {
				redo[r.UID] = true
			}
		}
		for _, uid := range changed {
			redo[uid] = true
		}
		for uid := range redo {
			if r, ok := v.Lookup(uid); ok && seqOf(uid) != 0 {
				cands = append(cands, cand(r))
			}
		}
		for _, uid := range c.result {
			if _, ok := v.Lookup(uid); ok && !redo[uid] {
				keep[uid] = true
			}
		}
	}
	env := search.Env{Saved: s.searchRs, MaxSeq: uint32(len(after)), Now: time.Now()}
	if n := len(after); n > 0 {
		env.MaxUID = after[n-1]
	}
	ok, err := search.Match(s.ctx, &c.key, cands, env)
	if err != nil {
		return nil, err
	}
	for i, f := range cands {
		if ok[i] {
			keep[f.UID] = true
		}
	}
	members := make([]uint32, 0, len(keep))
	for uid := range keep {
		members = append(members, uid)
	}
	slices.Sort(members)
	if c.criteria == nil || slices.Equal(members, sortedCopy(c.result)) {
		if c.criteria != nil {
			return c.result, nil // same members: the sort keys do not change
		}
		return members, nil
	}
	// Membership changed: sort the members (sequence order breaks ties).
	sc := make([]search.Candidate, 0, len(members))
	for _, uid := range members {
		if r, ok := v.Lookup(uid); ok {
			sc = append(sc, cand(r))
		}
	}
	order, err := search.Sort(s.ctx, c.criteria, sc)
	if err != nil {
		return nil, err
	}
	out := make([]uint32, len(order))
	for i, j := range order {
		out[i] = sc[j].UID
	}
	return out, nil
}

func sortedCopy(u []uint32) []uint32 {
	c := slices.Clone(u)
	slices.Sort(c)
	return c
}

// diffSets is a SEARCH context's update: position 0, mailbox order (RFC
// 5267 §4.3.3, §4.3.4 recommend it for the shortest sets).
func diffSets(old, new []uint32) (removes, adds []posRun) {
	var gone, came []uint32
	i, j := 0, 0
	for i < len(old) || j < len(new) {
		switch {
		case j == len(new) || (i < len(old) && old[i] < new[j]):
			gone = append(gone, old[i])
			i++
		case i == len(old) || new[j] < old[i]:
			came = append(came, new[j])
			j++
		default:
			i++
			j++
		}
	}
	if len(gone) > 0 {
		removes = []posRun{{0, gone}}
	}
	if len(came) > 0 {
		adds = []posRun{{0, came}}
	}
	return removes, adds
}

// diffOrdered is a SORT context's update: the messages of old that keep
// their relative order in new (a longest increasing run of their new
// positions) stay; the others are removed, front to back, then the
// missing ones added at their positions in new, front to back, so that
// applying the pairs in order (RFC 5267 §4.3.2) turns old into new.
func diffOrdered(old, new []uint32) (removes, adds []posRun) {
	at := make(map[uint32]int, len(new))
	for i, u := range new {
		at[u] = i
	}
	stay := longestIncreasing(old, at)
	removed := 0
	for i := 0; i < len(old); {
		if stay[old[i]] {
			i++
			continue
		}
		run := posRun{pos: i - removed + 1}
		for i < len(old) && !stay[old[i]] {
			run.uids = append(run.uids, old[i])
			i++
		}
		removed += len(run.uids)
		removes = append(removes, run)
	}
	for j := 0; j < len(new); {
		if stay[new[j]] {
			j++
			continue
		}
		run := posRun{pos: j + 1}
		for j < len(new) && !stay[new[j]] {
			run.uids = append(run.uids, new[j])
			j++
		}
		adds = append(adds, run)
	}
	return removes, adds
}

// longestIncreasing returns the members of old still in new that form a
// longest run whose positions in new increase (patience sorting).
func longestIncreasing(old []uint32, at map[uint32]int) map[uint32]bool {
	var tails []int // index into idx of the smallest tail of each length
	var idx []int   // positions in new of old's members still there
	var uids []uint32
	var prev []int
	for _, u := range old {
		p, ok := at[u]
		if !ok {
			continue
		}
		k := sort.Search(len(tails), func(k int) bool { return idx[tails[k]] >= p })
		idx, uids = append(idx, p), append(uids, u)
		n := len(idx) - 1
		if k > 0 {
			prev = append(prev, tails[k-1])
		} else {
			prev = append(prev, -1)
		}
		if k == len(tails) {
			tails = append(tails, n)
		} else {
			tails[k] = n
		}
	}
	stay := make(map[uint32]bool, len(tails))
	if len(tails) > 0 {
		for n := tails[len(tails)-1]; n >= 0; n = prev[n] {
			stay[uids[n]] = true
		}
	}
	return stay
}

// writeContextRemovals sends the REMOVEFROM of every update, with the
// message numbers the client still knows.
func (s *session) writeContextRemovals(ups []contextUpdate) {
	for _, u := range ups {
		s.writeContextUpdate(u.ctx, "REMOVEFROM", u.removes)
	}
}

// writeContextAdditions sends the ADDTOs (after EXISTS) and makes the new
// results current.
func (s *session) writeContextAdditions(ups []contextUpdate) {
	for _, u := range ups {
		if u.drop {
			s.contexts = slices.DeleteFunc(s.contexts, func(c *searchContext) bool { return c == u.ctx })
			continue
		}
		s.writeContextUpdate(u.ctx, "ADDTO", u.adds)
		u.ctx.result, u.ctx.modseq, u.ctx.shape = u.result, u.modseq, u.shape
	}
}

// writeContextUpdate sends "* ESEARCH (TAG "t") [UID] item (pos set ...)".
func (s *session) writeContextUpdate(c *searchContext, item string, runs []posRun) {
	if len(runs) == 0 {
		return
	}
	w := s.w
	w.Star().Atom("ESEARCH (TAG ").String(c.tag).Atom(")")
	if c.uid {
		w.Atom(" UID")
	}
	w.SP().Atom(item).Atom(" (")
	for i, r := range runs {
		nums := make([]uint32, 0, len(r.uids))
		for _, u := range r.uids {
			if !c.uid {
				u = s.sel.seqOf(u)
			}
			nums = append(nums, u)
		}
		if i > 0 {
			w.SP()
		}
		w.Number(uint32(r.pos)).SP().Atom(compactSet(nums))
	}
	w.Atom(")").CRLF()
}

// uidsAfter returns what uids will be once this sync has reported v: the
// EXPUNGEs when allowed, then the new messages (EXISTS).
func (sel *selected) uidsAfter(v *mailbox.View, allowExpunge bool) []uint32 {
	out := make([]uint32, 0, len(v.Records))
	var maxUID uint32
	for _, u := range sel.uids {
		if _, ok := v.Lookup(u); ok || !allowExpunge {
			out = append(out, u)
		}
		maxUID = u
	}
	for _, r := range v.Records {
		if r.UID > maxUID {
			out = append(out, r.UID)
		}
	}
	return out
}
