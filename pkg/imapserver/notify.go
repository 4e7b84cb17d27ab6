package imapserver

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"slices"
	"strings"

	"gocyrus/pkg/acl"
	"gocyrus/pkg/cyrusdb"
	"gocyrus/pkg/imapserver/wire"
	"gocyrus/pkg/mailbox"
	"gocyrus/pkg/mboxname"
	"gocyrus/pkg/store"
)

// NOTIFY (RFC 5465). Events of the selected mailbox are what sync already
// reports after every command and in IDLE ("selected" and
// "selected-delayed" alike: sync sends expunges only where they are
// allowed), with MessageNew's fetch attributes sent as a FETCH after the
// EXISTS (notifyNewMessages). Events of other mailboxes come from the
// store's change notification, the one IDLE uses: the session watches one
// topic per event group (a prefix topic for personal, inboxes and
// subtree, the names for mailboxes and subscribed; the user's
// subscription topic and the metadata topics for those events), so it is
// woken, in any process, only by changes to what it watches. On a wake-up
// it compares the watched mailboxes, subscriptions and metadata with what
// it last told the client and sends STATUS (MessageNew, MessageExpunge,
// FlagChange), LIST (MailboxName, SubscriptionChange) or METADATA (the
// metadata events) for the differences: the cost is one read per watched
// mailbox per wake-up, never a poll. The watches are recomputed at each
// wake-up, so the subscribed group follows later subscriptions. More than
// Server.notifyMaxPending notifications at once are dropped for
// [NOTIFICATIONOVERFLOW] and NOTIFY NONE (RFC 5465 §5.8). Notifications go
// out after each command and during IDLE. AnnotationChange is refused
// with [BADEVENT]: messages have no annotations here (no ANNOTATE).

// notifyEvents are the events this server can report.
var notifyEvents = []string{"MessageNew", "MessageExpunge", "FlagChange", "MailboxName",
	"SubscriptionChange", "MailboxMetadataChange", "ServerMetadataChange"}

// defaultNotifyMaxPending bounds the notifications one report may hold
// (Server.notifyMaxPending).
const defaultNotifyMaxPending = 1000

// notifyMaxNames bounds the mailbox names of one NOTIFY SET, over all its
// groups: each costs a watch.
const notifyMaxNames = 1000

// notifyFilter is one event group's set of mailboxes.
type notifyFilter struct {
	kind  string   // SELECTED, SELECTED-DELAYED, PERSONAL, INBOXES, SUBSCRIBED, SUBTREE, MAILBOXES
	names []string // internal names of SUBTREE and MAILBOXES
}

// notifyGroup is one event group of NOTIFY SET.
type notifyGroup struct {
	filter   notifyFilter
	messages bool             // MessageNew / MessageExpunge
	fetch    []wire.FetchItem // MessageNew's fetch attributes
	flags    bool             // FlagChange
	names    bool             // MailboxName
	subs     bool             // SubscriptionChange
	meta     bool             // MailboxMetadataChange
	server   bool             // ServerMetadataChange
}

// selectedFilter reports a group about the selected mailbox.
func (g notifyGroup) selectedFilter() bool {
	return g.filter.kind == "SELECTED" || g.filter.kind == "SELECTED-DELAYED"
}

// notifyMailbox is what the client was last told of one mailbox.
type notifyMailbox struct {
	name                  string
	uidvalidity, uidnext  uint32
	exists                int
	modseq                uint64
	messages, flags, list bool // the events requested for it
	meta                  bool
	selected              bool              // sync reports its messages, not STATUS
	metadata              map[string]string // with meta: entry name -> value digest
}

