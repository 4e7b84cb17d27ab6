// Package duplicate keeps the duplicate-delivery records of lmtpd (Cyrus's
// deliver.db): one record per message delivered into a mailbox, so the same
// message handed over again is dropped silently.
//
// A record's key is (Message-ID, target mailbox uniqueid, Date header value),
// as in Cyrus 3.6. In the databases it is stored as
//
//	"DUP/" + messageid + 0x00 + uniqueid + 0x00 + date
//
// with an 12-byte value: the delivery time (int64 Unix seconds, big endian)
// then the UID the message got (uint32, big endian). Records carry a TTL so
// that they vanish even when nothing prunes them; ctl_deliver -E prunes
// sooner.
//
// Invariants: a record is written only after the message it describes is
// stored and fsync'd, so a crash can at worst deliver a message twice, never
// lose one. Mark is an atomic check-and-set: of two concurrent deliveries
// of the same key the second finds the record present and leaves it.
// NUL bytes in any part are replaced by spaces so the key stays parseable.
//
// MarkLater is Mark without the wait: records go to the databases from one
// background goroutine, batched into few transactions, and Seen consults the
// pending ones first. lmtpd uses it so that a delivery's 250 waits only for
// the mailbox's fsync; Flush (lmtpd's shutdown) writes what is pending.
//
// # Period records
//
// Sieve's memory (vacation's once-per-period replies, the duplicate test) is
// kept per user as
//
//	"SIEVEDUP/" + userid + 0x00 + id
//
// with an 8-byte value, the time of the sighting (int64 Unix seconds, big
// endian), and a TTL of the period (plus a second). [Store.Within] checks and
// records in one conditional transaction; ctl_deliver does not list them.
//
// # Administration
//
// cyr_dbtool reads both kinds through Scan and ScanPeriods, overwrites a
// delivery record with Put (the TTL is the Store's, as lmtpd's), removes
// records with Delete and DeletePeriod, and has Check report every record
// that does not decode (Scan and ScanPeriods skip those).
package duplicate
