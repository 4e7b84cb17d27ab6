package imapserver

import (
	"gocyrus/pkg/acl"
	"gocyrus/pkg/imapserver/wire"
	"gocyrus/pkg/store"
)

// The ACL commands of RFC 4314 §3, with Cyrus's rules (docs/CYRUS-BEHAVIOUR.md §3.6):
// a (held, implicit for admins and owners) is needed for all but MYRIGHTS.

// cmdGetACL: RFC 4314 §3.3.
func cmdGetACL(s *session, c wire.Command) (reply, error) {
	ext, err := wire.ParseMailbox(s.r)
	if err != nil {
		return reply{}, err
	}
	m, err := s.open(ext, acl.Administer)
	if err != nil {
		return reply{}, err
	}
	s.w.Star().Atom("ACL ").AString(m.ext)
	for _, e := range m.entry.ACL {
		s.w.SP().AString(e.ID).SP().AString(e.Rights.Format(s.srv.deleteRt))
	}
	s.w.CRLF()
	return reply{}, nil
}

// cmdSetACL: RFC 4314 §3.1; "+r"/"-r" modify the entry, "" removes it.
func cmdSetACL(s *session, c wire.Command) (reply, error) {
	sc, err := wire.ParseSetACL(s.r)
	if err != nil {
		return reply{}, err
	}
	return reply{}, s.changeACL(sc.Mailbox, sc.Identifier, sc.Rights)
}

// cmdDeleteACL: RFC 4314 §3.2.
func cmdDeleteACL(s *session, c wire.Command) (reply, error) {
	ext, id, err := wire.ParseMailboxIdentifier(s.r)
	if err != nil {
		return reply{}, err
	}
	return reply{}, s.changeACL(ext, id, "")
}

// changeACL applies one SETACL/DELETEACL to the mailbox list entry.
func (s *session) changeACL(ext, id, spec string) error {
	if !s.srv.cfg.Allowsetacl() {
		return errPermission
	}
	m, err := s.open(ext, acl.Administer)
	if err != nil {
		return err
	}
	if err := acl.ValidateID(trimNegative(id)); err != nil {
		return no("Invalid identifier")
	}
	admin := s.identityFor(m.name).Admin
	if trimNegative(id) == acl.Anyone && !admin && !s.srv.cfg.Anyoneuseracl() {
		return errPermission
	}
	if _, err := m.entry.ACL.Apply(id, spec, s.srv.deleteRt); err != nil {
		return err
	}
	_, err = s.srv.st.ModifyMailbox(s.ctx, m.name, func(e *store.Entry) error {
		a, err := e.ACL.Apply(id, spec, s.srv.deleteRt)
		if err != nil {
			return err
		}
		e.ACL = a
		return nil
	})
	return err
}

func trimNegative(id string) string {
	if len(id) > 1 && id[0] == '-' {
		return id[1:]
	}
	return id
}

// cmdListRights: RFC 4314 §3.4.
func cmdListRights(s *session, c wire.Command) (reply, error) {
	ext, id, err := wire.ParseMailboxIdentifier(s.r)
	if err != nil {
		return reply{}, err
	}
	m, err := s.open(ext, acl.Administer)
	if err != nil {
		return reply{}, err
	}
	s.w.Star().Atom("LISTRIGHTS ").AString(m.ext).SP().AString(id)
	for _, f := range s.srv.st.Policy().ListRights(m.name, id).Fields() {
		s.w.SP().AString(f)
	}
	s.w.CRLF()
	return reply{}, nil
}

// cmdMyRights: RFC 4314 §3.5; answered when any of l r i k x a is held,
// else the mailbox does not exist for this session.
func cmdMyRights(s *session, c wire.Command) (reply, error) {
	ext, err := wire.ParseMailbox(s.r)
	if err != nil {
		return reply{}, err
	}
	m, err := s.lookup(ext)
	if err != nil {
		return reply{}, err
	}
	if m.entry == nil || !m.rights.Any(acl.MyRightsVisible) {
		return reply{}, errNoMailbox
	}
	s.w.Star().Atom("MYRIGHTS ").AString(m.ext).SP().AString(m.rights.Format(s.srv.deleteRt)).CRLF()
	return reply{}, nil
}