// notifyState is a session's NOTIFY SET.
type notifyState struct {
	groups     []notifyGroup
	fetch      []wire.FetchItem // MessageNew's attributes for the selected mailbox
	subs       bool             // SubscriptionChange was requested
	server     bool             // ServerMetadataChange was requested
	wake       chan struct{}    // one slot: wake-ups coalesce
	watches    map[string]func()
	known      map[string]notifyMailbox // by uniqueid
	subscribed map[string]bool          // with subs: the subscriptions last told
	serverMeta map[string]string        // with server: entry -> value digest
	selectedID string                   // the selected mailbox the watches cover
	// selectedMeta: a selected group asks for MailboxMetadataChange, so
	// the watches follow SELECT.
	selectedMeta bool
}

// stop ends the state's subscriptions.
func (n *notifyState) stop() {
	if n == nil {
		return
	}
	for t, c := range n.watches {
		c()
		delete(n.watches, t)
	}
}

// cmdNotify: RFC 5465 §3.
func cmdNotify(s *session, c wire.Command) (reply, error) {
	if err := s.r.SP(); err != nil {
		return reply{}, err
	}
	verb, err := s.r.Keyword()
	if err != nil {
		return reply{}, err
	}
	switch verb {
	case "NONE":
		if err := s.r.EOL(); err != nil {
			return reply{}, err
		}
		s.notify.stop()
		s.notify = nil
		return reply{Text: "NOTIFY completed"}, nil
	case "SET":
	default:
		return reply{}, bad("Unrecognized NOTIFY subcommand")
	}
	status, groups, err := s.parseNotifySet()
	if err != nil {
		return reply{}, err
	}
	n := &notifyState{groups: groups, wake: make(chan struct{}, 1), known: map[string]notifyMailbox{},
		watches: map[string]func(){}}
	for _, g := range groups {
		if g.selectedFilter() && g.fetch != nil {
			n.fetch = g.fetch
		}
		n.subs = n.subs || g.subs
		n.server = n.server || g.server
		n.selectedMeta = n.selectedMeta || (g.selectedFilter() && g.meta)
	}
	if err := s.notifyRewatch(n); err != nil {
		n.stop()
		return reply{}, err
	}
	s.notify.stop()
	s.notify = n
	// The baseline: what the client is told now (STATUS requested) or
	// assumed to know; later changes are reported against it.
	if err := s.notifyScan(status, true); err != nil {
		return reply{}, err
	}
	return reply{Text: "NOTIFY completed"}, nil
}

// badEvent refuses an event this server does not report.
func badEvent() error {
	return noCode("BADEVENT ("+strings.Join(notifyEvents, " ")+")", "Unsupported event")
}

// parseNotifySet reads the rest of NOTIFY SET: [SP "STATUS"] then the
// event groups (RFC 5465 §8).
func (s *session) parseNotifySet() (bool, []notifyGroup, error) {
	r := s.r
	if err := r.SP(); err != nil {
		return false, nil, err
	}
	status := false
	if r.Peek() != '(' {
		word, err := r.Keyword()
		if err != nil {
			return false, nil, err
		}
		if word != "STATUS" {
			return false, nil, bad("Invalid NOTIFY SET")
		}
		if err := r.SP(); err != nil {
			return false, nil, err
		}
		status = true
	}
	var groups []notifyGroup
	names := 0
	for first := true; ; first = false {
		if !first {
			if r.AtEOL() {
				break
			}
			if err := r.SP(); err != nil {
				return false, nil, err
			}
		}
		if err := r.Expect('(', "event group"); err != nil {
			return false, nil, err
		}
		word, err := r.Keyword()
		if err != nil {
			return false, nil, err
		}
		g := notifyGroup{filter: notifyFilter{kind: word}}
		switch word {
		case "SELECTED", "SELECTED-DELAYED", "PERSONAL", "INBOXES", "SUBSCRIBED":
		case "SUBTREE", "MAILBOXES":
			if g.filter.names, err = s.parseNotifyMailboxes(notifyMaxNames - names); err != nil {
				return false, nil, err
			}
			names += len(g.filter.names)
		default:
			return false, nil, bad("Invalid event group filter")
		}
		if err := r.SP(); err != nil {
			return false, nil, err
		}
		if err := s.parseNotifyEvents(&g); err != nil {
			return false, nil, err
		}
		if err := r.Expect(')', "end of event group"); err != nil {
			return false, nil, err
		}
		groups = append(groups, g)
		if len(groups) > 100 {
			return false, nil, bad("Too many event groups")
		}
	}
	if len(groups) == 0 {
		return false, nil, bad("Missing event groups")
	}
	return status, groups, r.EOL()
}

