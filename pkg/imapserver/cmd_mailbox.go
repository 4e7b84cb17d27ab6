package imapserver

import (
	"strings"

	"gocyrus/pkg/acl"
	"gocyrus/pkg/imapserver/wire"
	"gocyrus/pkg/mailbox"
	"gocyrus/pkg/mboxname"
	"gocyrus/pkg/store"
)

// cmdNamespace: RFC 2342; admins see the standard namespace without a
// personal part (docs/CYRUS-BEHAVIOUR.md §2.2).
func cmdNamespace(s *session, c wire.Command) (reply, error) {
	if err := s.r.EOL(); err != nil {
		return reply{}, err
	}
	l := s.srv.st.Namespace().Namespaces(s.user.User, s.admin())
	s.w.Star().Atom("NAMESPACE ").Atom(l.String()).CRLF()
	return reply{}, nil
}

// specialUses are the attributes of RFC 6154 CREATE accepts.
var specialUses = map[string]bool{
	`\All`: true, `\Archive`: true, `\Drafts`: true, `\Flagged`: true,
	`\Junk`: true, `\Sent`: true, `\Trash`: true,
}

// trimSeparator drops one trailing hierarchy separator (RFC 3501 §6.3.3:
// "CREATE foo/" creates foo).
func (s *session) trimSeparator(ext string) string {
	sep := string(s.srv.st.Namespace().Separator(s.admin()))
	if len(ext) > 1 && strings.HasSuffix(ext, sep) {
		return strings.TrimSuffix(ext, sep)
	}
	return ext
}

// cmdCreate: RFC 3501 §6.3.3 with CREATE-SPECIAL-USE (RFC 6154 §3).
// Needs k on the nearest existing parent (docs/CYRUS-BEHAVIOUR.md §3.6); an existing but
// invisible name is "Permission denied", never "already exists".
func cmdCreate(s *session, c wire.Command) (reply, error) {
	cc, err := wire.ParseCreate(s.r)
	if err != nil {
		return reply{}, err
	}
	m, err := s.lookup(s.trimSeparator(cc.Mailbox))
	if err != nil {
		return reply{}, err
	}
	if m.entry != nil {
		if m.rights.Has(acl.Lookup) || s.identityFor(m.name).Admin {
			return reply{}, no("Mailbox already exists")
		}
		return reply{}, errPermission
	}
	ok, err := s.mayCreate(m.name)
	if err != nil {
		return reply{}, err
	}
	if !ok {
		return reply{}, errPermission
	}
	if cc.Partition != "" && !s.identityFor(m.name).Admin {
		return reply{}, errPermission // choosing a partition is for admins (Cyrus)
	}
	var uses []string
	for _, a := range cc.SpecialUse {
		if !specialUses[string(a)] {
			return reply{}, noCode("USEATTR", "Unsupported special-use attribute "+string(a))
		}
		uses = append(uses, string(a))
	}
	e, err := s.srv.st.CreateMailbox(s.ctx, m.name, store.CreateOptions{
		Partition: cc.Partition, SpecialUse: strings.Join(uses, " "), Quota: store.QuotaStrict,
	})
	if err != nil {
		return reply{}, err
	}
	return mailboxIDReply(e.UniqueID), nil
}

// cmdDelete: RFC 3501 §6.3.4 as Cyrus does it (docs/CYRUS-BEHAVIOUR.md §3.6): x needed
// (admins included), the own INBOX never, user.X only by admins (the whole
// tree goes), other mailboxes only without children, and for non-admins
// not one whose special use specialuse_protect lists.
func cmdDelete(s *session, c wire.Command) (reply, error) {
	ext, err := wire.ParseMailbox(s.r)
	if err != nil {
		return reply{}, err
	}
	m, err := s.lookup(ext)
	if err != nil {
		return reply{}, err
	}
	admin := s.identityFor(m.name).Admin
	if m.entry != nil && mboxname.IsUserInbox(m.name) && !admin {
		if m.name == s.srv.st.Namespace().UserInbox(s.user.User) {
			return reply{}, errNotSupported
		}
		// Only admins delete a user (docs/CYRUS-BEHAVIOUR.md §3.6).
		if err := s.need(m, acl.DeleteMailbox); err != nil {
			return reply{}, err
		}
		return reply{}, errPermission
	}
	if err := s.need(m, acl.DeleteMailbox); err != nil {
		return reply{}, err
	}
	if s.protectedSpecialUse(m.entry) {
		return reply{}, errSpecialUseProtected
	}
	if !mboxname.IsUserInbox(m.name) {
		has, err := s.srv.st.HasChildren(s.ctx, m.name)
		if err != nil {
			return reply{}, err
		}
		if has {
			return reply{}, noCode("HASCHILDREN", "Mailbox has inferior hierarchical names")
		}
	}
	if s.sel != nil && s.sel.name == m.name {
		s.unselect()
	}
	if user, ok := mboxname.UserOf(m.name); ok && mboxname.IsUserInbox(m.name) {
		// Deleting user.X deletes the user: also their seen state,
		// subscriptions, Sieve scripts and quota roots (store.DeleteUser).
		_, err = s.srv.st.DeleteUser(s.ctx, user)
		return reply{}, err
	}
	_, err = s.srv.st.DeleteMailbox(s.ctx, m.name)
	return reply{}, err
}

