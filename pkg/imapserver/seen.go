package imapserver

import (
	"slices"
	"time"

	"gocyrus/pkg/mailbox"
	"gocyrus/pkg/mboxname"
	"gocyrus/pkg/store"
)

// Per-user \Seen, with Cyrus's semantics: the owner of a mailbox (the
// user of user.X...) sees the index's \Seen flag; everybody else has a
// \Seen set of their own in the seen database (mboxlist.Seen.SeenUIDs),
// so that reading a shared folder marks it read for the reader only. For
// such sessions the index's \Seen is never shown, set or cleared.

// ownsSeen reports whether user's \Seen on mailbox name is the index flag.
func ownsSeen(name, user string) bool {
	owner, ok := mboxname.UserOf(name)
	return ok && owner == user
}

// loadSeen reads the user's seen set of a mailbox the user does not own.
func (s *session) loadSeen(uniqueID string) (seenSet, error) {
	if s.user.Anonymous {
		return nil, nil
	}
	rec, err := s.srv.st.GetSeen(s.ctx, s.user.User, uniqueID)
	if err != nil {
		return nil, err
	}
	set, err := parseSeenSet(rec.SeenUIDs)
	if err != nil {
		// A damaged record loses the user's read marks, not the session.
		s.log.Warn("seen state damaged; starting afresh", "uniqueid", uniqueID, "err", err)
		return nil, nil
	}
	return set, nil
}

// changeSeen adds and removes UIDs in the user's seen set of the selected
// mailbox, on the stored record (read–modify–write, so that changes other
// sessions of the user made meanwhile are kept), and returns the UIDs
// whose state this changed. Anonymous sessions keep the set in memory.
func (s *session) changeSeen(add, remove []uint32) ([]uint32, error) {
	sel := s.sel
	if s.user.Anonymous {
		next := sel.seen.with(add).without(remove)
		changed := next.changedAmong(sel.seen, slices.Concat(add, remove))
		sel.seen = next
		return changed, nil
	}
	var changed []uint32
	_, err := s.srv.st.UpdateSeen(s.ctx, s.user.User, sel.entry.UniqueID, func(rec *store.Seen) (bool, error) {
		cur, err := parseSeenSet(rec.SeenUIDs)
		if err != nil {
			cur = nil
		}
		next := cur.with(add).without(remove)
		changed = next.changedAmong(cur, slices.Concat(add, remove))
		if len(changed) == 0 {
			return false, nil
		}
		now := time.Now().Unix()
		rec.SeenUIDs, rec.LastRead, rec.LastChange = next.String(), now, now
		return true, nil
	})
	if err != nil {
		return nil, err
	}
	// Changes by other sessions since the last sync are reported by sync
	// (refreshSeen), so only this command's own count as changed here.
	sel.seen = sel.seen.with(add).without(remove)
	return changed, nil
}

// refreshSeen re-reads the seen set (another session of the user may have
// changed it) and returns the UIDs whose \Seen changed.
func (sel *selected) refreshSeen(s *session) []uint32 {
	if !sel.sharedSeen || s.user.Anonymous {
		return nil
	}
	set, err := s.loadSeen(sel.entry.UniqueID)
	if err != nil {
		s.log.Warn("reading seen state", "mailbox", sel.name, "err", err)
		return nil
	}
	if slices.Equal(set, sel.seen) {
		return nil // the common case, on every command: nothing to look up
	}
	// Only messages the client knows need a report; new ones come with
	// their flags anyway.
	changed := set.changedAmong(sel.seen, sel.uids)
	sel.seen = set
	return changed
}

// isSeen reports \Seen of r as the session's user sees it.
func (sel *selected) isSeen(r mailbox.Record) bool {
	if sel.sharedSeen {
		return sel.seen.has(r.UID)
	}
	return r.Flags&mailbox.FlagSeen != 0
}

// withSeen replaces \Seen in flags (the index's) by the user's own.
func withSeen(flags []string, seen bool) []string {
	out := flags[:0]
	for _, f := range flags {
		if f != `\Seen` {
			out = append(out, f)
		}
	}
	if seen {
		out = append(out, `\Seen`)
	}
	return out
}

// countUnseenFor counts v's messages the user has not seen (STATUS
// UNSEEN) in the mailbox e.
func (s *session) countUnseenFor(e *store.Entry, v *mailbox.View) (int, error) {
	if ownsSeen(e.Name, s.user.User) {
		return countUnseen(v), nil
	}
	set, err := s.loadSeen(e.UniqueID)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, r := range v.Records {
		if !set.has(r.UID) {
			n++
		}
	}
	return n, nil
}
