package duplicate

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"gocyrus/pkg/cyrusdb"
)

// prefix starts every duplicate record's key.
const prefix = cyrusdb.PrefixDuplicate

// DefaultTTL is how long a record lives when nothing prunes it.
const DefaultTTL = 30 * 24 * time.Hour

// pruneBatch bounds the deletes in one transaction (badger's batch limit).
const pruneBatch = 500

// Key identifies one delivery.
type Key struct {
	MessageID string
	Mailbox   string // the target mailbox's uniqueid
	Date      string // the Date header value, as sent
}

// Record is a stored delivery.
type Record struct {
	Key
	At  time.Time
	UID uint32
}

// Store keeps the records in the databases.
type Store struct {
	db  cyrusdb.DB
	ttl time.Duration

	mu       sync.Mutex
	pending  map[string][]byte // MarkLater records not yet written
	flushing bool              // a flushLoop goroutine runs
	onError  func(error)
}

// New returns a Store over db whose records expire after ttl (0 = DefaultTTL).
func New(db cyrusdb.DB, ttl time.Duration) *Store {
	if ttl <= 0 {
		ttl = DefaultTTL
	}
	return &Store{db: db, ttl: ttl}
}

func clean(s string) string { return strings.ReplaceAll(s, "\x00", " ") }

func (k Key) encode() []byte {
	return []byte(prefix + clean(k.MessageID) + "\x00" + clean(k.Mailbox) + "\x00" + clean(k.Date))
}

func decodeKey(b []byte) (Key, error) {
	rest, ok := bytes.CutPrefix(b, []byte(prefix))
	if !ok {
		return Key{}, fmt.Errorf("duplicate record key %q: missing prefix", b)
	}
	parts := bytes.SplitN(rest, []byte{0}, 3)
	if len(parts) != 3 {
		return Key{}, fmt.Errorf("duplicate record key %q: want 3 parts", b)
	}
	return Key{MessageID: string(parts[0]), Mailbox: string(parts[1]), Date: string(parts[2])}, nil
}

func encodeValue(at time.Time, uid uint32) []byte {
	v := make([]byte, 12)
	binary.BigEndian.PutUint64(v, uint64(at.Unix()))
	binary.BigEndian.PutUint32(v[8:], uid)
	return v
}

func decodeValue(v []byte) (time.Time, uint32, error) {
	if len(v) != 12 {
		return time.Time{}, 0, fmt.Errorf("duplicate record value: %d bytes, want 12", len(v))
	}
	return time.Unix(int64(binary.BigEndian.Uint64(v)), 0), binary.BigEndian.Uint32(v[8:]), nil
}

// Seen reports whether k was delivered already.
func (s *Store) Seen(ctx context.Context, k Key) (bool, error) {
	key := k.encode()
	if s.pendingSeen(key) {
		return true, nil
	}
	_, _, err := s.db.Get(ctx, key)
	switch {
	case err == nil:
		return true, nil
	case errors.Is(err, cyrusdb.ErrNotFound):
		return false, nil
	default:
		return false, err
	}
}

// Mark records the delivery of k as uid at time at, unless a record for k
// exists already (then it is left as it is and Mark returns nil).
func (s *Store) Mark(ctx context.Context, k Key, at time.Time, uid uint32) error {
	key := k.encode()
	err := s.db.Txn(ctx, []cyrusdb.Cond{{Key: key}},
		[]cyrusdb.Op{cyrusdb.Put{Key: key, Val: encodeValue(at, uid), TTL: s.ttl}})
	if errors.Is(err, cyrusdb.ErrConflict) {
		return nil
	}
	return err
}

// Scan calls fn for every record, ordered by key. Unreadable records are
// skipped; fn's error stops the scan.
func (s *Store) Scan(ctx context.Context, fn func(Record) error) error {
	return s.db.Scan(ctx, []byte(prefix), func(key, val []byte, _ uint64) error {
		k, err := decodeKey(key)
		if err != nil {
			return nil
		}
		at, uid, err := decodeValue(val)
		if err != nil {
			return nil
		}
		return fn(Record{Key: k, At: at, UID: uid})
	})
}

// Prune deletes the records delivered before cutoff and returns how many
// it deleted.
func (s *Store) Prune(ctx context.Context, cutoff time.Time) (int, error) {
	var old [][]byte
	err := s.db.Scan(ctx, []byte(prefix), func(key, val []byte, _ uint64) error {
		at, _, err := decodeValue(val)
		if err != nil || at.Before(cutoff) {
			old = append(old, bytes.Clone(key))
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	done := 0
	for len(old) > 0 {
		n := min(len(old), pruneBatch)
		ops := make([]cyrusdb.Op, n)
		for i, k := range old[:n] {
			ops[i] = cyrusdb.Delete{Key: k}
		}
		if err := s.db.Txn(ctx, nil, ops); err != nil {
			return done, err
		}
		done += n
		old = old[n:]
	}
	return done, nil
}
