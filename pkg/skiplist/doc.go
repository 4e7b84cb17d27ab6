// Package skiplist reads Cyrus's skiplist database files
// (cyrusdb_skiplist: the default of Cyrus 2.2 to 2.4 for mailboxes.db,
// seen, annotations and the other databases), read-only, for cyr_import.
//
// # Format (all integers big-endian u32)
//
// A 48-byte header: the 20-byte magic "\xa1\x02\x8b\x0dskiplist file\0\0\0",
// version (1), minor version, maximum level, current level, list size,
// the log start (the end of the checkpointed part), the time of the last
// recovery. Then, from offset 48, records: type, and by type
//
//   - DUMMY (257, once, at 48) and INORDER (1, a checkpointed record)
//     and ADD (2, a logged one): key length, key padded to 4 bytes,
//     value length, value padded to 4 bytes, one forward pointer per
//     level, and 0xffffffff closing the pointers;
//   - DELETE (4): the offset of the record it removes;
//   - COMMIT (255): the end of a transaction.
//
// The file is read the way Cyrus's recovery reads it, not along the
// pointers (which Cyrus rewrites in place): the records before the log
// start are the checkpoint, then each transaction of the log is applied
// when its COMMIT is found; a transaction with no COMMIT (a crash) is
// ignored, as Cyrus's recovery drops it.
//
// # Invariants
//
// Nothing is trusted: every length is checked against the file, a
// DELETE must name a record seen before it, and the levels are bounded
// by the header's maximum (at most 32). Memory is bounded by the file
// (read whole; keys and values alias it). Every error wraps ErrCorrupt
// and names the offset.
package skiplist
