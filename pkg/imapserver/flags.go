package imapserver

import (
	"slices"
	"strings"
	"time"

	"github.com/emersion/go-imap/v2"

	"gocyrus/pkg/acl"
	"gocyrus/pkg/imapserver/wire"
	"gocyrus/pkg/mailbox"
	"gocyrus/pkg/store"
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

// allowedBy keeps what the rights permit (store.AllowedFlags, the rule
// LMTP shares). dropped reports whether anything went.
func (fs flagSet) allowedBy(r acl.Rights) (kept flagSet, dropped bool) {
	kept.system, kept.keywords, dropped = store.AllowedFlags(r, fs.system, fs.keywords)
	return kept, dropped
}

func (fs flagSet) empty() bool { return fs.system == 0 && len(fs.keywords) == 0 }

// flagTarget is the one rule for flags set in a mailbox on behalf of the
// session's user (APPEND, MULTIAPPEND, COPY, MOVE and their UID forms):
// the user's rights on THAT mailbox decide what is kept (allowedBy), and
// \Seen is the user's own: the index flag when the user owns the
// mailbox's \Seen, else an entry in the user's seen set, recorded by
// commitSeen once the new UIDs are known.
type flagTarget struct {
	s       *session
	m       *mbox
	inIndex bool
	seen    []bool // per message filtered: \Seen goes to the user's seen set
}

func (s *session) flagTarget(m *mbox) *flagTarget {
	return &flagTarget{s: s, m: m, inIndex: ownsSeen(m.name, s.user.User)}
}

// filter keeps what the user may set in the target, for the next message.
func (t *flagTarget) filter(fs flagSet) flagSet {
	fs, _ = fs.allowedBy(t.m.rights)
	seen := fs.system&mailbox.FlagSeen != 0
	if !t.inIndex {
		fs.system &^= mailbox.FlagSeen
	}
	t.seen = append(t.seen, seen && !t.inIndex)
	return fs
}

// commitSeen records \Seen of the messages filtered, now stored under
// uids (pairwise), in the user's seen set of the target. The messages are
// stored and acknowledged whatever happens here, so a failure to write
// the seen state is logged, not returned: the user finds them unread.
func (t *flagTarget) commitSeen(uids []uint32) {
	var add []uint32
	for i, u := range uids {
		if i < len(t.seen) && t.seen[i] {
			add = append(add, u)
		}
	}
	s := t.s
	if len(add) == 0 || s.user.Anonymous || t.m.entry == nil {
		return
	}
	if sel := s.sel; sel != nil && sel.name == t.m.name && sel.sharedSeen {
		if _, err := s.changeSeen(add, nil); err != nil {
			s.log.Warn("recording seen state of new messages", "mailbox", t.m.name, "err", err)
		}
		return
	}
	_, err := s.srv.st.UpdateSeen(s.ctx, s.user.User, t.m.entry.UniqueID, func(rec *store.Seen) (bool, error) {
		cur, perr := parseSeenSet(rec.SeenUIDs)
		if perr != nil {
			cur = nil
		}
		rec.SeenUIDs, rec.LastChange = cur.with(add).String(), time.Now().Unix()
		return true, nil
	})
	if err != nil {
		s.log.Warn("recording seen state of new messages", "mailbox", t.m.name, "err", err)
	}
}

// copyFlags is the mailbox.CopyFlags of a COPY or MOVE from the selected
// mailbox: the session's view of each message's flags (its own \Seen),
// filtered for the target.
func (t *flagTarget) copyFlags(sel *selected) mailbox.CopyFlags {
	return func(r mailbox.Record, keywords []string) (mailbox.Flags, []string) {
		fs := flagSet{system: r.Flags &^ mailbox.FlagSeen, keywords: keywords}
		if sel.isSeen(r) {
			fs.system |= mailbox.FlagSeen
		}
		fs = t.filter(fs)
		return fs.system, fs.keywords
	}
}

// announceKeywords sends "* FLAGS (...)" and "* OK [PERMANENTFLAGS (...)]"
// when v defines keywords the client was not told of (RFC 3501 §7.2.6,
// §7.1): a keyword set by this or another session, in this process or
// another, must be listed before any FETCH that shows it. Every response
// carrying flags from a view goes through here first.
func (s *session) announceKeywords(v *mailbox.View) {
	sel := s.sel
	if slices.Equal(sel.keywords, v.Header.Keywords) {
		return
	}
	s.writeFlagLists(v.Header.Keywords)
}

// writeFlagLists sends FLAGS and PERMANENTFLAGS for the selected mailbox
// defining keywords, as SELECT does, and remembers what was told.
func (s *session) writeFlagLists(keywords []string) {
	sel := s.sel
	sel.keywords = slices.Clone(keywords)
	flags := append([]string{`\Answered`, `\Flagged`, `\Draft`, `\Deleted`, `\Seen`}, keywords...)
	s.w.Star().Atom("FLAGS ").Atom(flagList(flags)).CRLF()
	s.w.StatusResponse("*", wire.OK, "PERMANENTFLAGS "+flagList(permanentFlags(sel.rights, keywords)), "Ok")
}
