package imapserver

import (
	"fmt"

	"github.com/emersion/go-imap/v2"

	"gocyrus/pkg/imapserver/wire"
	"gocyrus/pkg/mailbox"
)

// cmdStore: RFC 3501 §6.4.6 with CONDSTORE's UNCHANGEDSINCE and
// [MODIFIED] (RFC 7162 §3.1.3). Rights per flag (reference §3.6): with
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
		s.enabled.condstore = true
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
	if len(req.UIDs) > 0 {
		res, err := sel.mb.Store(s.ctx, req)
		if err != nil {
			return reply{}, err
		}
		modified = append(modified, res.Modified...)
	}
	v, err := sel.mb.Snapshot()
	if err != nil {
		return reply{}, err
	}
	failed := make(map[uint32]bool, len(modified))
	for _, uid := range modified {
		failed[uid] = true
	}
	if sel.reported == nil {
		sel.reported = make(map[uint32]bool, len(refs))
	}
	for _, ref := range refs {
		if failed[ref.uid] {
			continue
		}
		r, ok := v.Lookup(ref.uid)
		if !ok {
			continue
		}
		sel.reported[ref.uid] = true
		if !sc.Silent {
			s.writeFlags(ref.seq, v, r)
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
