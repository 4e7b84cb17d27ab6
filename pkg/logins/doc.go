// Package logins counts the logged-in sessions of one daemon process, by
// user and by client host, to enforce imapd.conf's maxlogins_per_user and
// maxlogins_per_host the way Cyrus's proc_checklimits does.
//
// Cyrus counts the imapd/pop3d processes registered in its proc
// directory; gocyrus serves every connection of a service from one
// long-lived process, so a Registry belongs to one Server and counts the
// sessions of that process only.
//
// Invariants: a Registry is safe for concurrent use; Acquire checks and
// counts in one step under its mutex, so two logins racing for the last
// slot cannot both win; each successful Acquire is undone by exactly one
// call of the returned Slot's Release (later calls do nothing).
package logins