// parseNotifyMailboxes reads SP one-or-more-mailbox, at most max names.
func (s *session) parseNotifyMailboxes(max int) ([]string, error) {
	r := s.r
	if err := r.SP(); err != nil {
		return nil, err
	}
	list := r.Consume('(')
	var names []string
	for {
		ext, err := r.AString()
		if err != nil {
			return nil, err
		}
		name, err := s.toInternal(ext)
		if err != nil {
			return nil, err
		}
		if names = append(names, name); len(names) > max {
			return nil, bad("Too many mailboxes")
		}
		if !list || r.Consume(')') {
			return names, nil
		}
		if err := r.SP(); err != nil {
			return nil, err
		}
	}
}

// parseNotifyEvents reads events: "NONE" or a parenthesised list.
func (s *session) parseNotifyEvents(g *notifyGroup) error {
	r := s.r
	if !r.Consume('(') {
		word, err := r.Keyword()
		if err != nil {
			return err
		}
		if word != "NONE" {
			return bad("Invalid events")
		}
		return nil
	}
	var newMsg, expunge bool
	needSP := false
	for n := 0; !r.Consume(')'); n++ {
		if n > 32 {
			return bad("Too many events")
		}
		if needSP {
			if err := r.SP(); err != nil {
				return err
			}
		}
		needSP = true
		ev, err := r.Keyword()
		if err != nil {
			return err
		}
		switch ev {
		case "MESSAGENEW":
			newMsg = true
			if r.Consume(' ') { // fetch attributes, or the next event
				if r.Peek() != '(' {
					needSP = false
				} else if g.fetch, err = parseNotifyFetch(r); err != nil {
					return err
				}
			}
		case "MESSAGEEXPUNGE":
			expunge = true
		case "FLAGCHANGE":
			g.flags = true
		case "MAILBOXNAME":
			g.names = true
		case "SUBSCRIPTIONCHANGE":
			g.subs = true
		case "MAILBOXMETADATACHANGE":
			g.meta = true
		case "SERVERMETADATACHANGE":
			g.server = true
		default:
			return badEvent()
		}
	}
	// RFC 5465 §5: MessageNew and MessageExpunge go together, and
	// FlagChange needs both.
	if newMsg != expunge || (g.flags && !newMsg) {
		return bad("MessageNew, MessageExpunge and FlagChange must be requested together")
	}
	g.messages = newMsg
	if (g.names || g.subs) && g.selectedFilter() {
		return bad("MailboxName and SubscriptionChange are not selected mailbox events")
	}
	return nil
}

// parseNotifyFetch reads MessageNew's fetch attributes. They may not
// change the message (RFC 5465 §5.1): a body is fetched with PEEK.
func parseNotifyFetch(r *wire.Reader) ([]wire.FetchItem, error) {
	items, err := wire.ParseFetchAtts(r)
	if err != nil {
		return nil, err
	}
	for _, it := range items {
		if it.SetsSeen() {
			return nil, bad("MessageNew fetch attributes must not set \\Seen (use BODY.PEEK)")
		}
	}
	return items, nil
}

