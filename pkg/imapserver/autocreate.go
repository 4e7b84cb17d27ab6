package imapserver

import (
	"gocyrus/pkg/auth"
)

// provisionAtLogin creates a user's missing INBOX at login, as
// store.AutocreateAtLogin decides (the one rule imapd and pop3d share); a
// failure is logged without refusing the login.
func (s *session) provisionAtLogin(res auth.Result) {
	if err := s.srv.st.AutocreateAtLogin(s.ctx, res.User, res.Admin, s.srv.provisioning); err != nil {
		s.log.Warn("autocreating the INBOX at login", "err", err)
	}
}
