package cyrusdb

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"runtime/debug"
	"sync"
	"time"

	"github.com/dgraph-io/badger/v4"
)

// maxConflictRetries bounds the internal retries of a Txn that lost a
// badger conflict to a concurrent transaction.
const maxConflictRetries = 1000

// local is the DB on a badger handle held by this process: the offline DB
// and the engine behind the db service.
type local struct {
	bdb      *badger.DB
	hub      *hub
	log      *slog.Logger
	readOnly bool

	// txnMu makes Txns serialisable: badger's optimistic conflict check
	// covers point reads, so ordinary Txns share it, but a DeletePrefix
	// reads a range (a concurrent insert into it would be a phantom), so
	// such a Txn runs alone.
	txnMu sync.RWMutex

	closeOnce sync.Once
	closeErr  error
}

func openLocal(dir string, opts Options) (*local, error) {
	log := opts.logger()
	bdb, err := badger.Open(badgerOptions(dir, opts.ReadOnly, log))
	if err != nil {
		return nil, fmt.Errorf("cyrusdb: open %s: %w", dir, err)
	}
	return &local{bdb: bdb, hub: newHub(), log: log, readOnly: opts.ReadOnly}, nil
}

func (l *local) Online() bool { return false }

func (l *local) Close() error {
	l.closeOnce.Do(func() {
		l.hub.close()
		l.closeErr = l.bdb.Close()
	})
	return l.closeErr
}

func checkKey(key []byte) error {
	if len(key) == 0 {
		return fmt.Errorf("%w: empty key", ErrInvalid)
	}
	if len(key) > maxKeySize {
		return fmt.Errorf("%w: key of %d bytes exceeds %d", ErrInvalid, len(key), maxKeySize)
	}
	return nil
}

// maxKeySize stays below badger's 65000-byte limit on keys.
const maxKeySize = 60000

func (l *local) Get(ctx context.Context, key []byte) ([]byte, uint64, error) {
	if err := checkKey(key); err != nil {
		return nil, 0, err
	}
	if err := ctx.Err(); err != nil {
		return nil, 0, err
	}
	var val []byte
	var version uint64
	err := l.bdb.View(func(txn *badger.Txn) error {
		item, err := txn.Get(key)
		if err != nil {
			return err
		}
		version = item.Version()
		val, err = item.ValueCopy(nil)
		return err
	})
	return val, version, l.mapErr(key, err)
}

func (l *local) mapErr(key []byte, err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, badger.ErrKeyNotFound):
		return fmt.Errorf("%w: %q", ErrNotFound, key)
	case errors.Is(err, badger.ErrDBClosed):
		return ErrClosed
	case errors.Is(err, badger.ErrTxnTooBig):
		return fmt.Errorf("%w: %v", ErrTxnTooLarge, err)
	}
	return fmt.Errorf("cyrusdb: %w", err)
}

func (l *local) Scan(ctx context.Context, prefix []byte, fn func(key, val []byte, version uint64) error) error {
	return l.scanFrom(ctx, prefix, nil, fn)
}

// scanFrom scans prefix starting strictly after the key after (nil: from
// the start); the service resumes interrupted scans with it.
func (l *local) scanFrom(ctx context.Context, prefix, after []byte, fn func(key, val []byte, version uint64) error) error {
	var fnErr error
	err := l.bdb.View(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{PrefetchValues: true, PrefetchSize: 64, Prefix: prefix})
		defer it.Close()
		start := prefix
		if after != nil {
			start = after
		}
		for it.Seek(start); it.ValidForPrefix(prefix); it.Next() {
			if err := ctx.Err(); err != nil {
				return err
			}
			item := it.Item()
			key := item.Key()
			if after != nil && bytes.Equal(key, after) {
				continue
			}
			err := item.Value(func(val []byte) error {
				fnErr = fn(key, val, item.Version())
				return fnErr
			})
			if err != nil {
				return err
			}
		}
		return nil
	})
	if fnErr != nil {
		return fnErr
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	return l.mapErr(prefix, err)
}

func (l *local) Txn(ctx context.Context, conds []Cond, ops []Op) error {
	if l.readOnly {
		return ErrReadOnly
	}
	if err := validateTxn(conds, ops); err != nil {
		return err
	}
	exclusive := false
	for _, op := range ops {
		if _, ok := op.(DeletePrefix); ok {
			exclusive = true
		}
	}
	if exclusive {
		l.txnMu.Lock()
		defer l.txnMu.Unlock()
	} else {
		l.txnMu.RLock()
		defer l.txnMu.RUnlock()
	}
	for attempt := 0; ; attempt++ {
		if err := ctx.Err(); err != nil {
			return err
		}
		err := l.bdb.Update(func(txn *badger.Txn) error { return applyTxn(txn, conds, ops) })
		if !errors.Is(err, badger.ErrConflict) {
			var le *LimitError
			if err == nil || errors.Is(err, ErrConflict) || errors.As(err, &le) || errors.Is(err, ErrInvalid) {
				return err
			}
			return l.mapErr(nil, err)
		}
		if attempt >= maxConflictRetries {
			return fmt.Errorf("cyrusdb: transaction still conflicting after %d retries: %w", attempt, err)
		}
	}
}