// notifyRewatch makes the state's watches those of notifyTopics: called
// at NOTIFY SET and at each wake-up, so the watches follow the
// subscriptions and the selected mailbox.
func (s *session) notifyRewatch(n *notifyState) error {
	want := s.notifyTopics(n.groups)
	keep := make(map[string]bool, len(want))
	for _, topic := range want {
		keep[topic] = true
		if n.watches[topic] != nil {
			continue
		}
		ch, cancel, err := s.srv.st.Watch(s.ctx, topic)
		if err != nil {
			return fmt.Errorf("NOTIFY: watching changes: %w", err)
		}
		n.watches[topic] = cancel
		go func() {
			for range ch {
				select {
				case n.wake <- struct{}{}:
				default:
				}
			}
		}()
	}
	for topic, cancel := range n.watches {
		if !keep[topic] {
			cancel()
			delete(n.watches, topic)
		}
	}
	n.selectedID = ""
	if s.sel != nil {
		n.selectedID = s.sel.entry.UniqueID
	}
	return nil
}

// notifyTopics are the change topics covering the groups' mailboxes,
// subscriptions and metadata.
func (s *session) notifyTopics(groups []notifyGroup) []string {
	seen := map[string]bool{}
	var topics []string
	add := func(t string) {
		if !seen[t] {
			seen[t] = true
			topics = append(topics, t)
		}
	}
	// watch adds the topics of one mailbox (or, with subtree, of every
	// mailbox below it) for g's events.
	watch := func(g notifyGroup, name string, subtree bool) {
		topic := func(t string) string {
			if subtree {
				return cyrusdb.PrefixTopic(t)
			}
			return t
		}
		if g.messages || g.names {
			add(topic(name))
		}
		if g.meta {
			add(topic(store.MetadataTopic(name)))
		}
	}
	inbox := mboxname.UserInbox(s.user.User)
	for _, g := range groups {
		if g.subs {
			add(store.SubscriptionTopic(s.user.User))
		}
		if g.server {
			add(store.MetadataTopic(""))
		}
		switch g.filter.kind {
		case "SELECTED", "SELECTED-DELAYED":
			if s.sel != nil && g.meta {
				add(store.MetadataTopic(s.sel.name))
			}
		case "PERSONAL", "INBOXES":
			watch(g, inbox, true)
		case "SUBTREE":
			for _, n := range g.filter.names {
				watch(g, n, true)
			}
		case "MAILBOXES":
			for _, n := range g.filter.names {
				watch(g, n, false)
			}
		case "SUBSCRIBED":
			if !g.messages && !g.names && !g.meta {
				continue
			}
			// The group follows the subscriptions (RFC 5465 §6).
			add(store.SubscriptionTopic(s.user.User))
			subs, err := s.srv.st.Subscriptions(s.ctx, s.user.User)
			if err != nil {
				s.log.Warn("NOTIFY: reading subscriptions", "err", err)
			}
			for _, n := range subs {
				watch(g, n, false)
			}
		}
	}
	return topics
}

// notifyMailboxes returns the mailboxes the groups watch now, by
// uniqueid.
func (s *session) notifyMailboxes(groups []notifyGroup) (map[string]notifyMailbox, error) {
	out := map[string]notifyMailbox{}
	add := func(e *store.Entry, g notifyGroup) {
		if s.hiddenDeleted(e.Name) || !s.rightsOn(e).Has(acl.Lookup) {
			return
		}
		read := s.rightsOn(e).Has(acl.Read)
		m := out[e.UniqueID]
		m.name = e.Name
		m.selected = s.sel != nil && s.sel.entry.UniqueID == e.UniqueID
		m.messages = m.messages || (g.messages && read && !g.selectedFilter())
		m.flags = m.flags || (g.flags && read && !g.selectedFilter())
		m.list = m.list || g.names
		m.meta = m.meta || (g.meta && (read || s.identityFor(e.Name).Admin))
		out[e.UniqueID] = m
	}
	walk := func(name string, g notifyGroup, subtree bool) error {
		if subtree {
			return s.srv.st.Walk(s.ctx, name, func(e *store.Entry) error { add(e, g); return nil })
		}
		e, err := s.srv.st.Lookup(s.ctx, name)
		if errors.Is(err, store.ErrNotFound) {
			return nil
		}
		if err == nil {
			add(e, g)
		}
		return err
	}
	inbox := mboxname.UserInbox(s.user.User)
	for _, g := range groups {
		var err error
		switch g.filter.kind {
		case "SELECTED", "SELECTED-DELAYED":
			if s.sel != nil && g.meta {
				err = walk(s.sel.name, g, false)
			}
		case "PERSONAL":
			err = walk(inbox, g, true)
		case "INBOXES":
			err = walk(inbox, g, false)
		case "SUBTREE":
			for _, n := range g.filter.names {
				if err = walk(n, g, true); err != nil {
					break
				}
			}
		case "MAILBOXES":
			for _, n := range g.filter.names {
				if err = walk(n, g, false); err != nil {
					break
				}
			}
		case "SUBSCRIBED":
			var subs []string
			subs, err = s.srv.st.Subscriptions(s.ctx, s.user.User)
			for _, n := range subs {
				if err != nil {
					break
				}
				err = walk(n, g, false)
			}
		}
		if err != nil {
			return nil, fmt.Errorf("NOTIFY: listing watched mailboxes: %w", err)
		}
	}
	return out, nil
}

