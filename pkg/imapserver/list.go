package imapserver

import (
	"maps"
	"slices"
	"strings"

	"gocyrus/pkg/acl"
	"gocyrus/pkg/imapserver/wire"
	"gocyrus/pkg/mboxname"
	"gocyrus/pkg/store"
)

// listed is one mailbox the session may see (it holds l).
type listed struct {
	ext        string
	name       string
	entry      *store.Entry
	rights     acl.Rights
	subscribed bool
}

// visibleMailboxes returns every mailbox the session holds l on, in the
// order Cyrus lists them: the personal tree, other users, shared folders
// (docs/CYRUS-BEHAVIOUR.md §3.7: the others do not exist for this session).
func (s *session) visibleMailboxes() ([]*listed, error) {
	inbox := ""
	if s.user.User != "" && !s.admin() {
		inbox = s.srv.st.Namespace().UserInbox(s.user.User)
	}
	var own, users, shared []*listed
	err := s.srv.st.Walk(s.ctx, "", func(e *store.Entry) error {
		if e.IsDeleted() || e.IsIntermediate() || s.hiddenDeleted(e.Name) {
			return nil
		}
		r := s.rightsOn(e)
		if !r.Has(acl.Lookup) {
			return nil
		}
		ext := s.toExternal(e.Name)
		if ext == "" {
			return nil
		}
		l := &listed{ext: ext, name: e.Name, entry: e, rights: r}
		_, isUser := mboxname.UserOf(e.Name)
		switch {
		case inbox != "" && (e.Name == inbox || mboxname.IsDescendant(e.Name, inbox)):
			own = append(own, l)
		case isUser:
			users = append(users, l)
		default:
			shared = append(shared, l)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return append(append(own, users...), shared...), nil
}

// subscriptions returns the session's subscribed internal names.
func (s *session) subscriptions() (map[string]bool, error) {
	names, err := s.srv.st.Subscriptions(s.ctx, s.user.User)
	if err != nil {
		return nil, err
	}
	set := make(map[string]bool, len(names))
	for _, n := range names {
		set[n] = true
	}
	return set, nil
}

// cmdList: RFC 3501 §6.3.8 with LIST-EXTENDED (RFC 5258), CHILDREN (RFC
// 3348), SPECIAL-USE (RFC 6154) and LIST-STATUS (RFC 5819).
func cmdList(s *session, c wire.Command) (reply, error) {
	lc, err := wire.ParseList(s.r)
	if err != nil {
		return reply{}, err
	}
	sep := s.srv.st.Namespace().Separator(s.admin())
	if !lc.Extended && len(lc.Patterns) == 1 && lc.Patterns[0] == "" {
		// RFC 3501: the hierarchy delimiter and root of the reference.
		s.w.Star().Atom(`LIST (\Noselect) "`).Atom(string(sep)).Atom(`" ""`).CRLF()
		return reply{}, nil
	}
	return reply{}, s.list(lc, "LIST")
}

// cmdLsub: RFC 3501 §6.3.9: LIST (SUBSCRIBED) in the old form.
func cmdLsub(s *session, c wire.Command) (reply, error) {
	lc, err := wire.ParseLsub(s.r)
	if err != nil {
		return reply{}, err
	}
	return reply{}, s.list(&wire.ListCommand{
		Reference: lc.Reference, Patterns: []string{lc.Pattern}, SelectSubscribed: true,
	}, "LSUB")
}

// list writes the LIST (or LSUB) responses of a command.
func (s *session) list(lc *wire.ListCommand, verb string) error {
	sep := s.srv.st.Namespace().Separator(s.admin())
	patterns := make([]string, len(lc.Patterns))
	for i, p := range lc.Patterns {
		if err := s.checkUTF8Name(lc.Reference + p); err != nil {
			return err // UTF8=ACCEPT: BAD (utf8accept.go)
		}
		patterns[i] = s.clientPattern(lc.Reference + p)
	}
	match := func(ext string) bool {
		return slices.ContainsFunc(patterns, func(p string) bool { return mboxname.Match(p, ext, sep) })
	}
	var metaEntries []metaEntry
	if lc.ReturnMetadata != nil {
		var err error
		if metaEntries, err = parseMetaEntries(lc.ReturnMetadata); err != nil {
			return err
		}
	}
	all, err := s.visibleMailboxes()
	if err != nil {
		return err
	}
	var subs map[string]bool
	if lc.SelectSubscribed || lc.ReturnSubscribed {
		if subs, err = s.subscriptions(); err != nil {
			return err
		}
		for _, l := range all {
			l.subscribed = subs[l.name]
		}
	}
	exists := make(map[string]bool, len(all))
	for _, l := range all {
		exists[l.ext] = true
	}
	// Which names have visible children, and which subscribed ones.
	hasChildren := map[string]bool{}
	for _, l := range all {
		for i := strings.LastIndexByte(l.ext, sep); i > 0; i = strings.LastIndexByte(l.ext[:i], sep) {
			hasChildren[l.ext[:i]] = true
		}
	}
	// Subscribed names that are no longer mailboxes (LIST lists them, RFC
	// 5258 §3.1; LSUB keeps to mailboxes that exist).
	var gone []string
	goneSet := map[string]bool{}
	if verb == "LIST" {
		for _, name := range slices.Sorted(maps.Keys(subs)) {
			if ext := s.toExternal(name); ext != "" && !exists[ext] && !s.hiddenDeleted(name) {
				gone = append(gone, ext)
				goneSet[ext] = true
			}
		}
	}
	subChildren, subUnmatched := subscribedBelow(all, gone, match, sep)
	done := map[string]bool{}
	for _, l := range all {
		// A parent this session cannot see, matched by the pattern: a
		// \Noselect placeholder where its first child is (LIST "" "%").
		for i := strings.IndexByte(l.ext, sep); i > 0; i = nextSep(l.ext, i, sep) {
			parent := l.ext[:i]
			// With "*" the child itself answers; "%" stops at the parent.
			if exists[parent] || goneSet[parent] || done[parent] || !match(parent) || match(l.ext) {
				continue
			}
			done[parent] = true
			switch {
			case lc.SelectSubscribed && !subChildren[parent]:
			case lc.SelectSubscribed && lc.SelectRecursiveMatch && !subUnmatched[parent]:
			case lc.SelectSubscribed && lc.SelectRecursiveMatch:
				s.writeListLine(verb, []string{`\NonExistent`}, parent, sep, `("CHILDINFO" ("SUBSCRIBED"))`)
			case verb == "LSUB":
				s.writeListLine(verb, lsubPlaceholder, parent, sep, "")
			case lc.SelectSubscribed:
			case lc.SelectSpecialUse:
			default:
				s.writeListLine(verb, []string{`\Noselect`, `\HasChildren`}, parent, sep, "")
			}
		}
		if !match(l.ext) || done[l.ext] {
			continue
		}
		done[l.ext] = true
		if lc.SelectSubscribed && !l.subscribed {
			if verb == "LSUB" && subUnmatched[l.ext] {
				s.writeListLine(verb, lsubPlaceholder, l.ext, sep, "")
			}
			if lc.SelectRecursiveMatch && subUnmatched[l.ext] {
				s.writeListLine(verb, s.listAttrs(l, hasChildren[l.ext], lc), l.ext, sep, `("CHILDINFO" ("SUBSCRIBED"))`)
			}
			continue
		}
		if lc.SelectSpecialUse && len(s.specialUse(l.entry)) == 0 {
			continue
		}
		if verb == "LSUB" {
			s.writeListLine(verb, lsubAttrs(subChildren[l.ext]), l.ext, sep, "")
			continue
		}
		s.writeListLine(verb, s.listAttrs(l, hasChildren[l.ext], lc), l.ext, sep, childInfo(lc, subUnmatched[l.ext]))
		if lc.ReturnStatus != nil && l.rights.Has(acl.Read) {
			m := &mbox{ext: l.ext, name: l.name, entry: l.entry, rights: l.rights}
			if err := s.writeStatus(m, lc.ReturnStatus); err != nil {
				s.log.Warn("LIST-STATUS", "mailbox", l.name, "err", err)
			}
		}
		if metaEntries != nil {
			if err := s.writeListMetadata(l, metaEntries); err != nil {
				return err
			}
		}
	}
	// Subscribed names that no longer exist, after the mailboxes.
	if lc.SelectSubscribed {
		for _, ext := range gone {
			if done[ext] {
				continue
			}
			// A parent that is no mailbox either, seen only through it.
			for i := strings.IndexByte(ext, sep); i > 0 && lc.SelectRecursiveMatch; i = nextSep(ext, i, sep) {
				parent := ext[:i]
				if exists[parent] || done[parent] || goneSet[parent] || !match(parent) || !subUnmatched[parent] {
					continue
				}
				done[parent] = true
				s.writeListLine(verb, []string{`\NonExistent`}, parent, sep, childInfo(lc, true))
			}
			if !match(ext) {
				continue
			}
			s.writeListLine(verb, []string{`\NonExistent`, `\Subscribed`}, ext, sep, childInfo(lc, subUnmatched[ext]))
			done[ext] = true
		}
	}
	return nil
}

// subscribedBelow says, for each name, whether a subscribed name lies below
// it and whether one of those the patterns miss does: RFC 5258 §3.5 returns
// a parent with CHILDINFO only for a subscribed descendant that is not
// listed itself (example 9: "*2" lists baz2/bar2 and so not baz2). Subscribed
// names that are no longer mailboxes count: LIST (SUBSCRIBED) lists them.
func subscribedBelow(all []*listed, gone []string, match func(string) bool, sep byte) (below, unmatched map[string]bool) {
	below, unmatched = map[string]bool{}, map[string]bool{}
	add := func(ext string) {
		m := match(ext)
		for i := strings.LastIndexByte(ext, sep); i > 0; i = strings.LastIndexByte(ext[:i], sep) {
			below[ext[:i]] = true
			unmatched[ext[:i]] = unmatched[ext[:i]] || !m
		}
	}
	for _, l := range all {
		if l.subscribed {
			add(l.ext)
		}
	}
	for _, ext := range gone {
		add(ext)
	}
	return below, unmatched
}

// childInfo is the extended data of a listed mailbox whose subscribed
// descendants the patterns miss (RFC 5258 §3.5, RECURSIVEMATCH only).
func childInfo(lc *wire.ListCommand, subscribedUnmatched bool) string {
	if lc.SelectSubscribed && lc.SelectRecursiveMatch && subscribedUnmatched {
		return `("CHILDINFO" ("SUBSCRIBED"))`
	}
	return ""
}

// LSUB's attributes are Cyrus's: \HasChildren when subscribed names lie
// below (children that are not subscribed do not count, and there is no
// \HasNoChildren), and a parent that is not subscribed itself but hides
// subscribed names from a "%" pattern is a \Noselect placeholder (RFC 3501
// §6.3.9).
var lsubPlaceholder = []string{`\Noselect`, `\HasChildren`}

func lsubAttrs(subscribedChildren bool) []string {
	if subscribedChildren {
		return []string{`\HasChildren`}
	}
	return nil
}

// nextSep returns the index of the next separator after i, or -1.
func nextSep(name string, i int, sep byte) int {
	j := strings.IndexByte(name[i+1:], sep)
	if j < 0 {
		return -1
	}
	return i + 1 + j
}

// listAttrs returns a listed mailbox's attributes: children (always, as
// Cyrus does), special use, \Subscribed when asked for.
func (s *session) listAttrs(l *listed, children bool, lc *wire.ListCommand) []string {
	attrs := []string{`\HasNoChildren`}
	if children {
		attrs[0] = `\HasChildren`
	}
	if l.subscribed && (lc.SelectSubscribed || lc.ReturnSubscribed) {
		attrs = append(attrs, `\Subscribed`)
	}
	attrs = append(attrs, s.specialUse(l.entry)...)
	return attrs
}

// writeListLine sends `* LIST (attrs) "sep" name [extended]`.
func (s *session) writeListLine(verb string, attrs []string, ext string, sep byte, extended string) {
	w := s.w
	w.Star().Atom(verb).Atom(" ").Atom(flagList(attrs)).Atom(` "`)
	if sep == '"' || sep == '\\' {
		w.Atom(`\`)
	}
	w.Atom(string(sep)).Atom(`" `).AString(ext)
	if extended != "" {
		w.SP().Atom(extended)
	}
	w.CRLF()
}
