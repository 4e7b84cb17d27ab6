// Package procinfo is the registry of open sessions that `cyr_info proc`
// lists: Cyrus's proc files (<proc_path>/<pid>) for a server that serves
// many sessions in one process.
//
// Each daemon process keeps a [Registry] in memory: a session adds an
// [Entry] when it starts, sets its user, mailbox and command as they
// change (a mutex-guarded store, no I/O: nothing measurable per command),
// and removes it when it ends. The process answers on a unix socket
// <proc_path>/<pid> ([Registry.Listen]): a client that connects is sent one
// row per session, in Cyrus's cyr_info format ([Row.String]), and the
// connection is closed. Nothing else is read from the socket.
//
// Nothing is written to disk per session, so a kill -9 can leave only the
// socket file, and [List] (cyr_info) removes it: a socket nobody listens
// on refuses the connection, which is how a dead process is told from a
// live one, whatever its pid now names. A process that reuses a dead one's
// pid replaces the stale socket when it starts listening
// (docs/ARCHITECTURE.md §10).
package procinfo
