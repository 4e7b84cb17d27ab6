package imapserver

import (
	"fmt"

	"gocyrus/pkg/imapserver/search"
	"gocyrus/pkg/imapserver/wire"
)

// enableCondstore records a CONDSTORE enabling command (RFC 7162 §3.1).
// The first one issued in a mailbox selected without CONDSTORE also sends
// "* OK [HIGHESTMODSEQ n]", before the command's own responses; n is the
// highest modseq this session has reported, not a newer one whose changes
// it has not told yet, so a client caching n misses nothing. STATUS
// (HIGHESTMODSEQ) enables CONDSTORE for the session but is about the
// mailbox it names: it passes inSelected false, and the next enabling
// command in the selected mailbox still sends the code.
func (s *session) enableCondstore(inSelected bool) {
	s.enabled.condstore = true
	sel := s.sel
	if !inSelected || sel == nil || sel.modseqTold {
		return
	}
	sel.modseqTold = true
	s.w.StatusResponse("*", wire.OK, fmt.Sprintf("HIGHESTMODSEQ %d", sel.modseq), "Ok")
}

// esearchModSeq is the MODSEQ of an ESEARCH response (RFC 4731 §3.2 with
// RFC 7162 §3.1.5): the highest mod-sequence of the messages the response
// returns — of every match when ALL or COUNT is asked, else of only the
// messages reported as MIN and/or MAX. found is in ascending order.
func esearchModSeq(ret wire.SearchReturn, found []search.Candidate) uint64 {
	if len(found) == 0 {
		return 0
	}
	var m uint64
	if ret.All || ret.Count {
		for _, f := range found {
			m = max(m, f.Record.ModSeq)
		}
		return m
	}
	if ret.Min {
		m = found[0].Record.ModSeq
	}
	if ret.Max {
		m = max(m, found[len(found)-1].Record.ModSeq)
	}
	return m
}
