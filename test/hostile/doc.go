// Package hostile is the hostile-client suite: it runs imapd, pop3d,
// lmtpd and timsieved once per test binary (standalone, on loopback, with
// the databases served from the test process) and drives each with
// oversized, malformed, NUL-laden, truncated, slow and abandoned input.
//
// Every case asserts four things (see harness_test.go, run):
//   - the reply: Cyrus's exact text where known, else a tagged NO/BAD or
//     a BYE and a closed stream;
//   - bystanders: one logged-in session per protocol, opened before the
//     case, still answers after it (NOOP, STAT, NOOP, CAPABILITY);
//   - memory: the daemon's RssAnon (from /proc/<pid>/status), sampled
//     before, during and after, rises by no more than the case's bound;
//   - disk: the names and sizes under the spool, sievedir and
//     configdirectory (the database files excepted) are as before, unless
//     the case says what may change.
package hostile
