package imapserver

import (
	"sort"

	"github.com/emersion/go-imap/v2"
)

// msgRef is a message the command addresses: its session sequence number
// and UID.
type msgRef struct {
	seq, uid uint32
}

// resolve turns a sequence set (or, for UID commands, a UID set, or "$")
// into the addressed messages, ascending, in the session's numbering.
// UIDs that do not exist are ignored (RFC 3501 §6.4.8); a sequence number
// beyond the mailbox is an error.
func (s *session) resolve(set imap.NumSet) ([]msgRef, error) {
	sel := s.sel
	if imap.IsSearchRes(set) {
		return sel.refsOfUIDs(s.searchRs), nil
	}
	switch set := set.(type) {
	case imap.SeqSet:
		return sel.resolveSeqs(set)
	case imap.UIDSet:
		return sel.resolveUIDs(set), nil
	}
	return nil, bad("Invalid message set")
}

func (sel *selected) resolveSeqs(set imap.SeqSet) ([]msgRef, error) {
	n := uint32(len(sel.uids))
	var out []msgRef
	var seen map[uint32]bool // only a list of ranges can repeat a message
	if len(set) > 1 {
		seen = make(map[uint32]bool)
	}
	for _, r := range set {
		start, stop := r.Start, r.Stop
		if start == 0 {
			start = n
		}
		if stop == 0 {
			stop = n
		}
		if start > stop {
			start, stop = stop, start
		}
		if start == 0 || stop > n {
			return nil, bad("Invalid message sequence number")
		}
		if seen == nil {
			out = make([]msgRef, 0, stop-start+1)
		}
		for seq := start; seq <= stop; seq++ {
			if seen != nil {
				if seen[seq] {
					continue
				}
				seen[seq] = true
			}
			out = append(out, msgRef{seq: seq, uid: sel.uids[seq-1]})
		}
	}
	if len(set) > 1 {
		sort.Slice(out, func(i, j int) bool { return out[i].seq < out[j].seq })
	}
	return out, nil
}

func (sel *selected) resolveUIDs(set imap.UIDSet) []msgRef {
	var maxUID uint32
	if n := len(sel.uids); n > 0 {
		maxUID = sel.uids[n-1]
	}
	var out []msgRef
	var seen map[uint32]bool
	if len(set) > 1 {
		seen = make(map[uint32]bool)
	}
	for _, r := range set {
		start, stop := uint32(r.Start), uint32(r.Stop)
		if start == 0 {
			start = maxUID
		}
		if stop == 0 {
			stop = maxUID
		}
		if start > stop {
			start, stop = stop, start
		}
		i := sort.Search(len(sel.uids), func(i int) bool { return sel.uids[i] >= start })
		for ; i < len(sel.uids) && sel.uids[i] <= stop; i++ {
			uid := sel.uids[i]
			if seen != nil {
				if seen[uid] {
					continue
				}
				seen[uid] = true
			}
			out = append(out, msgRef{seq: uint32(i + 1), uid: uid})
		}
	}
	if len(set) > 1 {
		sort.Slice(out, func(i, j int) bool { return out[i].seq < out[j].seq })
	}
	return out
}

// refsOfUIDs maps UIDs to the session's messages, dropping unknown ones.
func (sel *selected) refsOfUIDs(uids []uint32) []msgRef {
	out := make([]msgRef, 0, len(uids))
	for _, uid := range uids {
		if seq := sel.seqOf(uid); seq != 0 {
			out = append(out, msgRef{seq: seq, uid: uid})
		}
	}
	return out
}

// uidsOf returns the UIDs of refs.
func uidsOf(refs []msgRef) []uint32 {
	out := make([]uint32, len(refs))
	for i, r := range refs {
		out[i] = r.uid
	}
	return out
}

// uidSetString formats ascending-or-not UIDs compactly ("1:3,7").
func uidSetString(uids []uint32) string {
	var set imap.UIDSet
	for _, u := range uids {
		set.AddNum(imap.UID(u))
	}
	return set.String()
}
