package cyrusdb

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"time"
)

// DB is a small transactional key-value store with versions, shared by
// every process of one server. Offline it is badger opened directly;
// online it is a client of the db service. Both behave identically.
type DB interface {
	// Get returns the value and version of key, or ErrNotFound.
	Get(ctx context.Context, key []byte) (val []byte, version uint64, err error)
	// Scan calls fn for every key starting with prefix, in key order. The
	// slices passed to fn are only valid during the call. An error from fn
	// stops the scan and is returned unchanged.
	Scan(ctx context.Context, prefix []byte, fn func(key, val []byte, version uint64) error) error
	// Txn applies ops atomically if every Cond holds, else returns an error
	// wrapping ErrConflict (or ErrLimit from an Add) and changes nothing.
	Txn(ctx context.Context, conds []Cond, ops []Op) error
	// Publish wakes every subscriber of topic (a mailbox name).
	Publish(ctx context.Context, topic string) error
	// Subscribe returns a channel that receives a wake-up (coalesced, never
	// blocking the publisher) after each Publish of topic. The channel is
	// closed when cancel is called, ctx ends or the DB is closed. A topic
	// made by PrefixTopic(p) is woken by every topic beginning with p.
	Subscribe(ctx context.Context, topic string) (<-chan struct{}, func(), error)
	// Backup writes a full badger backup (the format of badger's DB.Backup).
	Backup(ctx context.Context, w io.Writer) error
	// Checkpoint flushes, collects the value log until nothing is left to
	// collect and writes BackupFileName atomically into backupDir.
	Checkpoint(ctx context.Context, backupDir string) error
	// Close releases the DB. Open subscriptions are closed.
	Close() error
	// Online reports whether this DB goes through the db service.
	Online() bool
}

// Cond is a precondition of a Txn. Version 0 with Exists false means the key
// must be absent; a non-zero Version means the key must exist with exactly
// that version; Exists true means the key must exist, any version.
type Cond struct {
	Key     []byte
	Version uint64
	Exists  bool
}

// Op is one operation of a Txn: Put, Delete, DeletePrefix or Add.
type Op interface{ isOp() }

// Put sets Key to Val. A positive TTL makes the key expire (badger keeps
// expiry in whole seconds); an expired key is invisible to Get and Scan.
type Put struct {
	Key []byte
	Val []byte
	TTL time.Duration
}

// Delete removes Key; deleting an absent key is not an error.
type Delete struct{ Key []byte }

// DeletePrefix removes every key starting with Prefix (which must not be
// empty) in the same transaction as the other ops.
type DeletePrefix struct{ Prefix []byte }

// Add adds Deltas to the int64 counter vector stored at Key (a missing key
// or missing counters count as zero; see EncodeCounters). Limits[i] < 0 or
// a missing limit means unlimited. A positive delta is refused with a
// *LimitError when counter+delta would exceed the limit or, with
// CheckBefore, only when the counter is already over it (LMTP's rule).
// Negative deltas are never refused. The stored value carries no TTL.
type Add struct {
	Key         []byte
	Deltas      []int64
	Limits      []int64
	CheckBefore bool
}

func (Put) isOp()          {}
func (Delete) isOp()       {}
func (DeletePrefix) isOp() {}
func (Add) isOp()          {}

// Options configure Open, OpenServer and Recover.
type Options struct {
	// Logger receives warnings (badger's included); nil discards.
	Logger *slog.Logger
	// ReadOnly refuses Txn and, offline, opens badger with a shared lock.
	ReadOnly bool
	// DialTimeout bounds probing and connecting to the socket; 0 = 2s.
	DialTimeout time.Duration
}

func (o Options) logger() *slog.Logger {
	if o.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return o.Logger
}

func (o Options) dialTimeout() time.Duration {
	if o.DialTimeout <= 0 {
		return 2 * time.Second
	}
	return o.DialTimeout
}

// Errors returned (wrapped) by DB methods; test with errors.Is.
var (
	ErrNotFound = errors.New("cyrusdb: key not found")
	ErrConflict = errors.New("cyrusdb: condition failed")
	ErrLimit    = errors.New("cyrusdb: over limit")
	ErrReadOnly = errors.New("cyrusdb: database opened read-only")
	ErrClosed   = errors.New("cyrusdb: database closed")
	// ErrTxnTooLarge: a Txn exceeds badger's batch size (15% of the
	// memtable, about 600 KiB of keys and small values).
	ErrTxnTooLarge = errors.New("cyrusdb: transaction too large")
	// ErrInvalid: a malformed request (empty key, empty prefix, ...).
	ErrInvalid = errors.New("cyrusdb: invalid request")
	// ErrOutcomeUnknown: the connection broke while a Txn was in flight;
	// it may or may not have been applied.
	ErrOutcomeUnknown = errors.New("cyrusdb: connection lost, transaction outcome unknown")
)

// LimitError tells which counter of an Add was refused.
type LimitError struct {
	Key     []byte
	Index   int
	Current int64
	Delta   int64
	Limit   int64
}

func (e *LimitError) Error() string {
	return fmt.Sprintf("cyrusdb: over limit: %q counter %d is %d, delta %d, limit %d",
		e.Key, e.Index, e.Current, e.Delta, e.Limit)
}

// Unwrap makes errors.Is(err, ErrLimit) true.
func (e *LimitError) Unwrap() error { return ErrLimit }

// BackupFileName is the file Checkpoint writes into its backupDir.
const BackupFileName = "cyrusdb.backup"
