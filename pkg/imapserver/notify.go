package imapserver

import (
	"errors"
	"fmt"
	"strings"

	"gocyrus/pkg/acl"
	"gocyrus/pkg/cyrusdb"
	"gocyrus/pkg/imapserver/wire"
	"gocyrus/pkg/mboxname"
	"gocyrus/pkg/store"
)

// NOTIFY (RFC 5465). Events of the selected mailbox are what sync already
// reports after every command and in IDLE ("selected" and
// "selected-delayed" alike: sync sends expunges only where they are
// allowed). Events of other mailboxes come from the store's change
// notification, the one IDLE uses: the session subscribes to one topic
// per event group (a prefix topic for personal, inboxes and subtree, the
// names for mailboxes and subscribed), so it is woken, in any process,
// only by changes to mailboxes it watches. On a wake-up it compares the
// group's mailboxes with what it last told the client and sends STATUS
// (MessageNew, MessageExpunge, FlagChange) or LIST (MailboxName) for the
// differences: the cost is one read per watched mailbox per wake-up,
// never a poll. Notifications go out after each command and during IDLE.
// Not implemented, refused with [BADEVENT]: AnnotationChange,
// SubscriptionChange and the metadata events; MessageNew's fetch
// attributes are accepted and not sent (the selected mailbox's new
// messages are announced by EXISTS).

// notifyEvents are the events this server can report.
var notifyEvents = []string{"MessageNew", "MessageExpunge", "FlagChange", "MailboxName"}

// notifyFilter is one event group's set of mailboxes.
type notifyFilter struct {
	kind  string   // SELECTED, SELECTED-DELAYED, PERSONAL, INBOXES, SUBSCRIBED, SUBTREE, MAILBOXES
	names []string // internal names of SUBTREE and MAILBOXES
}

// notifyGroup is one event group of NOTIFY SET.
type notifyGroup struct {
	filter   notifyFilter
	messages bool // MessageNew / MessageExpunge
	flags    bool // FlagChange
	names    bool // MailboxName
}

// notifyMailbox is what the client was last told of one mailbox.
type notifyMailbox struct {
	name                  string
	uidvalidity, uidnext  uint32
	exists                int
	modseq                uint64
	messages, flags, list bool // the events requested for it
	selected              bool // sync reports its messages, not STATUS
}

// notifyState is a session's NOTIFY SET.
type notifyState struct {
	groups []notifyGroup
	wake   chan struct{} // one slot: wake-ups coalesce
	cancel []func()
	known  map[string]notifyMailbox // by uniqueid
}

// stop ends the state's subscriptions.
func (n *notifyState) stop() {
	if n == nil {
		return
	}
	for _, c := range n.cancel {
		c()
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
	n := &notifyState{groups: groups, wake: make(chan struct{}, 1), known: map[string]notifyMailbox{}}
	for _, topic := range s.notifyTopics(groups) {
		ch, cancel, err := s.srv.st.Watch(s.ctx, topic)
		if err != nil {
			n.stop()
			return reply{}, err
		}
		n.cancel = append(n.cancel, cancel)
		go func() {
			for range ch {
				select {
				case n.wake <- struct{}{}:
				default:
				}
			}
		}()
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
			if g.filter.names, err = s.parseNotifyMailboxes(); err != nil {
				return false, nil, err
			}
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

// parseNotifyMailboxes reads SP one-or-more-mailbox.
func (s *session) parseNotifyMailboxes() ([]string, error) {
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
		if names = append(names, name); len(names) > 1000 {
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
				if !r.Consume('(') {
					needSP = false
				} else if err := s.skipFetchAtts(); err != nil {
					return err
				}
			}
		case "MESSAGEEXPUNGE":
			expunge = true
		case "FLAGCHANGE":
			g.flags = true
		case "MAILBOXNAME":
			g.names = true
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
	if g.names && (g.filter.kind == "SELECTED" || g.filter.kind == "SELECTED-DELAYED") {
		return bad("MailboxName is not a selected mailbox event")
	}
	return nil
}

// skipFetchAtts reads the rest of MessageNew's "(" fetch-att ... ")"
// (bounded by the command line it is on) without keeping it.
func (s *session) skipFetchAtts() error {
	r := s.r
	depth := 1
	for depth > 0 {
		switch {
		case r.Consume('('):
			depth++
		case r.Consume(')'):
			depth--
		case r.AtEOL():
			return bad("Unterminated MessageNew fetch attributes")
		case r.Consume(' '), r.Consume(']'), r.Consume('<'), r.Consume('>'):
		default:
			if _, err := r.Atom(); err != nil {
				return err
			}
		}
	}
	return nil
}

// notifyTopics are the change topics covering the groups' mailboxes.
func (s *session) notifyTopics(groups []notifyGroup) []string {
	seen := map[string]bool{}
	var topics []string
	add := func(t string) {
		if !seen[t] {
			seen[t] = true
			topics = append(topics, t)
		}
	}
	inbox := mboxname.UserInbox(s.user.User)
	for _, g := range groups {
		if !g.messages && !g.names {
			continue
		}
		switch g.filter.kind {
		case "PERSONAL", "INBOXES":
			add(cyrusdb.PrefixTopic(inbox))
		case "SUBTREE":
			for _, n := range g.filter.names {
				add(cyrusdb.PrefixTopic(n))
			}
		case "MAILBOXES":
			for _, n := range g.filter.names {
				add(n)
			}
		case "SUBSCRIBED":
			subs, err := s.srv.st.Subscriptions(s.ctx, s.user.User)
			if err != nil {
				s.log.Warn("NOTIFY: reading subscriptions", "err", err)
			}
			for _, n := range subs {
				add(n)
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
		m := out[e.UniqueID]
		m.name = e.Name
		m.selected = s.sel != nil && s.sel.entry.UniqueID == e.UniqueID
		m.messages = m.messages || (g.messages && s.rightsOn(e).Has(acl.Read))
		m.flags = m.flags || (g.flags && s.rightsOn(e).Has(acl.Read))
		m.list = m.list || g.names
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
// of NOTIFY SET (STATUS) sends the STATUS of every watched mailbox.
func (s *session) notifyScan(tell, initial bool) error {
	n := s.notify
	now, err := s.notifyMailboxes(n.groups)
	if err != nil {
		return err
	}
	for id, m := range now {
		old, had := n.known[id]
		if m.messages || m.flags {
			if err := s.notifyStat(&m); err != nil {
				s.log.Debug("NOTIFY: reading a watched mailbox", "mailbox", m.name, "err", err)
				m.uidvalidity, m.uidnext, m.exists, m.modseq = old.uidvalidity, old.uidnext, old.exists, old.modseq
			}
		}
		now[id] = m
		switch {
		case !tell:
			continue
		case initial:
			if m.messages && !m.selected {
				s.notifyStatusLine(m)
			}
			continue
		case m.list && had && old.name != m.name:
			s.notifyRenamed(old.name, m.name)
		case m.list && !had:
			s.notifyList(m.name, nil)
		}
		changed := !had || m.uidvalidity != old.uidvalidity || m.uidnext != old.uidnext || m.exists != old.exists
		flagsOnly := !changed && m.modseq != old.modseq
		if !m.selected && ((m.messages && changed) || (m.flags && flagsOnly)) {
			s.notifyStatusLine(m)
		}
	}
	if tell && !initial {
		for id, old := range n.known {
			if _, ok := now[id]; !ok && old.list {
				s.notifyList(old.name, []string{`\NonExistent`})
			}
		}
	}
	n.known = now
	return nil
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
