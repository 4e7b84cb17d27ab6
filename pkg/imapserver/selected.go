package imapserver

import (
	"sort"
	"time"

	"github.com/emersion/go-imap/v2"

	"gocyrus/pkg/acl"
	"gocyrus/pkg/mailbox"
	"gocyrus/pkg/store"
)

// selected is the session's view of its selected mailbox. The session's
// message sequence numbers are positions in uids, which changes only when
// the session is told (EXISTS, EXPUNGE): messages expunged by others stay
// in uids until an EXPUNGE response may be sent (RFC 3501 §7.4.1).
type selected struct {
	name, ext  string
	entry      *store.Entry
	mb         *mailbox.Mailbox
	readOnly   bool
	rights     acl.Rights
	view       *mailbox.View // the view last reported to the client
	uids       []uint32      // sequence number i+1 -> UID
	modseq     uint64        // flag changes up to here were reported
	recentUIDs []uidRange    // the messages \Recent in this session
	// modseqTold: the client was given HIGHESTMODSEQ with CONDSTORE on
	// (SELECT after an enabling command, or the first enabling command
	// since: condstore.go).
	modseqTold bool
	// keywords are those the last FLAGS response listed (announceKeywords).
	keywords []string
	// reported holds UIDs whose current flags this command already sent
	// (STORE, FETCH setting \Seen), so sync does not repeat them.
	reported reportedSet
	// sharedSeen: the user does not own the mailbox, so its \Seen is the
	// user's own set (seen), not the index flag (see seen.go).
	sharedSeen bool
	seen       seenSet
	// squat holds the mailbox's full-text index (textindex.go).
	squat squatCache
}

// seqOf returns the session's sequence number of uid, 0 when unknown.
func (sel *selected) seqOf(uid uint32) uint32 {
	i := sort.Search(len(sel.uids), func(i int) bool { return sel.uids[i] >= uid })
	if i < len(sel.uids) && sel.uids[i] == uid {
		return uint32(i + 1)
	}
	return 0
}

// uidRange is the UIDs lo+1 .. hi.
type uidRange struct{ lo, hi uint32 }

// recent reports whether uid is \Recent in this session.
func (sel *selected) recent(uid uint32) bool {
	for _, r := range sel.recentUIDs {
		if uid > r.lo && uid <= r.hi {
			return true
		}
	}
	return false
}

// flagNames returns r's flags as the session sees them.
func (sel *selected) flagNames(v *mailbox.View, r mailbox.Record) []string {
	return sel.appendFlagNames(nil, v, r)
}

// appendFlagNames appends what flagNames returns to dst.
func (sel *selected) appendFlagNames(dst []string, v *mailbox.View, r mailbox.Record) []string {
	f := v.AppendFlagNames(dst, r)
	if sel.sharedSeen {
		f = withSeen(f, sel.seen.has(r.UID))
	}
	if sel.recent(r.UID) {
		f = append(f, `\Recent`)
	}
	return f
}

// unselect closes the selected mailbox, if any.
func (s *session) unselect() {
	if s.sel == nil {
		return
	}
	s.sel.squat.release()
	s.sel.mb.Close()
	s.sel = nil
	s.searchRs = nil
	s.contexts = nil // RFC 5267 §4.3: updates cease when the mailbox is no longer selected
	if s.state == stateSelected {
		s.state = stateAuth
	}
}

// claimRecent makes the messages above from and below uidnext \Recent in
// this session unless another session of the user saw them first, and
// (unless read-only) records them as seen so no later session reports
// them \Recent (Cyrus's recentuid in the seen state). The claim is one
// conditional write of the seen record (store.UpdateSeen), so of the
// read-write sessions racing for a message, in any process, exactly one
// wins it; a session whose claim fails (a database error) shows none. A
// read-only session shows what nobody claimed yet and claims nothing,
// as Cyrus's EXAMINE. A rev2 session has no \Recent (RFC 9051 Appendix
// E) and leaves the messages to the rev1 sessions.
func (s *session) claimRecent(sel *selected, from, uidnext uint32) {
	if uidnext == 0 || s.enabled.rev2 {
		return
	}
	var lo uint32
	_, err := s.srv.st.UpdateSeen(s.ctx, s.user.User, sel.entry.UniqueID, func(seen *store.Seen) (bool, error) {
		lo = max(from, seen.LastUID)
		if lo >= uidnext-1 || sel.readOnly {
			return false, nil
		}
		// Writing the record is reading the mailbox, as Cyrus's
		// lastread says (arbitron counts it, fud reports it).
		seen.LastUID, seen.LastRead = uidnext-1, time.Now().Unix()
		return true, nil
	})
	if err != nil {
		s.log.Warn("recording recent messages", "mailbox", sel.name, "err", err)
		return
	}
	if lo < uidnext-1 {
		sel.recentUIDs = append(sel.recentUIDs, uidRange{lo, uidnext - 1})
	}
}

