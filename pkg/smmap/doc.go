// Package smmap is smmapd: the Sendmail/Postfix socket map (netstring
// protocol) through which the MTA asks, before accepting a message,
// whether a recipient can take it, with Cyrus 3.6.1's replies.
//
// # Protocol
//
// A request is the netstring "<len>:<mapname> <key>," and a connection
// may carry any number of them; the map name is ignored, as in Cyrus.
// The answers (captured from Cyrus 3.6.1, test/compat/fixtures/smmapd.txt):
//
//	OK <key>                        the mailbox exists, may be posted to and is not over quota
//	NOTFOUND Mailbox does not exist  no such user, folder or shared folder, or not an address
//	PERM Permission denied          a shared folder anonymous may not post to (no p)
//	TEMP Over quota                 its quota root is already over (PERM with
//	                                lmtp_over_quota_perm_failure)
//	TEMP System I/O error           the databases did not answer (ours; see smmapd.8)
//
// A request that is not a netstring gets "PERM Bad protocol (<why>)" and
// the connection is closed, since the stream can no longer be framed:
// "missing terminator", "request size doesn't match length" (the stream
// ended inside the request), "missing key" (no space after the map name),
// and ours "request too long" (a length over MaxRequest, refused before
// any of it is read, so memory stays bounded) and "missing length".
//
// # Recipients
//
// The key is read by pkg/recipient, as lmtpd reads RCPT TO. As in Cyrus's
// smmapd (and unlike lmtpd, which falls back to INBOX), "user+detail"
// needs the folder to exist, and no right is checked on a user's folders;
// "+board" and "<postuser>+board" need p for anonymous. The quota check is
// lmtpd's: refuse only a root already over its limit. Nothing is ever
// created or changed: smmapd only reads the mailbox list and the quota.
//
// # Sessions
//
// Each connection is a [service.Sessions] session; a request is answered
// before the next is read, and a connection idle for IdleTimeout is closed.
package smmap
