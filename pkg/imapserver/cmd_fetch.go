package imapserver

import (
	"errors"
	"os"

	"gocyrus/pkg/acl"
	"gocyrus/pkg/imapserver/fetch"
	"gocyrus/pkg/imapserver/wire"
	"gocyrus/pkg/mailbox"
)

// cmdFetch: RFC 3501 §6.4.5 and UID FETCH §6.4.8, with CONDSTORE's MODSEQ
// and CHANGEDSINCE (RFC 7162 §3.1.4) and QRESYNC's VANISHED (§3.2.6). Fetching a body without PEEK sets
// \Seen first when the session may (s, not EXAMINE), and those responses
// carry FLAGS.
func cmdFetch(s *session, c wire.Command) (reply, error) {
	fc, err := wire.ParseFetch(s.r, c.UID)
	if err != nil {
		return reply{}, err
	}
	if fc.Vanished && (!s.enabled.qresync || !fc.HasChangedSince) {
		return reply{}, bad("VANISHED needs QRESYNC enabled and CHANGEDSINCE")
	}
	refs, err := s.resolve(fc.Set)
	if err != nil {
		return reply{}, err
	}
	items := fc.Items
	if c.UID && !fc.Has(wire.FetchUID) && !s.enabled.uidonly { // UIDFETCH names the UID (uidonly.go)
		items = append([]wire.FetchItem{{Attr: wire.FetchUID}}, items...)
	}
	if fc.HasChangedSince && !fc.Has(wire.FetchModSeq) {
		items = append(items, wire.FetchItem{Attr: wire.FetchModSeq})
	}
	if fc.HasChangedSince || fc.Has(wire.FetchModSeq) {
		s.enableCondstore(true)
	}
	sel := s.sel
	newlySeen, err := s.markSeen(refs, items)
	if err != nil {
		return reply{}, err
	}
	withFlags := items
	if len(newlySeen) > 0 && !fc.Has(wire.FetchFlags) {
		withFlags = append(append([]wire.FetchItem(nil), items...), wire.FetchItem{Attr: wire.FetchFlags})
	}
	v, err := sel.mb.Snapshot()
	if err != nil {
		return reply{}, err
	}
	s.announceKeywords(v)
	if fc.Vanished {
		s.writeVanished(vanishedSince(v, s.uidSetOf(fc.Set), fc.ChangedSince), true)
	}
	todo := make([]msgRef, 0, len(refs))
	recs := make([]mailbox.Record, 0, len(refs))
	var cur recordCursor
	for _, ref := range refs {
		r, ok := cur.find(v, ref.uid)
		if !ok {
			continue // expunged by another session, not yet reported
		}
		if fc.HasChangedSince && r.ModSeq <= fc.ChangedSince {
			continue
		}
		todo = append(todo, ref)
		recs = append(recs, *r)
	}
	itemsFor := func(uid uint32) []wire.FetchItem {
		if newlySeen[uid] {
			return withFlags
		}
		return items
	}
	m := s.newFetchMessage()
	if len(todo) > 1 && needsCache(items) {
		return reply{}, s.fetchCached(m, v, todo, recs, itemsFor, envelopeOnly(items))
	}
	for i, ref := range todo {
		s.progress(i, len(todo))
		if err := s.fetchOne(m, ref, v, recs[i], nil, itemsFor(ref.uid)); err != nil {
			return reply{}, err
		}
	}
	return reply{}, nil
}

func hasItem(items []wire.FetchItem, attr wire.FetchAttr) bool {
	for _, it := range items {
		if it.Attr == attr {
			return true
		}
	}
	return false
}

// recordCursor finds the records of a FETCH's messages in a view. The
// messages of a range come in UID order, so the record after the last one
// found is tried before a binary search.
type recordCursor struct{ next int }

func (c *recordCursor) find(v *mailbox.View, uid uint32) (*mailbox.Record, bool) {
	if c.next < len(v.Records) && v.Records[c.next].UID == uid {
		c.next++
		return &v.Records[c.next-1], true
	}
	seq, ok := v.SeqOf(uid)
	if !ok {
		return nil, false
	}
	c.next = int(seq)
	return &v.Records[seq-1], true
}

// needsCache reports whether an item is answered from the cache record
// (ENVELOPE, BODY, BODYSTRUCTURE).
func needsCache(items []wire.FetchItem) bool {
	for _, it := range items {
		switch it.Attr {
		case wire.FetchEnvelope, wire.FetchBody, wire.FetchBodyStructure:
			return true
		}
	}
	return false
}