// notifyPending reports changes since the last report if a change was
// published for a watched mailbox.
func (s *session) notifyPending() error {
	if s.notify == nil {
		return nil
	}
	selected := ""
	if s.sel != nil {
		selected = s.sel.entry.UniqueID
	}
	if s.notify.selectedMeta && selected != s.notify.selectedID {
		// SELECT moved the selected filter: the scan watches the new
		// mailbox and reports what else changed.
		select {
		case <-s.notify.wake:
		default:
		}
		return s.notifyScan(true, false)
	}
	select {
	case <-s.notify.wake:
		return s.notifyScan(true, false)
	default:
		return nil
	}
}

// notifyWake is the channel IDLE waits on (nil without NOTIFY); on a
// wake-up from it, IDLE calls notifyScan.
func (s *session) notifyWake() <-chan struct{} {
	if s.notify == nil {
		return nil
	}
	return s.notify.wake
}

// notifyScan compares the watched mailboxes with what the client was
// told and, when tell is set, reports the differences. The initial scan
// of NOTIFY SET (STATUS) sends the STATUS of every watched mailbox. The
// notifications are gathered first: more than the bound are dropped for
// NOTIFICATIONOVERFLOW.
func (s *session) notifyScan(tell, initial bool) error {
	n := s.notify
	if !initial {
		if err := s.notifyRewatch(n); err != nil {
			return err
		}
	}
	now, err := s.notifyMailboxes(n.groups)
	if err != nil {
		return err
	}
	var out []func()
	for id, m := range now {
		old, had := n.known[id]
		if m.messages || m.flags {
			if err := s.notifyStat(&m); err != nil {
				s.log.Debug("NOTIFY: reading a watched mailbox", "mailbox", m.name, "err", err)
				m.uidvalidity, m.uidnext, m.exists, m.modseq = old.uidvalidity, old.uidnext, old.exists, old.modseq
			}
		}
		if m.meta {
			if m.metadata, err = s.notifyMetadata(m.name); err != nil {
				s.log.Debug("NOTIFY: reading a watched mailbox's metadata", "mailbox", m.name, "err", err)
				m.metadata = old.metadata
			}
		}
		now[id] = m
		switch {
		case !tell:
			continue
		case initial:
			if m.messages && !m.selected {
				out = append(out, func() { s.notifyStatusLine(m) })
			}
			continue
		case m.list && had && old.name != m.name:
			out = append(out, func() { s.notifyRenamed(old.name, m.name) })
		case m.list && !had:
			out = append(out, func() { s.notifyList(m.name, nil) })
		}
		changed := !had || m.uidvalidity != old.uidvalidity || m.uidnext != old.uidnext || m.exists != old.exists
		flagsOnly := !changed && m.modseq != old.modseq
		if !m.selected && ((m.messages && changed) || (m.flags && flagsOnly)) {
			out = append(out, func() { s.notifyStatusLine(m) })
		}
		if m.meta && had && old.meta && old.name == m.name {
			if entries := changedEntries(old.metadata, m.metadata); len(entries) > 0 {
				out = append(out, func() { s.notifyMetadataLine(m.name, entries) })
			}
		}
	}
	if tell && !initial {
		for id, old := range n.known {
			if _, ok := now[id]; !ok && old.list {
				out = append(out, func() { s.notifyList(old.name, []string{`\NonExistent`}) })
			}
		}
	}
	n.known = now
	if n.subs {
		subs, err := s.srv.st.Subscriptions(s.ctx, s.user.User)
		if err != nil {
			return fmt.Errorf("NOTIFY: reading subscriptions: %w", err)
		}
		set := make(map[string]bool, len(subs))
		for _, name := range subs {
			set[name] = true
		}
		if tell && !initial {
			out = append(out, s.notifySubscriptionChanges(n.subscribed, set)...)
		}
		n.subscribed = set
	}
	if n.server {
		meta, err := s.notifyMetadata("")
		if err != nil {
			return err
		}
		if entries := changedEntries(n.serverMeta, meta); tell && !initial && len(entries) > 0 {
			out = append(out, func() { s.notifyMetadataLine("", entries) })
		}
		n.serverMeta = meta
	}
	if len(out) > s.srv.notifyMaxPending() {
		// RFC 5465 §5.8: the client must resynchronise itself.
		s.w.StatusResponse("*", wire.OK, "NOTIFICATIONOVERFLOW", "Too many notifications: NOTIFY NONE is in force")
		n.stop()
		s.notify = nil
		return nil
	}
	for _, f := range out {
		f()
	}
	return nil
}

