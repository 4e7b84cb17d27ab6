// Package flatdb reads Cyrus's flat database files (cyrusdb_flat: one
// "key\tvalue\n" line per record, in key order; Cyrus 2.x sites used it
// for subscriptions, seen state and small databases), read-only, for
// cyr_import.
//
// # Format
//
// The file has no magic: Cyrus takes a database with neither the twoskip
// nor the skiplist magic (nor Berkeley DB's) as flat. Inside keys and
// values the bytes NUL, TAB, LF, CR and 0xFF are written as 0xFF followed
// by the byte with its top bit set (0xFF itself as 0xFF 0xFF); every
// other byte stands for itself. Checked against files written by the
// real Cyrus 3.6.1's cvt_cyrusdb and cyr_dbtool (testdata/escapes.db).
//
// # Invariants
//
// Nothing is trusted: a line with no TAB, a last line with no LF, an
// escape that is not one Cyrus writes are errors
// wrapping ErrCorrupt and naming the line. Memory is bounded by the file.
package flatdb
