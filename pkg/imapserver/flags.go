package imapserver

import (
	"strings"

	"github.com/emersion/go-imap/v2"

	"gocyrus/pkg/acl"
	"gocyrus/pkg/mailbox"
)

// flagSet is a set of IMAP flags split the way the index stores them.
type flagSet struct {
	system   mailbox.Flags
	keywords []string
}

// splitFlags parses flags from the client. \Recent cannot be set
// (RFC 3501 §2.3.2) and is dropped; other backslash names are refused.
func splitFlags(flags []imap.Flag) (flagSet, error) {
	var fs flagSet
	for _, f := range flags {
		name := string(f)
		if strings.HasPrefix(name, `\`) {
			if strings.EqualFold(name, `\Recent`) {
				continue
			}
			bit, ok := mailbox.ParseSystemFlag(name)
			if !ok {
				return fs, bad("Invalid system flag " + name)
			}
			fs.system |= bit
			continue
		}
		fs.keywords = append(fs.keywords, name)
	}
	return fs, nil
}

// allowedBy keeps what the rights permit (reference §3.6): \Seen needs s,
// \Deleted t, every other flag w. dropped reports whether anything went.
func (fs flagSet) allowedBy(r acl.Rights) (kept flagSet, dropped bool) {
	kept = fs
	if !r.Has(acl.Seen) && kept.system&mailbox.FlagSeen != 0 {
		kept.system &^= mailbox.FlagSeen
		dropped = true
	}
	if !r.Has(acl.DeleteMessages) && kept.system&mailbox.FlagDeleted != 0 {
		kept.system &^= mailbox.FlagDeleted
		dropped = true
	}
	if !r.Has(acl.Write) {
		other := mailbox.FlagAnswered | mailbox.FlagFlagged | mailbox.FlagDraft
		if kept.system&other != 0 || len(kept.keywords) > 0 {
			dropped = true
		}
		kept.system &^= other
		kept.keywords = nil
	}
	return kept, dropped
}

func (fs flagSet) empty() bool { return fs.system == 0 && len(fs.keywords) == 0 }