// cmdRename: RFC 3501 §6.3.5: x on the mailbox and each child, k on the
// new parent. Renaming INBOX moves its messages into a new mailbox and
// leaves INBOX empty (RFC 3501, and Cyrus); creating that mailbox counts
// against X-NUM-FOLDERS like CREATE. A mailbox with a protected special
// use keeps its parent unless an admin moves it (specialuse_protect).
func cmdRename(s *session, c wire.Command) (reply, error) {
	from, to, partition, err := wire.ParseRenamePartition(s.r)
	if err != nil {
		return reply{}, err
	}
	src, err := s.lookup(from)
	if err != nil {
		return reply{}, err
	}
	dst, err := s.lookup(s.trimSeparator(to))
	if err != nil {
		return reply{}, err
	}
	if partition != "" {
		// Cyrus's admin-only third argument: move to another partition,
		// under the same name or a new one.
		if !s.identityFor(src.name).Admin {
			return reply{}, errPermission
		}
		if src.entry == nil {
			return reply{}, errNoMailbox
		}
		if dst.name == src.name {
			if s.sel != nil && s.sel.name == src.name {
				s.unselect()
			}
			return reply{}, s.srv.st.RenameMailbox(s.ctx, src.name, src.name, partition)
		}
	}
	inbox := strings.EqualFold(from, "INBOX")
	want := acl.DeleteMailbox
	if inbox {
		want = acl.Read | acl.Expunge
	}
	// An admin renames without x on the mailbox or its children, as
	// Cyrus's mboxlist_renamemailbox skips the check for admins.
	admin := s.identityFor(src.name).Admin
	if !admin {
		if err := s.need(src, want); err != nil {
			return reply{}, err
		}
	}
	if dst.entry != nil {
		if dst.rights.Has(acl.Lookup) || s.identityFor(dst.name).Admin {
			return reply{}, no("Mailbox already exists")
		}
		return reply{}, errPermission
	}
	if ok, err := s.mayCreate(dst.name); err != nil || !ok {
		if err == nil {
			err = errPermission
		}
		return reply{}, err
	}
	if inbox {
		return reply{}, s.renameInbox(src, dst)
	}
	if mboxname.IsUserInbox(src.name) && !s.identityFor(src.name).Admin {
		return reply{}, errPermission
	}
	// Renaming a user (user.X to user.Y) only with allowusermoves, and a
	// user's INBOX never becomes anything but another user's (Cyrus).
	if mboxname.IsUserInbox(src.name) && (!s.srv.cfg.Allowusermoves() || !mboxname.IsUserInbox(dst.name)) {
		return reply{}, errNotSupported
	}
	if movesParent(src.name, dst.name) && s.protectedSpecialUse(src.entry) {
		return reply{}, errSpecialUseProtected
	}
	err = s.srv.st.Walk(s.ctx, src.name, func(e *store.Entry) error {
		if e.Name != src.name && !admin && !s.rightsOn(e).Has(acl.DeleteMailbox) {
			return errPermission
		}
		return nil
	})
	if err != nil {
		return reply{}, err
	}
	if s.sel != nil && (s.sel.name == src.name || mboxname.IsDescendant(s.sel.name, src.name)) {
		s.unselect()
	}
	if err := s.srv.st.RenameMailbox(s.ctx, src.name, dst.name, partition); err != nil {
		return reply{}, err
	}
	if s.enabled.rev2 {
		return reply{}, s.writeRenamedList(src.name, dst.name)
	}
	return reply{}, nil
}

