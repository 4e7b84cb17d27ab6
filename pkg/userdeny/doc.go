// Package userdeny is Cyrus's user_deny.db: the list of users denied some
// or all services (cyr_deny(8)), and the one check every daemon makes
// against it (docs/CYRUS-BEHAVIOUR.md §8.10).
//
// # Records
//
// One record per userid, as given to cyr_deny (no canonicalisation, no
// wildcard in the userid: Cyrus looks the user up by exact key), kept in
// the shared databases as
//
//	"userdeny" + NUL + userid  ->  "2" TAB services TAB message
//
// Cyrus's own value format (version 2). services is a comma-separated list
// of wildmat patterns over the service names of cyrus.conf ("imap",
// "pop3s", "lmtpunix"...), "*" for every service; a pattern starting with
// "!" allows. The patterns are tried left to right and the first that
// matches the service decides; none matching allows. A version 1 value
// (no message field) and a missing message mean DefaultMessage. A value
// that does not parse allows (and is logged), as in Cyrus.
//
// # Enforcement
//
// A [Guard] is one daemon process's view: [Guard.Check] at login (each
// protocol answers with Cyrus's text for it), and [Guard.Watch] for a
// logged-in session, which is told (its kick function is called) once the
// user is denied the service. Every change of the list is published on
// [Topic] through the db service; the Guard of each process re-checks the
// users of its watched sessions on each wake-up, and every RecheckInterval
// in case a wake-up was lost (a db service reconnect). Nothing is done per
// command: a session pays one atomic load before each read. The Guard's
// goroutine runs only while sessions are watched.
//
// Invariants: Set and Delete write one record in one transaction, then
// publish; a message never holds CR, LF or NUL when it reaches a client
// (Set refuses them, parse replaces them with spaces in records written by
// other means) and is at most MaxMessage bytes.
package userdeny
