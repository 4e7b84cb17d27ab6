package imapserver

import (
	"strings"

	"gocyrus/pkg/imapserver/wire"
	"gocyrus/pkg/mailbox"
	"gocyrus/pkg/store"
)

// cmdReconstruct: Cyrus's admin command "RECONSTRUCT mailbox [RECURSIVE]"
// (cyradm's reconstruct): rebuild the index of the mailbox, and with
// RECURSIVE of every mailbox below it, from the message files, as the
// reconstruct tool does. Admins only.
func cmdReconstruct(s *session, c wire.Command) (reply, error) {
	if err := s.r.SP(); err != nil {
		return reply{}, err
	}
	ext, err := s.r.AString()
	if err != nil {
		return reply{}, err
	}
	recursive := false
	if s.r.Consume(' ') {
		kw, err := s.r.Atom()
		if err != nil || !strings.EqualFold(kw, "RECURSIVE") {
			return reply{}, bad("Expected RECURSIVE")
		}
		recursive = true
	}
	if err := s.r.EOL(); err != nil {
		return reply{}, err
	}
	m, err := s.lookup(ext)
	if err != nil {
		return reply{}, err
	}
	if !s.identityFor(m.name).Admin {
		return reply{}, errPermission
	}
	if m.entry == nil {
		return reply{}, errNoMailbox
	}
	if s.sel != nil && (s.sel.name == m.name || recursive && strings.HasPrefix(s.sel.name, m.name+".")) {
		s.unselect()
	}
	st := s.srv.st
	return reply{}, st.Walk(s.ctx, m.name, func(e *store.Entry) error {
		if e.IsDeleted() || e.IsIntermediate() || (e.Name != m.name && !recursive) {
			return nil
		}
		_, err := st.Reconstruct(s.ctx, e, mailbox.ReconstructOptions{Logger: s.srv.log})
		return err
	})
}