// notifySubscriptionChanges are the LIST responses of RFC 5465 §5.6 for
// the names subscribed or unsubscribed between old and now, in name order.
func (s *session) notifySubscriptionChanges(old, now map[string]bool) []func() {
	var names []string
	for name := range now {
		if !old[name] {
			names = append(names, name)
		}
	}
	for name := range old {
		if !now[name] {
			names = append(names, name)
		}
	}
	slices.Sort(names)
	out := make([]func(), 0, len(names))
	for _, name := range names {
		out = append(out, func() { s.notifySubscription(name, now[name]) })
	}
	return out
}

// notifySubscription sends the LIST of a mailbox whose subscription
// changed: its attributes, \Subscribed when it is subscribed now.
func (s *session) notifySubscription(name string, subscribed bool) {
	ext := s.toExternal(name)
	if ext == "" {
		return
	}
	var attrs []string
	e, err := s.srv.st.Lookup(s.ctx, name)
	switch {
	case err != nil || s.hiddenDeleted(name) || !s.rightsOn(e).Has(acl.Lookup):
		attrs = []string{`\NonExistent`}
	default:
		if attrs, err = s.mailboxAttrs(&mbox{ext: ext, name: name, entry: e}); err != nil {
			attrs = nil
		}
	}
	if subscribed {
		attrs = append(attrs, `\Subscribed`)
	}
	s.writeListLine("LIST", attrs, ext, s.srv.st.Namespace().Separator(s.admin()), "")
}

// notifyMetadata returns a digest of each metadata value the session
// sees on a mailbox ("" the server), by entry name.
func (s *session) notifyMetadata(name string) (map[string]string, error) {
	t := &metaTarget{}
	if name != "" {
		e, err := s.srv.st.Lookup(s.ctx, name)
		if err != nil {
			return nil, err
		}
		t = newMetaTarget(s.toExternal(name), name, e)
	}
	out := map[string]string{}
	for _, root := range []metaEntry{{private: true}, {}} {
		values, err := s.readMetadata(t, root, "infinity")
		if err != nil {
			return nil, err
		}
		for _, v := range values {
			sum := sha256.Sum256(v.value)
			out[v.name] = string(sum[:])
		}
	}
	return out, nil
}

