// Package cyrusdbfile reads a Cyrus database file of any format Cyrus
// 2.2 to 3.8 writes, telling the format by its magic as Cyrus's
// cyrusdb_detect does: twoskip, skiplist, Berkeley DB (refused: not
// read), and flat for a file with none of them. cyr_import uses it for
// mailboxes.db, annotations.db, seen and subscription databases, so an
// older site needs no flag naming its formats.
//
// # Invariants
//
// Read-only; the readers' own guarantees hold (pkg/twoskip,
// pkg/skiplist, pkg/flatdb): nothing in the file is trusted and every
// error about content wraps that reader's ErrCorrupt (a Berkeley DB file
// wraps ErrUnsupported) and names the file.
package cyrusdbfile
