package imapserver

import (
	"gocyrus/pkg/acl"
	"gocyrus/pkg/auth"
	"gocyrus/pkg/imapserver/wire"
)

// cmdUnauthenticate: RFC 8437. Offered to administrators only, as Cyrus
// does (others get the answer of an unknown command). The session returns
// to the Not Authenticated state keeping its TLS and compression layers;
// everything tied to the identity (selected mailbox, ENABLEd extensions,
// saved search) is dropped.
func cmdUnauthenticate(s *session, c wire.Command) (reply, error) {
	if !s.user.Admin {
		return reply{}, bad("Unrecognized command")
	}
	if err := s.r.EOL(); err != nil {
		return reply{}, err
	}
	s.unwatchDeny()
	s.closeMailbox()
	s.closeAppendBox()
	s.login.Release()
	s.login = nil
	s.log.Info("unauthenticate")
	s.user, s.who = auth.Result{}, acl.Identity{}
	s.enabled = enabled{}
	s.searchRs = nil
	s.state = stateNotAuth
	s.log = s.baseLog
	return reply{}, nil
}
