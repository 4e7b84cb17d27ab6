// Package service is the child side of master: what every daemon (imapd, pop3d, lmtpd,
// timsieved) links to receive its listening sockets, cap its concurrent connections and stop
// gracefully.
//
// # Listeners
//
// A daemon gets its sockets one of three ways, so it runs unchanged under master, under systemd
// socket activation, or alone:
//
//   - inherited from master or systemd, the systemd way: descriptors 3 .. 3+LISTEN_FDS-1,
//     named by the colon-separated LISTEN_FDNAMES; LISTEN_PID, when set, must equal our pid
//     (master does not set it, systemd does); a datagram socket among them (a proto="udp"
//     service such as fud) comes back in Inherited.Packets, and Run refuses it: a stream
//     daemon given one says so instead of failing to accept;
//   - created from `-l ADDR`: a port ("143", "imap"), "host:port", "[v6addr]:port" or a unix
//     socket path (anything containing '/').
//
// [Inherit] takes the inherited descriptors and unsets the variables, so a program the daemon
// runs does not believe the sockets are its own.
//
// # Environment from master (the wire contract, see [Env])
//
//	CYRUS_SERVICE       entry name in cyrus.conf (also the imapd.conf override prefix)
//	CYRUS_ID            instance number, unique among master's children
//	CYRUS_VERBOSE       verbosity level
//	CYRUS_ISDAEMON      "1" for DAEMON entries (no sockets)
//	CYRUS_MAXCHILD      cap on concurrent connections in this process (0 = none)
//	CYRUS_MAXFDS        RLIMIT_NOFILE to set (0 = leave as is)
//	CYRUS_IDLE_TIMEOUT  seconds without connections after which the process exits (0 = never)
//	CYRUS_LIFELINE_FD   read end of a pipe whose write end only master holds: EOF = master died
//	CYRUS_READY_FD      (wait=y daemons) write "ok\r\n" here once ready, see [NotifyReady]
//
// # Stopping
//
// [Serve] stops accepting on SIGHUP (reload: old processes finish their sessions, bounded by
// Options.ReloadTimeout), SIGTERM/SIGINT or cancellation of its context (bounded by
// Options.StopTimeout), and on master's death — the lifeline pipe reaching EOF, or the
// parent-death signal master asks the kernel for — bounded by Options.OrphanTimeout. When the
// bound expires, the handlers' context is cancelled; a second later (byeGrace) their connections
// are closed. A session can learn that stopping has begun through [Draining] and end itself at a
// clean point.
//
// # Sessions: the skeleton of every protocol server
//
// imapd, pop3d, lmtpd and timsieved share one [Sessions] (built by [NewSessions], which also
// refuses implicit TLS without a certificate). Its Handle does, for every connection and in this
// order: the session id ([NewSessionID]: Cyrus's "<base>-<time>-<pid>-<n>-<random>", base being
// syslog_prefix, else servername, see [SessionIDBase]), a logger naming the session and the peer,
// the wake-up when the handler's context ends (a read deadline in the past that later deadlines
// cannot undo, so the session sees a timeout with its context done and says goodbye), the
// implicit TLS handshake (a failure is logged and ends the connection before the protocol
// starts), then the protocol's start function and its [Protocol]: Run (greeting and command
// loop), Farewell (last words after a panic) and Close (release what the session holds). On a
// panic Farewell is sent, then Close runs, then the connection closes: each step once, here.
// A line protocol's buffered writes go out through [Flush] (a failed write closes the
// connection) and its STARTTLS through [StartTLS], which moves the reader and writer onto TLS
// and drops what was pipelined in plaintext after the command.
//
// # Faults
//
// A panic in one session ends that session only. [Sessions.Handle] defers [Recover] with the
// protocol's last words (IMAP "* BYE [SERVERBUG]", POP3 "-ERR [SYS/TEMP]", LMTP "421 4.3.0",
// ManageSieve BYE) after the deferred calls that release what the session holds; Serve's own
// Recover around every handler is the net for a handler without one. Goroutines a session
// starts defer [Guard]; helper goroutines whose caller waits for them hand their panic
// back to it (package panics). Either way the panic is logged at error level with its stack.
//
// Binaries built with the faultinject tag (only test/fault_test.go builds them) wrap each
// connection so that reading GOCYRUS-FAULT-PANIC panics inside the session: a black-box check
// that a real daemon survives. Shipped builds compile fault_off.go, the identity.
//
// # Descriptors and memory
//
// CYRUS_MAXFDS (cyrus.conf maxfds) is applied as far as the system allows: above the hard limit
// an unprivileged daemon takes the hard limit and logs it instead of exiting. MaxConns is capped
// by what the limit in effect leaves for connections, one socket each (logged when it lowers
// maxchild). Each connection is then admitted only if the process keeps fdReserve descriptors
// free after it; what sessions hold besides their sockets (a selected mailbox's files, shared by
// the process's sessions on that mailbox) is counted from /proc/self/fd as connections arrive
// (fdBudget). A connection that would leave fewer is handed to Options.NoDescriptors (else
// TooBusy) for the protocol's goodbye, so no admitted session fails mid-command for lack of
// descriptors; the refusal is logged once per change.
//
// When at least half of a peak of sessions, and giveBackPeak of them, have ended, the ending
// session forces a collection and returns the freed memory to the system
// (debug.FreeOSMemory): otherwise the runtime gives back what ended sessions used only over
// minutes, and an idle process after a burst keeps hundreds of MiB.
//
// Invariants: at most Options.MaxConns handlers run at once; a connection beyond the cap is either
// handed to Options.TooBusy (then closed) or waits in the kernel's backlog, where another process
// of the same service may accept it. Serve returns nil only once every handler has returned. When
// the stop bound has expired it cancels the handlers, waits byeGrace, closes their connections,
// then waits one more short grace (closeGrace); a handler still running after that is abandoned:
// Serve logs each such session (its id and peer) and returns [ErrSessionsAbandoned] naming them,
// after which the daemon exits and the process's end stops those handlers. So Serve waits for
// every handler, bounded by the stop bound plus the two graces.
package service
