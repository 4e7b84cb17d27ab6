package imapserver

import (
	"fmt"

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
