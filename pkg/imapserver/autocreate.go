package imapserver

import (
	"errors"

	"gocyrus/pkg/auth"
	"gocyrus/pkg/store"
)

// provisionAtLogin creates a user's missing INBOX, with what
// autocreate_* says goes with it, when autocreate_quota >= 0: Cyrus's
// autocreate_user at login. As in Cyrus, anonymous and admins get none,
// and a failure is logged without refusing the login (the user simply
// has no INBOX yet; the next login tries again).
func (s *session) provisionAtLogin(res auth.Result) {
	p := s.srv.provisioning
	if p == nil || res.Anonymous || res.Admin {
		return
	}
	if _, err := s.srv.st.CreateUser(s.ctx, res.User, p); err != nil && !errors.Is(err, store.ErrNotProvisioned) {
		s.log.Warn("autocreating the INBOX at login", "err", err)
	}
}