// changedEntries are the entry names whose values differ, sorted.
func changedEntries(old, now map[string]string) []string {
	var names []string
	for k, v := range now {
		if o, ok := old[k]; !ok || o != v {
			names = append(names, k)
		}
	}
	for k := range old {
		if _, ok := now[k]; !ok {
			names = append(names, k)
		}
	}
	slices.Sort(names)
	return names
}

// notifyMetadataLine sends the unsolicited METADATA response naming the
// changed entries (RFC 5464 §4.4.2, RFC 5465 §5.7 and §5.8).
func (s *session) notifyMetadataLine(name string, entries []string) {
	w := s.w
	w.Star().Atom("METADATA ")
	if name == "" {
		w.String("")
	} else {
		ext := s.toExternal(name)
		if ext == "" {
			return
		}
		w.AString(ext)
	}
	for _, e := range entries {
		w.SP().Atom(e)
	}
	w.CRLF()
}

// notifyNewMessages sends, after sync's EXISTS, the FETCH of MessageNew's
// attributes for the selected mailbox's new messages (RFC 5465 §5.1). A
// message that cannot be read is logged and left out: the EXISTS stands.
func (s *session) notifyNewMessages(v *mailbox.View, recs []mailbox.Record) {
	if s.notify == nil || s.notify.fetch == nil {
		return
	}
	m := s.newFetchMessage()
	for _, r := range recs {
		seq := s.sel.seqOf(r.UID)
		if seq == 0 {
			continue
		}
		if err := s.fetchOne(m, msgRef{seq: seq, uid: r.UID}, v, r, nil, s.notify.fetch); err != nil {
			s.log.Warn("NOTIFY: fetching a new message", "mailbox", s.sel.name, "uid", r.UID, "err", err)
			return
		}
	}
}

// notifyStat fills m's counters from the mailbox.
func (s *session) notifyStat(m *notifyMailbox) error {
	mb, _, err := s.srv.st.Open(s.ctx, m.name, store.QuotaIgnore)
	if err != nil {
		return err
	}
	defer mb.Close()
	v, err := mb.Snapshot()
	if err != nil {
		return err
	}
	m.uidvalidity, m.uidnext, m.exists, m.modseq = v.UIDValidity, v.UIDNext, v.Exists(), v.HighestModSeq
	return nil
}

// notifyStatusLine sends the untagged STATUS of RFC 5465 §5.1–5.3.
func (s *session) notifyStatusLine(m notifyMailbox) {
	ext := s.toExternal(m.name)
	if ext == "" {
		return
	}
	w := s.w
	w.Star().Atom("STATUS ").AString(ext).Atom(" (MESSAGES ").Number(uint32(m.exists)).
		Atom(" UIDNEXT ").Number(m.uidnext).Atom(" UIDVALIDITY ").Number(m.uidvalidity)
	if s.enabled.condstore {
		w.Atom(" HIGHESTMODSEQ ").Number64(m.modseq)
	}
	w.Atom(")").CRLF()
}

// notifyList sends a LIST for a created (attrs nil: its own) or deleted
// mailbox (RFC 5465 §5.4).
func (s *session) notifyList(name string, attrs []string) {
	ext := s.toExternal(name)
	if ext == "" {
		return
	}
	if attrs == nil {
		e, err := s.srv.st.Lookup(s.ctx, name)
		if err == nil {
			attrs, err = s.mailboxAttrs(&mbox{ext: ext, name: name, entry: e})
		}
		if err != nil {
			attrs = nil
		}
	}
	s.writeListLine("LIST", attrs, ext, s.srv.st.Namespace().Separator(s.admin()), "")
}

// notifyRenamed sends the new name's LIST with its OLDNAME.
func (s *session) notifyRenamed(from, to string) {
	if err := s.writeRenamedList(from, to); err != nil {
		s.log.Debug("NOTIFY: listing a renamed mailbox", "mailbox", to, "err", err)
	}
}
