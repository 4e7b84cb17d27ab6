package lmtp

import "strings"

// procCommand updates the session's row for cyr_info proc (pkg/procinfo):
// the AUTH identity ("" on a trusted connection that never authenticated)
// and the running command, "" between commands as in imapd's and pop3d's
// rows. A delivery names no single mailbox, so the column stays empty.
// Cyrus 3.6.1's lmtpd publishes no row at all
// (test/compat/fixtures/cyr_info_proc.txt); gocyrus lists its sessions
// too (lmtpd.8, DIFFERENCES). Called around each command: a memory store,
// no I/O.
func (c *conn) procCommand(name string) {
	if c.proc == nil {
		return
	}
	user := ""
	if c.ss.authed != nil {
		user = c.ss.authed.User
	}
	c.proc.Set(user, "", strings.ToLower(name))
}
