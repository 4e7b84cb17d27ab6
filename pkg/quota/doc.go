// Package quota implements Cyrus quota roots: named limits on a mailbox
// hierarchy, the usage charged against them, and the rules for refusing a
// change that would exceed them.
//
// A root is a mailbox name (it need not exist as a mailbox). The root that
// governs a mailbox is the longest root that is the mailbox's name or one of
// its hierarchical ancestors. Four resources are tracked: STORAGE (limit in
// KiB, usage in bytes), MESSAGE, X-ANNOTATION-STORAGE (KiB / bytes) and
// X-NUM-FOLDERS. A limit of -1 means unlimited, and a limit is exceeded only
// when usage is strictly greater than it.
//
// Usage lives in the databases as a counter vector per root and changes
// only through cyrusdb's atomic Add, so concurrent charges from many
// processes can never together overshoot a limit.
//
// A mailbox's STORAGE and MESSAGE are charged by the writer holding its
// exclusive lock, in the critical section of the index commit, before the
// index write (ChargeHeld): the mailbox's record is SET to what the index
// holds plus the change — not incremented — and its root changed by the
// difference, conditioned on the record's version. So a charge left ahead
// of its index by a crash is corrected by the very next charge, and the
// limit is checked at the commit against the usage then (never over a
// limit in force when the change was made). The charge also marks the
// mailbox pending ("QP" + uniqueid); SyncHeld sets the record to what the
// durable index holds and clears the mark in one transaction. The writer
// runs it under its lock once its index commit is durable (an appender
// once per run of appends, pkg/mailbox settle.go), so only a mailbox
// whose writer died between charge and that Sync keeps a mark, for
// store.ResolvePending (master after a child died abnormally, quota -f)
// and reconstruct, which run it the same way. We chose absolute charges over a per-commit marker
// with a delta and a counter in the index: no index format change, and
// any drift (a failed give-back, a hand-made edit) heals too. The price
// is a second transaction per commit (per run of appends), the one that
// clears the mark.
//
// Modes: APPEND and COPY are strict (usage + delta must stay within the
// limit); LMTP delivery refuses only a root that is already over its limit,
// so one message may overflow (lmtp_strict_quota makes it strict too);
// IgnoreQuota (deliver -q, IGNOREQUOTA) charges without checking.
//
// Every charge goes to two counter vectors in one transaction: the
// mailbox's own record ("what is charged for this mailbox") and its root's
// usage (or, without a root, the unrooted usage). The transaction is
// conditioned on the version of the generation key, which every change of
// the root set bumps (creating or removing a root, renaming mailboxes), and
// on the version of the root's limits: a charge resolved against a root set
// or limits that changed meanwhile fails and is resolved again. So the root
// a change is charged to is always the one governing the mailbox at that
// moment, and a limit set by an admin holds from the next change on in
// every process. CacheRoots keeps the answers of RootOf per generation: a
// cached answer is only ever charged under the generation it was read in.
//
// Creating a root takes over, in its creating transaction, the sum of the
// records of the mailboxes it now governs, conditioned on the usage it
// takes them from; removing one hands its usage to the next root up;
// renaming mailboxes moves their records (and, for a user's rename, the
// root they name); deleting a mailbox releases exactly its record (Forget).
// Hence a root's usage is always the sum of its mailboxes' records, and
// those are what the spool holds except after a crash between a change and
// its charge, which `quota -f` (Fix) recomputes. X-ANNOTATION-STORAGE is
// charged in the very transaction that writes the metadata value (the
// value's write is the Pin's op, pkg/store/metadata.go), so it never
// drifts from the values; Fix and SyncAnnotation (reconstruct) recount it
// all the same.
//
// Deleting and renaming mailboxes change the records in the mailbox
// list's own transaction (ForgetTxn, RenameTxn through mboxlist.Also), so a
// mailbox created again under a name meanwhile keeps its own charges.
//
// A charge names its mailbox through a Pin, resolved afresh on every
// attempt, whose conditions go into the charge's transaction: an open
// mailbox is pinned by uniqueid to its list entry (pkg/store), so a
// process holding it open across a RENAME or DELETE made elsewhere charges
// it under its current name, or (deleted) not at all: the append fails
// and a give-back charges nothing. A creation's X-NUM-FOLDERS charge
// carries the list entry's creation in its transaction. When a root moves
// with a renamed mailbox, mailboxes that stay put but change roots (left
// below its old name, or already below its new one) move their usage too.
//
// Keys: "QL" + root holds the limits, "QU" + root the usage, "QM" +
// mailbox a mailbox's record, "QN" the unrooted usage, "QG" the generation,
// the vectors encoded with cyrusdb.EncodeCounters in Resource order.
package quota
