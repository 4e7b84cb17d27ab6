// Package master is the supervisor that runs everything cyrus.conf describes: it runs the START
// entries, binds every SERVICES listen address itself, serves the databases, spawns and replaces
// the service processes, keeps DAEMON entries alive, runs EVENTS on their schedule, reloads on
// SIGHUP and stops everything on SIGTERM/SIGINT/SIGQUIT.
//
// # Start-up order
//
// lock the pidfile → bind every SERVICES listener (as root, for ports below 1024) → drop to the
// owner of configdirectory → START entries, in order, each to completion (a failure stops
// master) → open and serve the databases → wait=y daemons (each must report "ok\r\n") → the
// services, the other daemons and the event schedule. Dropping privileges before START and the
// databases keeps every file they create owned by the configdirectory owner.
//
// # Children (the contract with pkg/service)
//
// A service child gets its listening sockets (for a proto="udp" service, the bound datagram
// socket itself, at most one process) as descriptors 3.. with LISTEN_FDS and
// LISTEN_FDNAMES (the service name per socket), the read end of master's lifeline pipe (whose
// write end only master holds, so it reaches EOF when master dies even by SIGKILL) named by
// CYRUS_LIFELINE_FD, and CYRUS_SERVICE, CYRUS_ID, CYRUS_VERBOSE, CYRUS_MAXCHILD (the service's
// maxchild divided among its processes), CYRUS_MAXFDS and, for prefork=0 services,
// CYRUS_IDLE_TIMEOUT. Every child leads a process group of its own (see groups.go) and asks
// the kernel for SIGKILL when master dies (PR_SET_PDEATHSIG): master killed by SIGKILL leaves
// nothing serving. When master was given -C, "-C <imapd.conf>" is inserted after argv[0],
// as Cyrus does. The program is looked up beside the master binary first, then in PATH.
// Debian's "/usr/sbin/cyrus NAME args" runs our NAME (or cyr_NAME, ctl_NAME), and an entry
// naming a Cyrus program gocyrus does not ship is reported once (file:line, reason) and left
// out (programs.go).
//
// # Invariants
//
//   - All state lives in one goroutine (the loop in run.go); other goroutines (process waiters,
//     listener watchers, timers) only post closures to it. Nothing is locked.
//   - A child is either "current" (counted towards its service's prefork, replaced when it dies)
//     or "retiring" (told to finish by SIGHUP or SIGTERM; never replaced, never counted as a
//     failure).
//   - Five abnormal exits of a service's current children within 10 s pause its starting
//     (Options.CrashBackoff, doubling with each such burst in a row up to CrashBackoffMax; a
//     failure-free window resets it); its listener stays open, so clients wait in the backlog,
//     and the service recovers by itself. SIGHUP ends a pause at once. A missing executable
//     disables the service until SIGHUP.
//   - Master never has more children than its RLIMIT_NOFILE allows (processesForFDs): prefork
//     is capped when read (logged with file:line), and a service process is not started while
//     the limit is reached (logged once; services top up when a child exits).
//   - An event never overlaps itself: a run that finds the previous one still going is skipped.
//   - On shutdown nothing master started outlives it: SIGTERM goes to every child's process
//     group and to the groups of exited children that still have members (an event's
//     background job); after the bound (Options.ShutdownTimeout, imapd.conf's
//     master_shutdown_timeout, 15 s by default) what remains of them gets SIGKILL, and Run
//     returns only once every child is reaped and every such group is empty (or 5 s after the
//     SIGKILL, logged). A grandchild that leaves its group (setsid) escapes this.
package master
