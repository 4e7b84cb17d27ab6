package imapserver

import "strings"

// procCommand updates the session's row for cyr_info proc (pkg/procinfo):
// who is logged in, the selected mailbox and the running command, "" between
// commands as in the row captured from Cyrus. Called around each command:
// a memory store, no I/O.
func (s *session) procCommand(name string) {
	if s.proc == nil {
		return
	}
	user, mailbox := "", ""
	if s.state&stateLoggedIn != 0 {
		user = s.user.User
	}
	if s.sel != nil {
		mailbox = s.sel.name
	}
	s.proc.Set(user, mailbox, strings.ToLower(name))
}
