package imapserver

import (
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
//     mode, set by ENABLE), flag updates included.
//   - Expunges are reported as VANISHED, as with QRESYNC
//     (selected.reportExpunges).
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
