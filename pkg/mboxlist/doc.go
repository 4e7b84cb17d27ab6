// Package mboxlist is the mailbox list: for every mailbox, by internal name
// (user.alice.Work), its partition, ACL, uniqueid, uidvalidity, type and
// history. It lives in the databases (pkg/cyrusdb) and so is shared by every
// process through the db service.
//
// Keys: "M" followed by the internal name with each hierarchy separator
// replaced by a NUL byte, so that a key scan lists a mailbox before its
// children and its children before its siblings that share a prefix
// (user.a, user.a.x, user.a-b), the order Cyrus dumps in. The value is the
// entry in compact JSON. Subscriptions are "S" + userid + NUL + mailbox;
// seen state of mailboxes a user does not own "N" + userid + NUL +
// uniqueid; metadata "A" + mailbox + NUL + entry + NUL + userid ("" for
// shared values, mailbox "" for server metadata).
//
// UIDVALIDITY: every mailbox's comes from NextUIDValidity, one counter
// under the key "UV" (decimal): max(now, last+1), written on the condition
// that the counter is the version read, so no value is handed out twice on
// the server (RFC 3501 §2.3.1.1), across processes, restarts and a clock
// set back. Import and adoption raise it past the values they bring.
//
// Atomicity: creating, deleting and renaming a mailbox together with its
// subtree is one cyrusdb transaction whose conditions pin the versions of
// every entry read, so two processes racing on the same names can never
// leave a half-renamed tree; the loser gets ErrConflict-derived errors and
// the list is unchanged.
//
// Dumps: Dump writes Cyrus 3.x's JSON format (one member per line, keyed by
// internal name, numbers as strings). ParseDump reads that format, Cyrus
// 2.x's tab-separated lines (name, partition, then id/rights pairs), and the
// 2.4-3.4 variant whose second field is "mbtype partition"; ReadDump also
// checks the dump's consistency (configured partitions, known mbtypes, one
// live mailbox per uniqueid) and CheckImport checks it against the list,
// both naming the line of the first problem, before Import writes it.
package mboxlist
