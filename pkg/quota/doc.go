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
// only through cyrusdb's atomic Add, so concurrent reservations from many
// processes can never together overshoot a limit. A reservation charges the
// usage at once; Commit keeps the charge and Release gives it back. A crash
// between the two leaves usage slightly high, which `quota -f` recomputes
// from the spool.
//
// Modes: APPEND and COPY are strict (usage + delta must stay within the
// limit); LMTP delivery refuses only a root that is already over its limit,
// so one message may overflow (lmtp_strict_quota makes it strict too);
// IgnoreQuota (deliver -q, IGNOREQUOTA) charges without checking.
//
// Which root governs a mailbox is read from the databases at every
// RootOf, unless the process turned on CacheRoots (lmtpd does, for a
// couple of seconds, sparing each delivery a read per hierarchy level):
// then a root set or removed by another process applies to that
// process's changes after at most the TTL, and what they charged
// meanwhile to the former root is drift `quota -f` corrects. Set and
// Remove through the same Store forget the cache at once. Limits and
// usage themselves are never cached: a reservation always checks them.
//
// Keys: "QL" + root holds the limits, "QU" + root the usage, both encoded
// with cyrusdb.EncodeCounters in Resource order.
package quota
