package imapserver

import (
	"fmt"

	"github.com/emersion/go-imap/v2"

	"gocyrus/pkg/acl"
	"gocyrus/pkg/imapserver/wire"
	"gocyrus/pkg/mailbox"
)

// cmdStore: RFC 3501 §6.4.6 with CONDSTORE's UNCHANGEDSINCE and
// [MODIFIED] (RFC 7162 §3.1.3). In a mailbox the user does not own, \Seen
// goes to the user's own seen set and the index's \Seen is left alone
// (seen.go); UNCHANGEDSINCE tests the index's modseq only. Rights per flag (docs/CYRUS-BEHAVIOUR.md §3.6): with
// +FLAGS/-FLAGS unpermitted flags are dropped and NO comes only when
// nothing permitted remains; FLAGS with an unpermitted flag is refused.
func cmdStore(s *session, c wire.Command) (reply, error) {
	sc, err := wire.ParseStore(s.r, c.UID)
	if err != nil {
		return reply{}, err
	}
	refs, err := s.resolve(sc.Set)
	if err != nil {
		return reply{}, err
	}
	sel := s.sel
	if sel.readOnly {
		return reply{}, errPermission
	}
	asked, err := splitFlags(sc.Flags)
	if err != nil {
		return reply{}, err
	}
	kept, dropped := asked.allowedBy(sel.rights)
	if dropped && (sc.Op == imap.StoreFlagsSet || kept.empty()) {
		return reply{}, errPermission
	}
	if sc.HasUnchangedSince {
		s.enableCondstore(true)
	}
	req := mailbox.StoreRequest{UIDs: uidsOf(refs), Flags: kept.system, Keywords: kept.keywords,
		UnchangedSince: sc.UnchangedSince}
	switch sc.Op {
	case imap.StoreFlagsAdd:
		req.Op = mailbox.StoreAdd
	case imap.StoreFlagsDel:
		req.Op = mailbox.StoreRemove
	default:
		req.Op = mailbox.StoreReplace
	}
	var modified []uint32
	if sc.HasUnchangedSince && sc.UnchangedSince == 0 {
		// No message has modseq 0: every one fails the test.
		modified, req.UIDs = req.UIDs, nil
	}
	seenOp := seenNone
	if sel.sharedSeen {
		seenOp = ownSeenOp(sc.Op, kept, sel.rights)
		req.Flags &^= mailbox.FlagSeen
	}
	if len(req.UIDs) > 0 {
		mod, err := s.storeIndex(req, sel.sharedSeen)
		if err != nil {
			return reply{}, err
		}
		modified = append(modified, mod...)
	}
	failed := make(map[uint32]bool, len(modified))
	for _, uid := range modified {
		failed[uid] = true
	}
	if seenOp != seenNone {
		var uids []uint32
		for _, ref := range refs {
			if !failed[ref.uid] {
				uids = append(uids, ref.uid)
			}
		}
		if seenOp == seenAdd {
			_, err = s.changeSeen(uids, nil)
		} else {
			_, err = s.changeSeen(nil, uids)
		}
		if err != nil {
			return reply{}, err
		}
	}
	v, err := sel.mb.Snapshot()
	if err != nil {
		return reply{}, err
	}
	s.announceKeywords(v)
	var cur recordCursor
	for _, ref := range refs {
		if failed[ref.uid] {
			continue
		}
		r, ok := cur.find(v, ref.uid)
		if !ok {
			continue
		}
		sel.markReported(ref.uid)
		if !sc.Silent {
			s.writeFlags(ref.seq, v, *r)
		}
	}
	if len(modified) == 0 {
		return reply{}, nil
	}
	var set imap.NumSet
	if c.UID {
		set = imap.UIDSetNum(uidList(modified)...)
	} else {
		var seqs imap.SeqSet
		for _, uid := range modified {
			seqs.AddNum(sel.seqOf(uid))
		}
		set = seqs
	}
	return reply{Code: fmt.Sprintf("MODIFIED %s", set), Text: "Conditional STORE failed"}, nil
}

func uidList(uids []uint32) []imap.UID {
	out := make([]imap.UID, len(uids))
	for i, u := range uids {
		out[i] = imap.UID(u)
	}
	return out
}

// seenChange is what a STORE does to the user's own \Seen set.
type seenChange int

const (
	seenNone seenChange = iota
	seenAdd
	seenRemove
)

// ownSeenOp maps a STORE onto the user's own seen set: nothing without
// the s right, else add or remove as the operation and its flags say.
func ownSeenOp(op imap.StoreFlagsOp, kept flagSet, rights acl.Rights) seenChange {
	if !rights.Has(acl.Seen) {
		return seenNone
	}
	has := kept.system&mailbox.FlagSeen != 0
	switch {
	case op == imap.StoreFlagsSet && has, op == imap.StoreFlagsAdd && has:
		return seenAdd
	case op == imap.StoreFlagsSet, op == imap.StoreFlagsDel && has:
		return seenRemove
	}
	return seenNone
}

// storeIndex applies req to the index and returns the UIDs that failed
// UNCHANGEDSINCE. keepSeen (a mailbox the user does not own) leaves the
// index's \Seen as it is: adding or removing nothing else is skipped, and
// a replacement is done in two groups, messages with and without \Seen.
func (s *session) storeIndex(req mailbox.StoreRequest, keepSeen bool) ([]uint32, error) {
	sel := s.sel
	if !keepSeen || req.Op != mailbox.StoreReplace {
		if keepSeen && req.Flags == 0 && len(req.Keywords) == 0 {
			return nil, nil
		}
		res, err := sel.mb.Store(s.ctx, req)
		if err != nil {
			return nil, err
		}
		return res.Modified, nil
	}
	v, err := sel.mb.Snapshot()
	if err != nil {
		return nil, err
	}
	var seen, unseen []uint32
	for _, uid := range req.UIDs {
		if r, ok := v.Lookup(uid); ok && r.Flags&mailbox.FlagSeen != 0 {
			seen = append(seen, uid)
		} else {
			unseen = append(unseen, uid)
		}
	}
	var modified []uint32
	for _, g := range []struct {
		uids  []uint32
		flags mailbox.Flags
	}{{seen, req.Flags | mailbox.FlagSeen}, {unseen, req.Flags}} {
		if len(g.uids) == 0 {
			continue
		}
		part := req
		part.UIDs, part.Flags = g.uids, g.flags
		res, err := sel.mb.Store(s.ctx, part)
		if err != nil {
			return nil, err
		}
		modified = append(modified, res.Modified...)
	}
	return modified, nil
}