// envelopeOnly reports whether ENVELOPE is the only item answered from the
// cache record: the rest of each record then need not be decoded.
func envelopeOnly(items []wire.FetchItem) bool {
	for _, it := range items {
		switch it.Attr {
		case wire.FetchFlags, wire.FetchUID, wire.FetchInternalDate, wire.FetchRFC822Size, wire.FetchEnvelope,
			wire.FetchModSeq, wire.FetchEmailID, wire.FetchThreadID, wire.FetchSaveDate:
		default:
			return false
		}
	}
	return true
}

// fetchCached answers a FETCH over many messages whose items come from the
// cache: View.ForEachCached reads the cache file in large chunks instead
// of record by record.
func (s *session) fetchCached(m *fetch.Message, v *mailbox.View, todo []msgRef, recs []mailbox.Record, itemsFor func(uint32) []wire.FetchItem, envelope bool) error {
	i := 0
	each := v.ForEachCachedBorrowed
	if envelope {
		each = v.ForEachEnvelopeBorrowed
	}
	return each(recs, func(r mailbox.Record, c *mailbox.Cached) error {
		t := todo[i]
		s.progress(i, len(todo))
		i++
		return s.fetchOne(m, t, v, r, c, itemsFor(t.uid))
	})
}

// newFetchMessage returns the fetch.Message a FETCH command fills for each
// of its messages in turn: one allocation per command, not per message.
func (s *session) newFetchMessage() *fetch.Message {
	sel := s.sel
	m := &fetch.Message{}
	m.Open = func() (*os.File, error) { return sel.mb.OpenMessage(m.UID) }
	return m
}

// fetchOne writes one "* n FETCH (...)" response, filling m (from
// newFetchMessage) for this message. c is the message's cache entry when
// the caller read it already.
func (s *session) fetchOne(m *fetch.Message, ref msgRef, v *mailbox.View, r mailbox.Record, c *mailbox.Cached, items []wire.FetchItem) error {
	sel := s.sel
	uid := ref.uid
	*m = fetch.Message{Seq: ref.seq, UID: uid, ModSeq: r.ModSeq, Record: r, View: v, Cached: c, Open: m.Open}
	if hasItem(items, wire.FetchFlags) {
		// Only then: the names cost an allocation per message.
		m.Flags = sel.flagNames(v, r)
	}
	_, err := fetch.Respond(s.w, m, items)
	if s.w.Err() != nil {
		return connErr(s.w.Err())
	}
	if errors.Is(err, fetch.ErrUnavailable) {
		// Cyrus's answer, with the sequence number; the other messages
		// of the range follow. A concurrent expunge takes the file too.
		s.log.Warn("message file unavailable", "mailbox", sel.name, "uid", uid, "err", err)
		s.w.StatusResponse("*", wire.OK, "", s.goneText(ref.seq, uid))
		return nil
	}
	return err
}

// markSeen sets \Seen on the addressed messages lacking it when the items
// fetch a body without PEEK and the session may set it. It returns the
// UIDs changed; their flags are reported by the FETCH itself.
func (s *session) markSeen(refs []msgRef, items []wire.FetchItem) (map[uint32]bool, error) {
	sel := s.sel
	if sel.readOnly || !sel.rights.Has(acl.Seen) {
		return nil, nil
	}
	sets := false
	for _, it := range items {
		sets = sets || it.SetsSeen()
	}
	if !sets {
		return nil, nil
	}
	v, err := sel.mb.Snapshot()
	if err != nil {
		return nil, err
	}
	var unseen []uint32
	for _, ref := range refs {
		if r, ok := v.Lookup(ref.uid); ok && !sel.isSeen(r) {
			unseen = append(unseen, ref.uid)
		}
	}
	if len(unseen) == 0 {
		return nil, nil
	}
	if sel.sharedSeen {
		changed, err := s.changeSeen(unseen, nil)
		if err != nil {
			return nil, err
		}
		out := make(map[uint32]bool, len(changed))
		for _, uid := range changed {
			out[uid] = true
			sel.markReported(uid)
		}
		return out, nil
	}
	res, err := sel.mb.Store(s.ctx, mailbox.StoreRequest{UIDs: unseen, Op: mailbox.StoreAdd, Flags: mailbox.FlagSeen,
		ListChanged: true})
	if err != nil {
		return nil, err
	}
	changed := make(map[uint32]bool, len(res.ChangedUIDs))
	for _, uid := range res.ChangedUIDs {
		changed[uid] = true
		sel.markReported(uid)
	}
	return changed, nil
}