// sync reports what changed in the selected mailbox since the client was
// last told: EXPUNGE (when allowed), EXISTS and RECENT (not in rev2),
// then FETCH FLAGS of messages whose flags others changed — in that order
// (RFC 3501 §7.3, §7.4).
func (sel *selected) sync(s *session, allowExpunge bool) error {
	v, err := sel.mb.Snapshot()
	if err != nil {
		return err
	}
	seenChanged := sel.refreshSeen(s)
	if v == sel.view && sel.reported.empty() && len(seenChanged) == 0 {
		return nil
	}
	// RFC 5267 §4.3.4: REMOVEFROM before the EXPUNGEs, ADDTO after EXISTS.
	var ctxUpdates []contextUpdate
	if len(s.contexts) > 0 {
		ctxUpdates = s.evaluateContexts(v, sel.uidsAfter(v, allowExpunge), seenChanged)
	}
	s.writeContextRemovals(ctxUpdates)
	if allowExpunge {
		sel.reportExpunges(s, v)
	}
	s.announceKeywords(v)
	var maxUID uint32
	if n := len(sel.uids); n > 0 {
		maxUID = sel.uids[n-1]
	}
	first := sort.Search(len(v.Records), func(i int) bool { return v.Records[i].UID > maxUID })
	if first < len(v.Records) {
		for _, r := range v.Records[first:] {
			sel.uids = append(sel.uids, r.UID)
		}
		s.claimRecent(sel, maxUID, v.UIDNext)
		s.w.Star().Number(uint32(len(sel.uids))).Atom(" EXISTS").CRLF()
		if !s.enabled.rev2 {
			s.w.Star().Number(uint32(sel.countRecent())).Atom(" RECENT").CRLF()
		}
		s.notifyNewMessages(v, v.Records[first:])
	}
	s.writeContextAdditions(ctxUpdates)
	if v.HighestModSeq > sel.modseq {
		// The view's records are walked in place: after a STORE over a
		// whole mailbox every record is newer, and listing them
		// (ChangesSince) would copy them all to skip them all.
		for i := range v.Records {
			r := &v.Records[i]
			if r.ModSeq <= sel.modseq || r.UID > maxUID || sel.reported.has(r.UID) {
				continue
			}
			if seq := sel.seqOf(r.UID); seq != 0 {
				s.writeFlags(seq, v, *r)
				sel.markReported(r.UID)
			}
		}
	}
	for _, uid := range seenChanged {
		if uid > maxUID || sel.reported.has(uid) {
			continue
		}
		r, ok := v.Lookup(uid)
		if seq := sel.seqOf(uid); ok && seq != 0 {
			s.writeFlags(seq, v, r)
		}
	}
	sel.modseq, sel.reported = v.HighestModSeq, reportedSet{}
	if allowExpunge {
		// Only a view whose expunges were reported may short-cut the next sync.
		sel.view = v
	}
	return nil
}

// reportExpunges removes from uids the messages no longer in v, sending
// one EXPUNGE per message, ascending (each shifts the later numbers) — or,
// once QRESYNC is enabled, one VANISHED listing their UIDs (RFC 7162
// §3.2.10).
func (sel *selected) reportExpunges(s *session, v *mailbox.View) {
	kept := sel.uids[:0]
	var vanished imap.UIDSet
	j, gone := 0, 0
	for i, uid := range sel.uids {
		for j < len(v.Records) && v.Records[j].UID < uid {
			j++
		}
		if j < len(v.Records) && v.Records[j].UID == uid {
			kept = append(kept, uid)
			continue
		}
		if s.enabled.qresync || s.enabled.uidonly {
			vanished.AddNum(imap.UID(uid))
		} else {
			s.w.Star().Number(uint32(i + 1 - gone)).Atom(" EXPUNGE").CRLF()
		}
		gone++
	}
	sel.uids = kept
	s.writeVanished(vanished, false)
}

func (sel *selected) countRecent() int {
	n := 0
	for _, r := range sel.recentUIDs {
		lo := sort.Search(len(sel.uids), func(i int) bool { return sel.uids[i] > r.lo })
		hi := sort.Search(len(sel.uids), func(i int) bool { return sel.uids[i] > r.hi })
		n += hi - lo
	}
	return n
}

// writeFlags sends "* seq FETCH (UID u FLAGS (...) [MODSEQ (m)])".
func (s *session) writeFlags(seq uint32, v *mailbox.View, r mailbox.Record) {
	s.w.BeginMessage(seq, r.UID)
	if !s.enabled.uidonly { // UIDFETCH names the UID (uidonly.go)
		s.w.FetchItem("UID").Number(r.UID)
	}
	var buf [8]string // a STORE over a whole mailbox writes this per message
	w := s.w.FetchItem("FLAGS").Open()
	for i, f := range s.sel.appendFlagNames(buf[:0], v, r) {
		if i > 0 {
			w.SP()
		}
		w.Atom(f)
	}
	w.Close()
	if s.enabled.condstore {
		s.w.FetchItem("MODSEQ").Atom("(").Number64(r.ModSeq).Atom(")")
	}
	s.w.EndFetch()
}

// flagList formats flag names as a parenthesised list.
func flagList(names []string) string {
	n := 2
	for _, f := range names {
		n += len(f) + 1
	}
	b := make([]byte, 0, n)
	b = append(b, '(')
	for i, f := range names {
		if i > 0 {
			b = append(b, ' ')
		}
		b = append(b, f...)
	}
	return string(append(b, ')'))
}

// openSelected opens the mailbox for SELECT/EXAMINE: quota is checked
// strictly for what this session appends or copies into it.
func (s *session) openSelected(m *mbox, examine bool) (*selected, error) {
	mb, e, err := s.srv.st.Open(s.ctx, m.name, store.QuotaStrict)
	if err != nil {
		return nil, err
	}
	rights := m.rights
	if examine {
		rights &^= acl.ReadWrite
	}
	sel := &selected{
		name: m.name, ext: m.ext, entry: e, mb: mb, rights: rights,
		readOnly:   examine || !rights.Any(acl.ReadWrite),
		sharedSeen: !ownsSeen(m.name, s.user.User),
	}
	if sel.sharedSeen {
		if sel.seen, err = s.loadSeen(e.UniqueID); err != nil {
			mb.Close()
			return nil, err
		}
	}
	return sel, nil
}

// markReported notes that uid's current flags were sent in this command.
func (sel *selected) markReported(uid uint32) { sel.reported.add(uid) }
