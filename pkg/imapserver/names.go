package imapserver

import (
	"errors"
	"strings"

	"gocyrus/pkg/acl"
	"gocyrus/pkg/mboxname"
	"gocyrus/pkg/store"
)

// mbox is a mailbox named by the client: its external and internal names,
// its list entry (nil when it does not exist) and the session's rights on
// it.
type mbox struct {
	ext    string
	name   string
	entry  *store.Entry
	rights acl.Rights
}

// admin reports a session of an administrator (who sees the internal,
// standard namespace, as in Cyrus).
func (s *session) admin() bool { return s.user.Admin }

// toInternal converts a client's mailbox name (UTF-8 in a rev2 session,
// rev2.go).
func (s *session) toInternal(ext string) (string, error) {
	ext, err := s.clientName(ext)
	if err != nil {
		return "", err
	}
	return s.srv.st.Namespace().ToInternal(ext, s.user.User, s.admin())
}

// toExternal converts an internal name for the client; "" when the
// session cannot name it (another domain).
func (s *session) toExternal(name string) string {
	ext, err := s.srv.st.Namespace().ToExternal(name, s.user.User, s.admin())
	if err != nil {
		return ""
	}
	return s.externalName(ext)
}

// identityFor is the session's ACL identity on a mailbox: a domain admin
// administers only its own domain.
func (s *session) identityFor(name string) acl.Identity {
	who := s.who
	domain, _ := mboxname.SplitDomain(name)
	who.Admin = s.user.IsAdminFor(domain)
	return who
}

// rightsOn evaluates the session's rights on an entry (docs/CYRUS-BEHAVIOUR.md §3.4).
func (s *session) rightsOn(e *store.Entry) acl.Rights {
	return s.srv.st.Policy().Rights(e.ACL, s.identityFor(e.Name), e.Name)
}

// hiddenDeleted reports a name under the deleted prefix (delayed delete)
// that this session may not reach: only admins see such mailboxes (as in
// Cyrus); to everyone else they do not exist and cannot be created.
func (s *session) hiddenDeleted(name string) bool {
	return s.srv.st.IsDeletedName(name) && !s.identityFor(name).Admin
}

// lookup resolves a client's mailbox name. A missing mailbox is not an
// error here (entry stays nil); the caller decides.
func (s *session) lookup(ext string) (*mbox, error) {
	name, err := s.toInternal(ext)
	if err != nil {
		return nil, err
	}
	m := &mbox{ext: ext, name: name}
	if s.hiddenDeleted(name) {
		return m, nil
	}
	e, err := s.srv.st.Lookup(s.ctx, name)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return m, nil
	case err != nil:
		return nil, err
	}
	if e.IsDeleted() || e.IsIntermediate() {
		return m, nil
	}
	m.entry, m.rights = e, s.rightsOn(e)
	if strings.EqualFold(ext, "INBOX") {
		m.ext = "INBOX"
	}
	return m, nil
}

// need checks that an existing mailbox grants want. The refusal hides the
// mailbox from a session that may not see it (docs/CYRUS-BEHAVIOUR.md §3.7): without l
// (and not admin) the mailbox "does not exist".
func (s *session) need(m *mbox, want acl.Rights) error {
	if m.entry == nil {
		return errNoMailbox
	}
	if m.rights.Has(want) {
		return nil
	}
	if m.rights.Has(acl.Lookup) || s.identityFor(m.name).Admin {
		return errPermission
	}
	return errNoMailbox
}

// open resolves a mailbox that must exist and grant want.
func (s *session) open(ext string, want acl.Rights) (*mbox, error) {
	m, err := s.lookup(ext)
	if err != nil {
		return nil, err
	}
	return m, s.need(m, want)
}

// mayCreate reports whether the session may create name: admins always,
// others with k on the nearest existing ancestor (docs/CYRUS-BEHAVIOUR.md §3.5–3.6).
func (s *session) mayCreate(name string) (bool, error) {
	if s.hiddenDeleted(name) {
		return false, nil
	}
	if s.identityFor(name).Admin {
		return true, nil
	}
	for p, ok := mboxname.Parent(name); ok; p, ok = mboxname.Parent(p) {
		e, err := s.srv.st.Lookup(s.ctx, p)
		if errors.Is(err, store.ErrNotFound) {
			continue
		}
		if err != nil {
			return false, err
		}
		return s.rightsOn(e).Has(acl.Create), nil
	}
	return false, nil
}
