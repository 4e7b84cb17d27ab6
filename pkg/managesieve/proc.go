package managesieve

import "strings"

// procCommand updates the session's row for cyr_info proc (pkg/procinfo):
// the authenticated user and the running command, "" between commands as
// in imapd's and pop3d's rows. A Sieve session has no mailbox. Cyrus 3.6.1's
// timsieved publishes no row at all (test/compat/fixtures/cyr_info_proc.txt);
// gocyrus lists its sessions too (timsieved.8, DIFFERENCES). Called around
// each command: a memory store, no I/O.
func (s *session) procCommand(name string) {
	if s.proc == nil {
		return
	}
	user := ""
	if s.user != nil {
		user = s.user.User
	}
	s.proc.Set(user, "", strings.ToLower(name))
}
