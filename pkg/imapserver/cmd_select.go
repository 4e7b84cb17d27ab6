package imapserver

import (
	"context"
	"fmt"
	"time"

	"gocyrus/pkg/acl"
	"gocyrus/pkg/imapserver/wire"
	"gocyrus/pkg/mailbox"
	"gocyrus/pkg/service"
)

// cmdSelect: RFC 3501 §6.3.1, with CONDSTORE (RFC 7162 §3.1.8) and
// QRESYNC (§3.2.5), and RFC 9051 §6.3.2 in a rev2 session.
func cmdSelect(s *session, c wire.Command) (reply, error) { return selectMailbox(s, false) }

// cmdExamine: RFC 3501 §6.3.2; the rights s w i t e n are masked off.
func cmdExamine(s *session, c wire.Command) (reply, error) { return selectMailbox(s, true) }

func selectMailbox(s *session, examine bool) (reply, error) {
	sc, err := wire.ParseSelect(s.r)
	if err != nil {
		return reply{}, err
	}
	if sc.QResync != nil && !s.enabled.qresync {
		// RFC 7162 §3.2.5: BAD unless the client enabled QRESYNC.
		return reply{}, bad("QRESYNC is not enabled")
	}
	if err := s.refuseSeqMatch(sc.QResync); err != nil {
		return reply{}, err
	}
	if sc.CondStore {
		s.enabled.condstore = true
	}
	// RFC 3501: selecting closes the current mailbox even if the new one
	// fails; Cyrus says so with [CLOSED] (RFC 7162 §3.2.11).
	if s.sel != nil {
		s.closeMailbox()
		s.w.StatusResponse("*", wire.OK, "CLOSED", "Ok")
	}
	m, err := s.open(sc.Mailbox, acl.Read)
	if err != nil {
		return reply{}, err
	}
	sel, err := s.openSelected(m, examine)
	if err != nil {
		return reply{}, err
	}
	// The \Recent bookkeeping (a database write) needs only UIDNEXT: it
	// runs while the records are read, which for a large mailbox not yet
	// open in this process is most of the SELECT.
	uidnext, err := sel.mb.UIDNext()
	if err != nil {
		sel.mb.Close()
		return reply{}, err
	}
	claimed := make(chan struct{})
	go func() {
		defer close(claimed)
		defer service.Guard(s.log, "SELECT \\Recent", nil) // \Recent is advisory: SELECT goes on
		s.claimRecent(sel, 0, uidnext)
	}()
	v, err := sel.mb.Snapshot()
	<-claimed
	if err != nil {
		sel.mb.Close()
		return reply{}, err
	}
	if v.UIDNext > uidnext { // arrived meanwhile: recent to this session too
		s.claimRecent(sel, 0, v.UIDNext)
	}
	sel.view, sel.modseq = v, v.HighestModSeq
	sel.modseqTold = s.enabled.condstore // RFC 7162 §3.1.2.1: HIGHESTMODSEQ below counts
	sel.uids = make([]uint32, len(v.Records))
	firstUnseen := 0
	for i, r := range v.Records {
		sel.uids[i] = r.UID
		if firstUnseen == 0 && !sel.isSeen(r) {
			firstUnseen = i + 1
		}
	}
	s.sel, s.state = sel, stateSelected

	w := s.w
	w.Star().Number(uint32(len(sel.uids))).Atom(" EXISTS").CRLF()
	if s.enabled.rev2 {
		// RFC 9051 §6.3.2: LIST instead of RECENT, and no UNSEEN code.
		firstUnseen = 0
		if err := s.writeSelectedList(m); err != nil {
			return reply{}, err
		}
	} else {
		w.Star().Number(uint32(sel.countRecent())).Atom(" RECENT").CRLF()
	}
	s.writeFlagLists(v.Header.Keywords)
	if firstUnseen > 0 && !s.enabled.uidonly { // a message number (uidonly.go)
		w.StatusResponse("*", wire.OK, fmt.Sprintf("UNSEEN %d", firstUnseen), "Ok")
	}
	w.StatusResponse("*", wire.OK, fmt.Sprintf("UIDVALIDITY %d", v.UIDValidity), "Ok")
	w.StatusResponse("*", wire.OK, fmt.Sprintf("UIDNEXT %d", v.UIDNext), "Ok")
	w.StatusResponse("*", wire.OK, fmt.Sprintf("HIGHESTMODSEQ %d", v.HighestModSeq), "Ok")
	w.StatusResponse("*", wire.OK, "MAILBOXID ("+sel.entry.UniqueID+")", "Ok")
	// URLAUTH is advertised: say which mechanism GENURLAUTH takes for
	// this mailbox (RFC 4467 URLMECH), as Cyrus does.
	w.StatusResponse("*", wire.OK, "URLMECH INTERNAL", "Ok")
	if !examine && m.rights.Has(acl.Expunge) {
		s.quotaWarnings(sel.name)
	}
	if sc.QResync != nil {
		s.qresyncSelect(sc.QResync, v)
	}
	if sel.readOnly {
		return reply{Code: "READ-ONLY"}, nil
	}
	return reply{Code: "READ-WRITE"}, nil
}

