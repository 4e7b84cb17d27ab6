package imapserver

import (
	"gocyrus/pkg/acl"
	"gocyrus/pkg/imapserver/wire"
	"gocyrus/pkg/store"
)

// The QUOTA commands of RFC 9208 with Cyrus's rules (docs/CYRUS-BEHAVIOUR.md §3.6, §4):
// GETQUOTA and SETQUOTA are for admins; GETQUOTAROOT needs r.

// cmdGetQuota: RFC 9208 §4.2.
func cmdGetQuota(s *session, c wire.Command) (reply, error) {
	ext, err := wire.ParseMailbox(s.r)
	if err != nil {
		return reply{}, err
	}
	root, err := s.toInternal(ext)
	if err != nil {
		return reply{}, err
	}
	if !s.identityFor(root).Admin {
		return reply{}, errPermission
	}
	q, err := s.srv.st.GetQuota(s.ctx, root)
	if err != nil {
		return reply{}, err
	}
	s.writeQuota(ext, q)
	return reply{}, nil
}

// cmdGetQuotaRoot: RFC 9208 §4.3. Roots are shown in the client's form
// (a user's own root is "INBOX").
func cmdGetQuotaRoot(s *session, c wire.Command) (reply, error) {
	ext, err := wire.ParseMailbox(s.r)
	if err != nil {
		return reply{}, err
	}
	m, err := s.lookup(ext)
	if err != nil {
		return reply{}, err
	}
	if !s.identityFor(m.name).Admin {
		if err := s.need(m, acl.Read); err != nil {
			return reply{}, err
		}
	} else if m.entry == nil {
		return reply{}, errNoMailbox
	}
	root, ok, err := s.srv.st.QuotaRootOf(s.ctx, m.name)
	if err != nil {
		return reply{}, err
	}
	s.w.Star().Atom("QUOTAROOT ").AString(m.ext)
	if !ok {
		s.w.CRLF()
		return reply{}, nil
	}
	rootExt := s.toExternal(root)
	s.w.SP().AString(rootExt).CRLF()
	q, err := s.srv.st.GetQuota(s.ctx, root)
	if err != nil {
		return reply{}, err
	}
	s.writeQuota(rootExt, q)
	return reply{}, nil
}

// writeQuota sends "* QUOTA root (RES used limit ...)" for the resources
// that have a limit.
func (s *session) writeQuota(rootExt string, q store.QuotaRoot) {
	s.w.Star().Atom("QUOTA ").AString(rootExt).Atom(" (")
	sp := ""
	for r := store.QuotaResource(0); int(r) < store.QuotaNumResources; r++ {
		if q.Limits[r] < 0 {
			continue
		}
		s.w.Atom(sp).Atom(r.String()).SP().Number64(uint64(q.Usage.Display(r))).SP().Number64(uint64(q.Limits[r]))
		sp = " "
	}
	s.w.Close().CRLF()
}

// cmdSetQuota: RFC 9208 §4.1: listed resources are set, the others become
// unlimited (docs/CYRUS-BEHAVIOUR.md §4.2). MAILBOX is RFC 9208's name for Cyrus's
// X-NUM-FOLDERS.
func cmdSetQuota(s *session, c wire.Command) (reply, error) {
	sc, err := wire.ParseSetQuota(s.r)
	if err != nil {
		return reply{}, err
	}
	root, err := s.toInternal(sc.Root)
	if err != nil {
		return reply{}, err
	}
	if !s.identityFor(root).Admin {
		return reply{}, errPermission
	}
	if len(sc.Limits) == 0 {
		// As Cyrus (and cyradm's "sq root none"): no resources removes the
		// root; its usage goes back to the next root up.
		return reply{}, s.srv.st.RemoveQuota(s.ctx, root)
	}
	limits := store.NoQuotaLimits()
	for _, l := range sc.Limits {
		name := l.Resource
		if name == "MAILBOX" {
			name = store.QuotaNumFolders.String()
		}
		r, err := store.ParseQuotaResource(name)
		if err != nil {
			return reply{}, err
		}
		if l.Limit > uint64(store.MaxQuotaLimit) {
			return reply{}, bad("Quota limit too large")
		}
		limits[r] = int64(l.Limit)
	}
	if err := s.srv.st.SetQuota(s.ctx, root, limits); err != nil {
		return reply{}, err
	}
	q, err := s.srv.st.GetQuota(s.ctx, root)
	if err != nil {
		return reply{}, err
	}
	s.writeQuota(sc.Root, q)
	return reply{}, nil
}
