package imapserver

import (
	"github.com/emersion/go-imap/v2"

	"gocyrus/pkg/acl"
	"gocyrus/pkg/imapserver/wire"
)

// cmdReplace: REPLACE and UID REPLACE (RFC 8508): append a new message to
// a mailbox (the selected one or another) and expunge one message of the
// selected mailbox, as a MOVE does: i on the target, e on the selected
// mailbox, both checked, and the old message found, before the literal is
// invited. The new message is stored and fsync'd (file and index) before
// the old one is expunged, so a crash in between leaves both, never
// neither. APPENDUID goes in an untagged OK before the EXPUNGE (RFC 8508
// §3.3, as COPYUID does for MOVE); the EXPUNGE or VANISHED comes from the
// update that ends every command.
func cmdReplace(s *session, c wire.Command) (reply, error) {
	n, ap, err := wire.ParseReplace(s.r)
	if err != nil {
		return reply{}, err
	}
	sel := s.sel
	var set imap.NumSet = imap.SeqSetNum(n)
	if c.UID {
		set = imap.UIDSetNum(imap.UID(n))
	}
	refs, err := s.resolve(set) // a sequence number past the end: BAD
	if err != nil {
		return reply{}, err
	}
	if len(refs) == 0 {
		return reply{}, noCode("", "Message does not exist")
	}
	if sel.readOnly || !sel.rights.Has(acl.Expunge) {
		return reply{}, errPermission
	}
	code, _, err := s.appendFrom(ap)
	if err != nil {
		return reply{}, err
	}
	if s.srv.testFault != nil { // a crash between the two steps
		s.srv.testFault("REPLACE appended")
	}
	s.w.StatusResponse("*", wire.OK, code, "Replacement Message ready")
	if _, err := sel.mb.Expunge(s.ctx, []uint32{refs[0].uid}); err != nil {
		return reply{}, err
	}
	return reply{}, nil
}