// permanentFlags lists the flags the session may change (docs/CYRUS-BEHAVIOUR.md §3.6):
// \Seen with s, \Deleted with t, the others and new keywords with w.
func permanentFlags(r acl.Rights, keywords []string) []string {
	var f []string
	if r.Has(acl.Write) {
		f = append(f, `\Answered`, `\Flagged`, `\Draft`)
	}
	if r.Has(acl.DeleteMessages) {
		f = append(f, `\Deleted`)
	}
	if r.Has(acl.Seen) {
		f = append(f, `\Seen`)
	}
	if r.Has(acl.Write) {
		f = append(f, keywords...)
		f = append(f, `\*`)
	}
	return f
}

// cmdClose: RFC 3501 §6.4.2. Expunges \Deleted messages silently, only
// with the e right and not after EXAMINE.
func cmdClose(s *session, c wire.Command) (reply, error) {
	if err := s.r.EOL(); err != nil {
		return reply{}, err
	}
	s.expungeOnClose("CLOSE")
	s.unselect()
	return reply{}, nil
}

// cmdUnselect: RFC 3691; with autoexpunge it expunges like CLOSE.
func cmdUnselect(s *session, c wire.Command) (reply, error) {
	if err := s.r.EOL(); err != nil {
		return reply{}, err
	}
	s.closeMailbox()
	return reply{}, nil
}

// closeMailbox closes the selected mailbox the way a client leaves it
// (UNSELECT, SELECT/EXAMINE of another, LOGOUT, UNAUTHENTICATE, the
// connection dropping): with autoexpunge, Cyrus expunges its \Deleted
// messages first, as CLOSE does. Mailboxes closed because they are being
// deleted, renamed or reconstructed use unselect directly.
func (s *session) closeMailbox() {
	if s.sel != nil && s.srv.autoexpunge {
		s.expungeOnClose("autoexpunge")
	}
	s.unselect()
}

// expungeOnClose silently expunges the selected mailbox's \Deleted
// messages when the session may: the e right, and not after EXAMINE.
// It runs even when the server is stopping, as Cyrus's shutdown does.
func (s *session) expungeOnClose(why string) {
	sel := s.sel
	if sel == nil || sel.readOnly || !sel.rights.Has(acl.Expunge) {
		return
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(s.ctx), expungeOnCloseTimeout)
	defer cancel()
	if _, err := sel.mb.ExpungeDeleted(ctx, nil); err != nil {
		s.log.Warn("expunge on close", "why", why, "mailbox", sel.name, "err", err)
	}
}

// expungeOnCloseTimeout bounds the expunge of a session that is ending.
const expungeOnCloseTimeout = time.Minute

// countUnseen counts v's messages without \Seen (STATUS UNSEEN).
func countUnseen(v *mailbox.View) int {
	n := 0
	for _, r := range v.Records {
		if r.Flags&mailbox.FlagSeen == 0 {
			n++
		}
	}
	return n
}
