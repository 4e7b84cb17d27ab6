// Package imapserver is gocyrus's IMAP server session layer: one goroutine
// per connection reads commands with pkg/imapserver/wire, checks rights,
// calls the store once, and writes the responses, flushed whole per
// command.
//
// # Files
//
// server.go holds Server and Handle; session.go the read–execute–answer
// loop; commands.go the command table (valid states per command); errors.go
// the one mapping of failures to responses; one cmd_*.go per concern
// (authentication, mailboxes, LIST, SELECT, APPEND, FETCH, STORE, COPY and
// MOVE, REPLACE, SEARCH/SORT/THREAD, IDLE, ACL, QUOTA, METADATA), and one file per
// extension or rule that spans commands: qresync.go (VANISHED),
// condstore.go (the HIGHESTMODSEQ of the first enabling command),
// esearch.go (SEARCH and SORT RETURN options: ESEARCH, ESORT, PARTIAL,
// SAVE's "$", MODSEQ of the messages reported), context.go (CONTEXT=SEARCH
// and CONTEXT=SORT: RETURN (UPDATE) contexts, re-evaluated by sync on the
// messages that changed; REMOVEFROM before EXPUNGE, ADDTO after EXISTS),
// metadata.go (RFC 5464 entries and rights; cmd_metadata.go's
// parseMetaEntries and collectMetadata are the one reading of entries,
// used by GETMETADATA and list_metadata.go's LIST RETURN (METADATA)),
// seen.go and seenset.go
// (per-user \Seen), compress.go (COMPRESS=DEFLATE), unauthenticate.go,
// quotawarn.go (SELECT alerts), specialuse.go (specialuse_protect),
// rev2.go (IMAP4rev2 names and LIST responses), uidonly.go (UIDONLY),
// imapurls.go (reading a message section an IMAP URL names, with the
// reader's r right), catenate.go (CATENATE) and cmd_urlauth.go (URLAUTH
// keys and commands).
// Message data items come from pkg/imapserver/fetch, search programs from
// pkg/imapserver/search.
//
// # Errors (docs/HACKING.md "Errors": four kinds, mapped in classify)
//
//   - user error — *userError, *wire.Error with No, or a store sentinel
//     the client can cause (ErrNotFound, ErrOverQuota, invalid name or
//     rights, ...): "NO [code] text", the session goes on;
//   - syntax error — *wire.Error: "BAD text" (with "* BYE" and close when
//     Fatal);
//   - I/O error — anything wrapped by connErr or a read/write failure of
//     the connection: the session ends (with "* BYE" when the server is
//     stopping or the client idled past the timeout);
//   - server error — anything else: logged with the session id, the client
//     gets "NO [SERVERBUG]" (or [CORRUPTION] for a damaged mailbox).
//
// # Rights and names
//
// Mailbox names are converted with the store's namespace (admins see the
// internal, standard namespace). Every command that names a mailbox
// evaluates the session's rights (docs/CYRUS-BEHAVIOUR.md §3.6); a mailbox the
// session has no l on (and is not admin for) answers "Mailbox does not
// exist", exactly as if it were absent (docs/CYRUS-BEHAVIOUR.md §3.7). Admins have implicit l and a
// but not r or x.
//
// # The selected mailbox
//
// The session keeps the UIDs it has told the client about (its sequence
// numbers) and the highest modseq reported. At the end of every command
// that is not BAD, and while idling, it compares the mailbox's current
// snapshot with them and sends EXPUNGE (not during non-UID FETCH, STORE,
// SEARCH, SORT, THREAD — RFC 3501 §7.4.1; one VANISHED instead once
// QRESYNC is enabled), then EXISTS and RECENT, then FETCH (UID FLAGS
// [MODSEQ]) for messages whose flags another session changed. Flags a
// command reported itself (STORE, FETCH setting \Seen) are not repeated.
// A keyword new to the mailbox (set by any session or process, or by
// delivery) is announced with FLAGS and PERMANENTFLAGS before any FETCH
// that shows it: sync, FETCH and STORE call announceKeywords on the view
// they report from (RFC 3501 §7.2.6). The first CONDSTORE enabling
// command in a mailbox selected without CONDSTORE sends "* OK
// [HIGHESTMODSEQ n]" (RFC 7162 §3.1); STATUS does not count.
// The index keeps a tombstone per expunged UID, so VANISHED (EARLIER) is
// always exact and QRESYNC's sequence-match data is not needed.
//
// \Recent: a message is \Recent in the first read-write session of the
// user that sees it; the highest UID so claimed is kept in the user's seen
// record (mboxlist.Seen.LastUID), as Cyrus keeps recentuid. The claim
// is a conditional write (store.UpdateSeen), so exactly one read-write
// session, in any process, wins each message; every change of the seen
// record goes through UpdateSeen, so none rolls another back. \Seen is per
// user as in Cyrus: the owner of user.X... sees the index's flag; any
// other user's \Seen is a UID set in the seen database
// (mboxlist.Seen.SeenUIDs), which FETCH, STORE, SEARCH, SELECT's UNSEEN and
// STATUS UNSEEN use, and which sync re-reads so that another session of
// the same user is told of changes.
//
// # NOTIFY
//
// NOTIFY (RFC 5465, notify.go) watches mailboxes that are not selected
// through the store's change notification, as IDLE does: one
// subscription per event group (a prefix topic for a subtree; the user's
// store.SubscriptionTopic and store.MetadataTopic for those events),
// recomputed at each wake-up so the subscribed group follows the
// subscriptions, a scan of the group's mailboxes per wake-up, STATUS,
// LIST or METADATA for what changed, sent after each command (finish) and
// during IDLE. The notifications of one scan are gathered first: over
// the bound they are dropped for [NOTIFICATIONOVERFLOW] and NOTIFY NONE.
// MessageNew's fetch attributes for the selected mailbox are sent by sync
// after the EXISTS (notifyNewMessages).
//
// # Bulk paths
//
// A session keeps the mailbox it last APPENDed to open (appendBox), reused
// only for the same name and directory. FETCH and SEARCH over many
// messages borrow cache entries (mailbox.View.ForEachCachedBorrowed): an
// entry is valid only during its callback, and nothing keeps it — SEARCH
// clones the few it must look at again with the message file; SORT and
// THREAD, which keep strings, use the copying walk.
//
// # IMAP4rev2
//
// IMAP4rev1 and IMAP4rev2 are both advertised; RFC 9051 applies to a
// session once it sends "ENABLE IMAP4rev2" (enabled.rev2, RFC 9051
// Appendix A). Then: no \Recent and no RECENT response (and the session
// claims no recent messages, leaving them to rev1 sessions); plain SEARCH
// is answered with ESEARCH; SELECT/EXAMINE send a LIST response for the
// mailbox instead of RECENT, and no [UNSEEN]; RENAME sends the new name's
// LIST with ("OLDNAME" (old)). Names are UTF-8 on the wire: toInternal
// and toExternal convert at the session boundary, stored names stay in
// modified UTF-7. Client names are read leniently (rev2.go): raw UTF-8
// passes and well-formed modified UTF-7 runs are decoded, since go-imap
// sends "&" as "&-" once it sees IMAP4rev2 advertised; an 8-bit name from
// a rev1 session is read the same way. Everything else RFC 9051 makes
// base (UID EXPUNGE, MOVE, UNSELECT, ...) is served in both versions.
// UTF8=ACCEPT (RFC 6855, utf8accept.go) shares the name rule
// (session.utf8Names) and adds APPEND's UTF8 form and the CHARSET rules.
// INPROGRESS (RFC 9585, inprogress.go) reports the progress of long
// FETCH and SEARCH/SORT/THREAD commands on a clock Server.progress holds.
// proc.go keeps the session's row for cyr_info proc (pkg/procinfo) true
// around each command: user, selected mailbox, the command running.
//
// # Session layers
//
// STARTTLS and COMPRESS wrap the reader and writer (wire.Reader.Wrap,
// wire.Writer.Wrap) between commands; TLS must be below DEFLATE, so
// STARTTLS is refused once compression is on. UNAUTHENTICATE keeps both
// layers and drops everything tied to the identity.
//
// # Leaving a mailbox and login limits
//
// closeMailbox is how a session leaves its selected mailbox when the
// client moves on (UNSELECT, SELECT/EXAMINE, LOGOUT, UNAUTHENTICATE, the
// connection ending): with autoexpunge it first expunges \Deleted
// messages silently, like CLOSE, only with the e right and not after
// EXAMINE. Paths that close a mailbox because it is going away (DELETE,
// RENAME, RECONSTRUCT, a damaged mailbox) call unselect directly.
//
// The Server's logins.Registry counts the logged-in sessions of this
// process for maxlogins_per_user/maxlogins_per_host: loggedIn takes a slot
// (or answers Cyrus's "NO Too many open connections (...)" and leaves the
// session unauthenticated); UNAUTHENTICATE and the end of the session
// give it back.
//
// IDLE subscribes to the mailbox's name through the databases
// (cyrusdb.DB.Subscribe); the store publishes it after every commit in any
// process. imapidlepoll is the fallback re-check interval.
//
// # Texts
//
// Response texts match Cyrus 3.6.1 where clients and scripts look at them
// ("OK Completed", "NO Mailbox does not exist", "NO Permission denied",
// "* BYE LOGOUT received", "User logged in SESSIONID=<...>"). The greeting
// names this implementation truthfully: "<servername> gocyrus IMAP
// <version> server ready", and ID answers "gocyrus IMAPD".
package imapserver
