package pop3server

import "strings"

// procCommand updates the session's row for cyr_info proc (pkg/procinfo):
// the user and maildrop once logged in, and the running command, "" between
// commands as in the row captured from Cyrus. Called around each command:
// a memory store, no I/O.
func (s *session) procCommand(verb string) {
	if s.proc == nil {
		return
	}
	user, mailbox := "", ""
	if s.drop != nil {
		user, mailbox = s.procUser, s.drop.name
	}
	s.proc.Set(user, mailbox, strings.ToLower(verb))
}
