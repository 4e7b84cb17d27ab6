package imapserver

import (
	"github.com/emersion/go-imap/v2"

	"gocyrus/pkg/imapserver/wire"
	"gocyrus/pkg/mailbox"
)

// QRESYNC (RFC 7162 §3.2). The index keeps a tombstone (UID and modseq)
// for every expunged message, so the server always knows exactly which
// UIDs vanished after any modseq: the sequence-match data a client sends
// with SELECT (for servers that forget expunges) is parsed and not needed.

// qresyncSelect sends, after a SELECT or EXAMINE with the QRESYNC
// parameter, "* VANISHED (EARLIER)" for the messages expunged since the
// client's modseq and "* n FETCH (UID FLAGS MODSEQ)" for those changed
// since then — both limited to the UIDs the client says it knows. Nothing
// is sent when the UIDVALIDITY differs: the client's cache is void.
func (s *session) qresyncSelect(q *wire.QResync, v *mailbox.View) {
	if q.UIDValidity != v.UIDValidity {
		return
	}
	known := func(uid uint32) bool {
		return q.KnownUIDs == nil || q.KnownUIDs.Contains(imap.UID(uid))
	}
	ch := v.ChangesSince(q.ModSeq)
	var gone imap.UIDSet
	if ch.Forgotten {
		all := imap.UIDSet{imap.UIDRange{Start: 1, Stop: 0}}
		if q.KnownUIDs != nil {
			all = q.KnownUIDs
		}
		gone = absentWithin(v, all)
	}
	for _, uid := range ch.Expunged {
		if known(uid) {
			gone.AddNum(imap.UID(uid))
		}
	}
	s.writeVanished(gone, true)
	for _, r := range ch.Updated {
		if !known(r.UID) {
			continue
		}
		if seq := s.sel.seqOf(r.UID); seq != 0 {
			s.writeFlags(seq, v, r)
		}
	}
}

// vanishedSince returns the UIDs within set expunged after modseq (UID
// FETCH ... (CHANGEDSINCE modseq VANISHED), RFC 7162 §3.2.6). "*" in set
// stands for the highest UID ever assigned.
func vanishedSince(v *mailbox.View, set imap.UIDSet, modseq uint64) imap.UIDSet {
	top := imap.UID(v.UIDNext - 1)
	var out imap.UIDSet
	ch := v.ChangesSince(modseq)
	if ch.Forgotten {
		out = absentWithin(v, set)
	}
	for _, uid := range ch.Expunged {
		if uidSetContains(set, imap.UID(uid), top) {
			out.AddNum(imap.UID(uid))
		}
	}
	return out
}

// absentWithin returns the UIDs within set that have no live message: when
// the index no longer knows which of them were expunged after the client's
// modseq (compacted tombstones), RFC 7162 §3.2.10 lets the server report
// all of them as vanished, even ones that never existed.
func absentWithin(v *mailbox.View, set imap.UIDSet) imap.UIDSet {
	top := imap.UID(v.UIDNext - 1)
	var out imap.UIDSet
	v.AbsentUIDs(func(lo, hi uint32) {
		for _, r := range set {
			a, b := uidBounds(r, top)
			a, b = max(a, imap.UID(lo)), min(b, imap.UID(hi))
			if a <= b {
				out.AddRange(a, b)
			}
		}
	})
	return out
}

// uidSetContains is UIDSet.Contains with "*" read as top.
func uidSetContains(set imap.UIDSet, uid, top imap.UID) bool {
	for _, r := range set {
		if lo, hi := uidBounds(r, top); uid >= lo && uid <= hi {
			return true
		}
	}
	return false
}

// uidBounds returns r's ends in ascending order, "*" read as top.
func uidBounds(r imap.UIDRange, top imap.UID) (lo, hi imap.UID) {
	lo, hi = r.Start, r.Stop
	if lo == 0 {
		lo = top
	}
	if hi == 0 {
		hi = top
	}
	return min(lo, hi), max(lo, hi)
}

// writeVanished sends "* VANISHED [(EARLIER)] uids" unless set is empty.
func (s *session) writeVanished(set imap.UIDSet, earlier bool) {
	if len(set) == 0 {
		return
	}
	s.w.Star().Atom("VANISHED ")
	if earlier {
		s.w.Atom("(EARLIER) ")
	}
	s.w.Atom(set.String()).CRLF()
}

// uidSetOf returns a UID FETCH's set as UIDs ("$" is the saved result).
func (s *session) uidSetOf(set imap.NumSet) imap.UIDSet {
	if u, ok := set.(imap.UIDSet); ok {
		return u
	}
	var out imap.UIDSet
	for _, uid := range s.searchRs {
		out.AddNum(imap.UID(uid))
	}
	return out
}