func validateTxn(conds []Cond, ops []Op) error {
	for _, c := range conds {
		if err := checkKey(c.Key); err != nil {
			return err
		}
	}
	for _, op := range ops {
		var err error
		switch o := op.(type) {
		case Put:
			err = checkKey(o.Key)
		case Delete:
			err = checkKey(o.Key)
		case DeletePrefix:
			if len(o.Prefix) == 0 {
				err = fmt.Errorf("%w: DeletePrefix with an empty prefix", ErrInvalid)
			}
		case Add:
			err = checkKey(o.Key)
		default:
			err = fmt.Errorf("%w: unknown op %T", ErrInvalid, op)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// applyTxn runs inside one badger update transaction: the conditions, then
// the ops in order (later ops see earlier ones).
func applyTxn(txn *badger.Txn, conds []Cond, ops []Op) error {
	for _, c := range conds {
		if err := checkCond(txn, c); err != nil {
			return err
		}
	}
	for _, op := range ops {
		var err error
		switch o := op.(type) {
		case Put:
			e := badger.NewEntry(o.Key, o.Val)
			if o.TTL > 0 {
				// badger keeps expiry in whole seconds and truncates; round
				// up so a key never expires before its TTL has passed.
				e.ExpiresAt = uint64(time.Now().Add(o.TTL + time.Second - 1).Unix())
			}
			err = txn.SetEntry(e)
		case Delete:
			err = txn.Delete(o.Key)
		case DeletePrefix:
			err = deletePrefix(txn, o.Prefix)
		case Add:
			err = applyAddOp(txn, o)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

func checkCond(txn *badger.Txn, c Cond) error {
	item, err := txn.Get(c.Key)
	switch {
	case errors.Is(err, badger.ErrKeyNotFound):
		if c.Exists || c.Version != 0 {
			return fmt.Errorf("%w: %q is absent", ErrConflict, c.Key)
		}
		return nil
	case err != nil:
		return err
	case !c.Exists && c.Version == 0:
		return fmt.Errorf("%w: %q exists", ErrConflict, c.Key)
	case c.Version != 0 && item.Version() != c.Version:
		return fmt.Errorf("%w: %q has version %d, not %d", ErrConflict, c.Key, item.Version(), c.Version)
	}
	return nil
}

func deletePrefix(txn *badger.Txn, prefix []byte) error {
	var keys [][]byte
	it := txn.NewIterator(badger.IteratorOptions{Prefix: prefix})
	for it.Rewind(); it.Valid(); it.Next() {
		keys = append(keys, it.Item().KeyCopy(nil))
	}
	it.Close()
	for _, k := range keys {
		if err := txn.Delete(k); err != nil {
			return err
		}
	}
	return nil
}

func applyAddOp(txn *badger.Txn, a Add) error {
	var cur []byte
	item, err := txn.Get(a.Key)
	switch {
	case errors.Is(err, badger.ErrKeyNotFound):
	case err != nil:
		return err
	default:
		if cur, err = item.ValueCopy(nil); err != nil {
			return err
		}
	}
	counters, err := applyAdd(a.Key, cur, a)
	if err != nil {
		return err
	}
	return txn.Set(a.Key, EncodeCounters(counters))
}

func (l *local) Publish(ctx context.Context, topic string) error {
	l.hub.publish(topic)
	return nil
}

func (l *local) Subscribe(ctx context.Context, topic string) (<-chan struct{}, func(), error) {
	return l.hub.subscribe(ctx, topic)
}

func (l *local) Backup(ctx context.Context, w io.Writer) error {
	// badger's stream takes 32 MiB of buffers per goroutine (one here,
	// see badgerOptions) whatever the size of the data: hand them back to
	// the system at once, or the long-lived master keeps them resident.
	defer debug.FreeOSMemory()
	if _, err := l.bdb.Backup(ctxWriter{ctx, w}, 0); err != nil {
		return fmt.Errorf("cyrusdb: backup: %w", err)
	}
	return nil
}

// ctxWriter aborts a long backup once ctx ends.
type ctxWriter struct {
	ctx context.Context
	w   io.Writer
}

func (c ctxWriter) Write(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.w.Write(p)
}
