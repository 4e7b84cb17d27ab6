package imapserver

import (
	"strconv"

	"github.com/emersion/go-imap/v2"

	"gocyrus/pkg/imapserver/wire"
)

// UIDONLY (RFC 9586) for a session that sent "ENABLE UIDONLY": messages
// are named by UID only, both ways.
//   - A command taking message numbers (FETCH, STORE, SEARCH, SORT,
//     THREAD, COPY, MOVE without UID) and a search program with a
//     message-number key are BAD [UIDREQUIRED] (refuseSeqNumbers,
//     refuseSeqKeys), before anything is read or changed.
//   - FETCH responses are "* uid UIDFETCH (...)" (the writer's UIDFetch
//     mode, set by ENABLE), flag updates included. They carry the UID
//     item only when the client asked for it: UID FETCH does not add it
//     and flag updates leave it out, the response's number being the UID
//     (RFC 9586 as Cyrus implements it, cyrus-imapd PR 4753).
//   - Expunges are reported as VANISHED, as with QRESYNC
//     (selected.reportExpunges).
//   - SELECT/EXAMINE's QRESYNC message-number match data ("(seqs uids)")
//     is BAD [UIDREQUIRED] before the current mailbox is closed
//     (refuseSeqMatch).
//   - SELECT and EXAMINE send no [UNSEEN n] (a message number).
//   - A message whose file is gone is named by UID in the untagged OK
//     FETCH sends for it (goneText).
// EXISTS still counts the messages; UID commands are unchanged.

// errUIDRequired refuses a message number.
var errUIDRequired = &wire.Error{Code: "UIDREQUIRED", Msg: "Message sequence numbers are not allowed"}

// seqNumbered are the commands whose plain form takes message numbers.
var seqNumbered = map[string]bool{
	"FETCH": true, "STORE": true, "SEARCH": true, "SORT": true, "THREAD": true, "COPY": true, "MOVE": true,
}

// refuseSeqNumbers is BAD [UIDREQUIRED] for the plain form of seqNumbered.
func (s *session) refuseSeqNumbers(cmd wire.Command) error {
	if s.enabled.uidonly && !cmd.UID && seqNumbered[cmd.Name] {
		return errUIDRequired
	}
	return nil
}

// refuseSeqKeys is BAD [UIDREQUIRED] for a search program naming message
// numbers ("$", the saved result, is UIDs and stays allowed).
func (s *session) refuseSeqKeys(key *wire.SearchKey) error {
	if !s.enabled.uidonly || !hasSeqKey(key) {
		return nil
	}
	return errUIDRequired
}

func hasSeqKey(k *wire.SearchKey) bool {
	if k.Op == wire.SearchSeq && !imap.IsSearchRes(k.Set) {
		return true
	}
	for i := range k.Children {
		if hasSeqKey(&k.Children[i]) {
			return true
		}
	}
	return false
}

// refuseSeqMatch is BAD [UIDREQUIRED] for QRESYNC parameters carrying
// message-number match data.
func (s *session) refuseSeqMatch(q *wire.QResync) error {
	if s.enabled.uidonly && q != nil && q.SeqMatchSeqs != nil {
		return errUIDRequired
	}
	return nil
}

// goneText is the text of the untagged OK for a message whose file is
// gone: Cyrus's, with the message number, or with the UID under UIDONLY.
func (s *session) goneText(seq, uid uint32) string {
	if s.enabled.uidonly {
		return "Message UID " + strconv.FormatUint(uint64(uid), 10) + " no longer exists"
	}
	return "Message " + strconv.FormatUint(uint64(seq), 10) + " no longer exists"
}
