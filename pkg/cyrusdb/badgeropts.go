package cyrusdb

import (
	"context"
	"fmt"
	"log/slog"
	"strings"

	"github.com/dgraph-io/badger/v4"
	"github.com/dgraph-io/badger/v4/options"
)

// badgerOptions tunes badger for a small list that must survive power
// loss (docs/ARCHITECTURE.md §4): tens of MiB instead of badger's gigabytes.
// ValueThreshold must stay below 15% of MemTableSize (badger's batch
// size) or badger refuses to open; NumCompactors must not be 1; a zero
// BlockCacheSize is only legal without compression. NumGoroutines is the
// streams' (Backup's) parallelism: each goroutine buffers 32 MiB, and a
// mail server's list is backed up in well under a second by one.
//
// No block or index cache (size 0): without compression or encryption a
// table block is read in place from the table's memory map, so a cache
// would only keep copies of what the page cache already holds. A small one
// (1 MiB, 256 blocks) was worse than none: its admission policy refused
// nearly every block (badger logged "Block cache might be too small ...
// hit-ratio: 0.00" under delivery), yet each read paid for the lookup and
// the attempted insert. The index cache serves only encrypted tables; the
// indexes of ours stay in memory with their tables.
func badgerOptions(dir string, readOnly bool, log *slog.Logger) badger.Options {
	return badger.DefaultOptions(dir).
		WithSyncWrites(true).
		WithMemTableSize(4 << 20).
		WithNumMemtables(2).
		WithValueLogFileSize(8 << 20).
		WithValueThreshold(64 << 10).
		WithBlockCacheSize(0).
		WithIndexCacheSize(0).
		WithNumCompactors(2).
		WithNumGoroutines(1).
		WithCompression(options.None).
		WithReadOnly(readOnly).
		WithLogger(badgerLogger{log})
}

// badgerLogger forwards badger's warnings and errors to slog; its info
// and debug chatter is dropped (logging at WARNING).
type badgerLogger struct{ log *slog.Logger }

func (l badgerLogger) Errorf(f string, a ...any)   { l.emit(slog.LevelError, f, a) }
func (l badgerLogger) Warningf(f string, a ...any) { l.emit(slog.LevelWarn, f, a) }
func (badgerLogger) Infof(string, ...any)          {}
func (badgerLogger) Debugf(string, ...any)         {}

func (l badgerLogger) emit(level slog.Level, f string, a []any) {
	l.log.Log(context.Background(), level, strings.TrimRight(fmt.Sprintf(f, a...), "\n"), "component", "badger")
}
