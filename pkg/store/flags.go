package store

import (
	"gocyrus/pkg/acl"
	"gocyrus/pkg/mailbox"
)

// AllowedFlags keeps of flags and keywords what rights permit setting on
// a message (docs/CYRUS-BEHAVIOUR.md §3.6): \Seen needs s, \Deleted t, every other flag
// and every keyword w. dropped reports whether anything went. It is the
// one rule for IMAP (APPEND, COPY, MOVE, STORE) and LMTP (Sieve fileinto
// and keep :flags).
func AllowedFlags(r acl.Rights, flags mailbox.Flags, keywords []string) (kept mailbox.Flags, keptKeywords []string, dropped bool) {
	kept, keptKeywords = flags, keywords
	if !r.Has(acl.Seen) && kept&mailbox.FlagSeen != 0 {
		kept &^= mailbox.FlagSeen
		dropped = true
	}
	if !r.Has(acl.DeleteMessages) && kept&mailbox.FlagDeleted != 0 {
		kept &^= mailbox.FlagDeleted
		dropped = true
	}
	if !r.Has(acl.Write) {
		other := mailbox.FlagAnswered | mailbox.FlagFlagged | mailbox.FlagDraft
		if kept&other != 0 || len(keptKeywords) > 0 {
			dropped = true
		}
		kept &^= other
		keptKeywords = nil
	}
	return kept, keptKeywords, dropped
}
