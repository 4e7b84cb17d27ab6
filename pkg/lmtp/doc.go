// Package lmtp is lmtpd: the LMTP server (RFC 2033) through which the MTA
// hands messages to the mail store, with Cyrus 3.6's replies.
//
// # Session
//
// Greeting "220 <servername> Cyrus LMTP gocyrus server ready"; LHLO offers
// 8BITMIME, ENHANCEDSTATUSCODES, PIPELINING, SIZE [maxmessagesize], AUTH
// (EXTERNAL on trusted connections, the sasl mechanisms elsewhere) and
// IGNOREQUOTA, then "250 Ok SESSIONID=<id>". MAIL "250 2.1.0 ok", RCPT
// "250 2.1.5 ok"; after DATA one reply per accepted recipient, in RCPT
// order: "250 2.1.5 Success SESSIONID=<id>" (Cyrus's words) or the failure. Replies are flushed
// only when the client has nothing pipelined.
//
// Authentication: the unix socket (and TCP with lmtpd -a) is trusted; on
// other TCP connections MAIL before a successful AUTH is answered "430
// Authentication required" (530 with soft_noauth: 0) and opens nothing, so
// RCPT gets "503 5.5.1 Need MAIL command". DATA without recipients (also
// without MAIL) is "503 5.5.1 No recipients", checked first, as Cyrus does.
//
// The sender identity whose rights apply (the p checks): the AUTH
// identity, else anonymous. On a trusted connection MAIL FROM's AUTH=
// names it (AUTH=<> = anonymous); without AUTH= the sender is anonymous,
// not postman: trust lets the MTA name the sender, it lends no rights
// (Cyrus 3.6.1's transcript, test/compat/fixtures/lmtp-transcript.txt).
//
// # Recipients (docs/CYRUS-BEHAVIOUR.md §5.2)
//
// Addresses are read by pkg/recipient (shared with smmapd).
// "user", "user@domain" (virtdomains): the user's INBOX, no ACL check.
// "user+detail": the folder detail under the user's INBOX when it exists
// and the sender has p on it (lmtp_fuzzy_mailbox_match: case- and
// space-insensitive, then parents), else INBOX. "+board" and
// "<postuser>+board": the shared folder, p required, no fallback.
// With autocreate_post and autocreate_quota >= 0 (store.CreateUser) a user
// without an INBOX gets one at RCPT, with its quota root, the
// autocreate_inbox_folders, subscriptions and autocreate_sieve_script;
// only the INBOX and its quota are essential (an INBOX whose quota cannot
// be set is removed again, so the next delivery retries).
// Validation happens at RCPT: 550 5.1.1 unknown, 550 5.7.1 no p,
// 452 4.2.2 (552 5.2.2 with lmtp_over_quota_perm_failure) when the quota
// root is already over its limit (lmtp_strict_quota: when this message
// would take it over); IGNOREQUOTA skips the check. A user the deny list
// (cyr_deny, pkg/userdeny) denies the lmtp service gets 451 4.2.1
// "Delivery to mailbox is disabled", as from Cyrus's verify_user.
// Before that, MAIL FROM and RCPT TO addresses pass lmtp_strict_rfc2821
// (applyStrict2821, as Cyrus's parseaddr): an unquoted local part with
// 8-bit bytes is refused with 501 5.5.4, or with the option off has each
// such byte replaced by 'X'; the rewritten address is the one used from
// then on (Return-Path, the recipient, Sieve's envelope).
//
// # DATA (dataread.go)
//
// DATA ends only at CRLF "." CRLF; a "." line next to a bare LF is
// content (Postfix's smtpd_forbid_bare_newline = normalize), so a message
// cannot smuggle a second transaction. The message is written as it
// arrives, dot-unstuffed and with bare LFs made CRLF, to an unnamed stage
// file (stagefile.go) through one bounded buffer; only the header block
// (at most maxHeaderScan) is kept in memory. maxmessagesize counts the
// converted bytes. A NUL anywhere: 554 5.6.0 per recipient; over the
// limit: 552 5.2.3 Message size (N) exceeds...; nothing stored. An empty
// DATA is delivered, as Cyrus does: the trace headers alone. A DATA cut short stores nothing and its file vanishes on close.
// Every copy (content) is the trace headers + header block in memory,
// then the stage file's body: the spool, Sieve body tests (bounded by
// MaxBodySize), editheader copies, redirects and reject bounces all
// stream from it. MAIL FROM / RCPT TO with a control character, AUTH=
// decoded, are refused with 501 5.5.4.
//
// # Delivery invariants
//
//   - 250 only after the message is in the mailbox and fsync'd (the
//     mailbox package's append returns after its group commit).
//   - The message is spooled once per partition into an unnamed
//     (O_TMPFILE) file of <partition>/stage., fsync'd, and hard-linked
//     into every mailbox (singleinstancestore): no stage name is created,
//     and a crash leaves nothing behind. Where the filesystem has no
//     unnamed files, a named stage file is used. Recipients resolving to
//     the same mailbox get one copy.
//   - Trace headers are prepended: Return-Path, Received,
//     X-Cyrus-Session-Id, and Message-ID / Date when missing. An empty
//     Message-ID is refused with 554 5.6.0.
//   - Duplicate suppression (pkg/duplicate): key Message-ID (or
//     Resent-Message-ID) + mailbox uniqueid + Date; checked before, recorded
//     after the append, so a crash can double a message but never lose one.
//   - Database or I/O trouble is 451 4.3.0 (a full disk 451 4.3.1): the
//     MTA retries.
//   - Duplicate records are written in the background (duplicate.MarkLater)
//     after the append: the 250 waits only for the mailbox's fsync.
//   - The quota root governing a mailbox is remembered until any process
//     changes the root set (quota.Store.CacheRoots): the RCPT check and the
//     reservation do not each walk the hierarchy in the databases, and a
//     charge is conditioned on the root set it was resolved under, so a
//     stale answer is never charged. Limits and usage are read afresh
//     every time.
//   - Sessions idling on a mailbox are notified (Publish) in the
//     background after the append (notifier): the 250 does not wait for
//     the round trip, and a burst of deliveries to one mailbox is
//     coalesced into one notification in flight and at most one more.
//   - Open mailboxes are kept in a per-process cache (boxCache): opening
//     validates the whole index, and sharing one *mailbox.Mailbox lets
//     concurrent sessions join its group commit.
//   - reject8bit refuses 8-bit header bytes (554 5.6.0); munge8bit turns
//     them into 'X' unless the header block is valid UTF-8.
//   - At start (CleanStage) stage files whose lmtpd is no longer running
//     are removed, whatever their age (their names carry the owner's pid
//     and start time; mailbox.RemoveDeadTemps).
//
// # Sieve (docs/CYRUS-BEHAVIOUR.md §5.6)
//
// Every recipient that is a user runs that user's active script (pkg/
// sievescripts), compiled once per content and cached (scriptCache); a
// transaction with several recipients runs each one's own script. A shared
// mailbox whose annotation /vendor/cmu/cyrus-imapd/sieve names a global
// script runs it (sieveOwner "+<mailbox>"): its fileinto names shared
// folders as "+board" recipients do and needs p for the sender. Actions:
//
//   - keep: the recipient's mailbox (INBOX, or the +detail folder);
//     fileinto: a name in the user's client namespace; the user's own
//     folders always, others with p for the user; :create creates when
//     the user may; an unusable target keeps instead. Flags (imap4flags)
//     go with the copy; editheader edits produce a separate copy.
//   - redirect: "sendmail -i -f <sender> -- <addr>" with the message and
//     "X-Sieve-Redirected-From: <user>" prepended; a message carrying that
//     marker for the user is kept instead (loop). A failed redirect keeps.
//   - reject: 550 5.7.1 <reason> with sieve_use_lmtp_reject, else an MDN
//     to the sender through sendmail and 250; ereject: always 550 5.7.1.
//   - vacation: an RFC 3834 reply from the null sender; the once-per-period
//     memory is duplicate.Within per user, the period clamped to
//     sieve_vacation_min/max_response.
//   - A script that does not compile or fails at run time: the message is
//     kept with $SieveFailed. Stores happen before anything is sent, so a
//     store failure (451) sends nothing; a record "<user>.sieve." keyed like
//     the duplicate records stops a retransmission from running the script
//     again.
package lmtp