// renameInbox creates dst and moves every message of INBOX into it.
func (s *session) renameInbox(src, dst *mbox) error {
	if _, err := s.srv.st.CreateMailbox(s.ctx, dst.name, store.CreateOptions{Quota: store.QuotaStrict}); err != nil {
		return err
	}
	from, _, err := s.srv.st.Open(s.ctx, src.name, store.QuotaStrict)
	if err != nil {
		return err
	}
	defer from.Close()
	to, _, err := s.srv.st.Open(s.ctx, dst.name, store.QuotaIgnore)
	if err != nil {
		return err
	}
	defer to.Close()
	v, err := from.Snapshot()
	if err != nil {
		return err
	}
	uids := make([]uint32, len(v.Records))
	for i, r := range v.Records {
		uids[i] = r.UID
	}
	if len(uids) == 0 {
		return nil
	}
	moved, _, err := to.CopyFrom(s.ctx, from, uids)
	if err != nil {
		return err
	}
	_, err = from.Expunge(s.ctx, moved)
	return err
}

// cmdSubscribe: RFC 3501 §6.3.6; needs l unless allowallsubscribe.
func cmdSubscribe(s *session, c wire.Command) (reply, error) {
	ext, err := wire.ParseMailbox(s.r)
	if err != nil {
		return reply{}, err
	}
	m, err := s.lookup(ext)
	if err != nil {
		return reply{}, err
	}
	if !s.srv.cfg.Allowallsubscribe() {
		if err := s.need(m, acl.Lookup); err != nil {
			return reply{}, err
		}
	}
	return reply{}, s.srv.st.Subscribe(s.ctx, s.user.User, m.name)
}

// cmdUnsubscribe: RFC 3501 §6.3.7; works for names that no longer exist.
func cmdUnsubscribe(s *session, c wire.Command) (reply, error) {
	ext, err := wire.ParseMailbox(s.r)
	if err != nil {
		return reply{}, err
	}
	name, err := s.toInternal(ext)
	if err != nil {
		return reply{}, err
	}
	return reply{}, s.srv.st.Unsubscribe(s.ctx, s.user.User, name)
}

// cmdStatus: RFC 3501 §6.3.10; needs r.
func cmdStatus(s *session, c wire.Command) (reply, error) {
	sc, err := wire.ParseStatus(s.r)
	if err != nil {
		return reply{}, err
	}
	m, err := s.open(sc.Mailbox, acl.Read)
	if err != nil {
		return reply{}, err
	}
	if ext := s.toExternal(m.name); s.utf8Names() && ext != "" {
		m.ext = ext // the UTF-8 name, not the client's spelling of it (rev2.go)
	}
	return reply{}, s.writeStatus(m, &sc.Items)
}

// writeStatus sends "* STATUS name (...)" for the requested items.
func (s *session) writeStatus(m *mbox, items *wire.StatusItems) error {
	mb, _, err := s.srv.st.Open(s.ctx, m.name, store.QuotaIgnore)
	if err != nil {
		return err
	}
	v, err := mb.Snapshot()
	mb.Close()
	if err != nil {
		return err
	}
	if items.HighestModSeq {
		s.enableCondstore(false)
	}
	w := s.w
	w.Star().Atom("STATUS ").AString(m.ext).Atom(" (")
	sp := ""
	item := func(name string) *wire.Writer {
		w.Atom(sp).Atom(name).SP()
		sp = " "
		return w
	}
	if items.NumMessages {
		item("MESSAGES").Number(uint32(v.Exists()))
	}
	if items.NumRecent {
		item("RECENT").Number(uint32(s.recentCount(m, v)))
	}
	if items.UIDNext {
		item("UIDNEXT").Number(v.UIDNext)
	}
	if items.UIDValidity {
		item("UIDVALIDITY").Number(v.UIDValidity)
	}
	if items.NumUnseen {
		n, err := s.countUnseenFor(m.entry, v)
		if err != nil {
			return err
		}
		item("UNSEEN").Number(uint32(n))
	}
	if items.NumDeleted {
		n := 0
		for _, r := range v.Records {
			if r.Flags&mailbox.FlagDeleted != 0 {
				n++
			}
		}
		item("DELETED").Number(uint32(n))
	}
	if items.Size {
		item("SIZE").Number64(v.QuotaUsed)
	}
	if items.HighestModSeq {
		item("HIGHESTMODSEQ").Number64(v.HighestModSeq)
	}
	if items.AppendLimit {
		item("APPENDLIMIT").Number64(uint64(s.srv.maxMessage))
	}
	if items.MailboxID {
		item("MAILBOXID").Open().Atom(m.entry.UniqueID).Close()
	}
	w.Close().CRLF()
	return nil
}

// recentCount counts the messages that would be \Recent for this user.
func (s *session) recentCount(m *mbox, v *mailbox.View) int {
	seen, err := s.srv.st.GetSeen(s.ctx, s.user.User, m.entry.UniqueID)
	if err != nil {
		return 0
	}
	n := 0
	for _, r := range v.Records {
		if r.UID > seen.LastUID {
			n++
		}
	}
	return n
}
