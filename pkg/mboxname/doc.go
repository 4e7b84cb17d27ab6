// Package mboxname converts mailbox names between Cyrus's internal form and
// what IMAP clients see, validates them, and maps them onto spool paths.
//
// # Internal form
//
// Internal names are what the mailbox list, ACL and quota code and the admin
// tools use. They are always '.'-separated, whatever the client settings:
//
//	user.alice            alice's INBOX
//	user.alice.Work       a folder below it
//	board                 a shared mailbox (anything not under "user.")
//	example.org!user.bob  a mailbox in the virtual domain example.org
//
// A '.' inside a component that a client sees (possible only with the '/'
// separator, unixhierarchysep) is stored as '^': user "john.doe" owns
// "user.john^doe". Non-ASCII names are stored in IMAP modified UTF-7
// (RFC 3501 §5.1.3), e.g. "p&AOQA5A-".
//
// Invariants kept by [Validate], and therefore by every name [Namespace.ToInternal]
// returns: at most [MaxNameLen] bytes; no empty component (so no leading or
// trailing '.' and no ".."); no '/', NUL, control or non-ASCII byte; valid
// modified UTF-7; no component "^" or "^^" (they would read "." and ".." to a
// '/' client); at most one '!', preceded by a valid domain name.
//
// # External form
//
// [Namespace] holds the altnamespace × unixhierarchysep settings and the
// prefixes. Admins always see the standard namespace (with the client's
// separator): "user/alice", never "Other Users/alice". "INBOX" is matched
// case-insensitively and always means the session user's own user.<me>.
//
// # Spool paths
//
// [UUIDPath] gives the Cyrus 3 layout <root>/uuid/<u0>/<u1>/<uniqueid>;
// [LegacyPath] the 2.x by-name layout, optionally hashed ([HashChar]).
// Both return a path below the partition root for every input, valid or not:
// no name can escape the spool.
//
// # Ordering
//
// [Compare] orders names the way Cyrus's mailboxes.db does: the hierarchy
// separator sorts before every other byte, so a mailbox's children follow it
// immediately (user.a < user.a.x < user.a-b).
package mboxname
