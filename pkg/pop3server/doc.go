// Package pop3server is pop3d's protocol engine: RFC 1939 POP3 with the
// RFC 2449 extensions (CAPA, response codes), RFC 5034 AUTH, RFC 2595 STLS
// and implicit TLS, serving a user's INBOX (or, with popsubfolders, the
// folder named by a "user+folder" login) from the gocyrus store.
//
// # Concurrency with other sessions (Cyrus 3.6 semantics)
//
// No lock is held for the length of a session. At login the maildrop is
// opened and a snapshot of its live messages is taken: message numbers,
// sizes and UIDs are fixed for the session. IMAP sessions, deliveries and
// other POP3 sessions go on meanwhile. A message expunged by someone else
// after the snapshot answers RETR/TOP with "-ERR No such message"; a second
// POP3 session on the same maildrop is allowed and works on its own
// snapshot. At QUIT (the UPDATE state) the DELE'd messages still present
// are expunged in one index transaction, which publishes the change so
// IMAP sessions see it at once; with popuseimapflags the messages
// retrieved and not deleted get \Seen.
//
// # Wire
//
// Command lines end in CRLF (a bare LF is accepted) and are limited to the
// maxline option; a longer line is answered "-ERR Line too long" and
// discarded. Every response — a status line, or a status line with its
// dot-stuffed multi-line body and the terminating ".\r\n" — is built in
// the connection's buffer and flushed once, whole: a client never waits
// for the rest of a response behind a delayed ACK (TCP_NODELAY stays on,
// as Go sets it). Message bodies are streamed from the spool file with
// dot-stuffing; a file not ending in CRLF gets one before the final dot.
//
// UIDL answers follow uidl_format: cyrus "uidvalidity.uid" (the default),
// uidonly "uid", dovecot "%08x%08x" of uid and uidvalidity, courier
// "uidvalidity-uid". They are stable for the life of the mailbox.
//
// # popminpoll
//
// A login to a maildrop is recorded in the databases under the key
// "pop3login" NUL <internal mailbox name>, written with a TTL of
// popminpoll by a conditional transaction (the key must be absent), so the
// check and the record are one atomic step across all pop3d processes. A
// login while the key lives is refused with [LOGIN-DELAY]. Cyrus records
// the time at QUIT; recording it at login also limits clients that never
// QUIT.
//
// # Login limits
//
// maxlogins_per_user and maxlogins_per_host count the TRANSACTION-state
// sessions of this process (a logins.Registry per Server). The check runs
// before the maildrop is opened, so a refused login ("-ERR Too many open
// connections (...)", as Cyrus words it) neither claims popminpoll nor
// leaves the AUTHORIZATION state; the session's end frees the slot.
//
// # Authentication
//
// USER/PASS, APOP and AUTH go through pkg/auth, so the same mechanisms and
// plaintext rules apply as in imapd: without TLS and without
// allowplaintext, USER/PASS answer "-ERR [AUTH] USER command only
// available under a layer". The APOP challenge appears in the greeting
// only when the authenticator can check APOP.
//
// proc.go keeps the session's row for cyr_info proc (pkg/procinfo) true
// around each command: the user and maildrop once logged in, the command
// running.
package pop3server
