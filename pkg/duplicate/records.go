package duplicate

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"time"

	"gocyrus/pkg/cyrusdb"
)

// What the administrator's tools (cyr_dbtool) need beyond lmtpd's Seen
// and Mark: an overwrite, a delete and a strict read of every record.

// Put records the delivery of k as uid at time at, replacing any record
// for k (Mark keeps the first).
func (s *Store) Put(ctx context.Context, k Key, at time.Time, uid uint32) error {
	return s.db.Txn(ctx, nil, []cyrusdb.Op{cyrusdb.Put{Key: k.encode(), Val: encodeValue(at, uid), TTL: s.ttl}})
}

// Delete removes the record for k; an absent record is no error.
func (s *Store) Delete(ctx context.Context, k Key) error {
	return s.db.Txn(ctx, nil, []cyrusdb.Op{cyrusdb.Delete{Key: k.encode()}})
}

// Period is a Sieve period record (vacation's or the duplicate test's).
type Period struct {
	User, ID string
	At       time.Time
}

func decodePeriod(key, val []byte) (Period, error) {
	rest, ok := bytes.CutPrefix(key, []byte(periodPrefix))
	if !ok {
		return Period{}, fmt.Errorf("period record key %q: missing prefix", key)
	}
	user, id, ok := bytes.Cut(rest, []byte{0})
	if !ok {
		return Period{}, fmt.Errorf("period record key %q: no NUL after the userid", key)
	}
	if len(val) != 8 {
		return Period{}, fmt.Errorf("period record %q: value of %d bytes, want 8", key, len(val))
	}
	return Period{User: string(user), ID: string(id), At: time.Unix(int64(binary.BigEndian.Uint64(val)), 0)}, nil
}

// ScanPeriods calls fn for every period record, ordered by key.
// Unreadable records are skipped (Check reports them).
func (s *Store) ScanPeriods(ctx context.Context, fn func(Period) error) error {
	return s.db.Scan(ctx, []byte(periodPrefix), func(key, val []byte, _ uint64) error {
		p, err := decodePeriod(key, val)
		if err != nil {
			return nil
		}
		return fn(p)
	})
}

// DeletePeriod removes user's period record id; an absent record is no
// error.
func (s *Store) DeletePeriod(ctx context.Context, user, id string) error {
	return s.db.Txn(ctx, nil, []cyrusdb.Op{cyrusdb.Delete{Key: periodKey(user, id)}})
}

// Check reads every delivery and period record and returns the damage
// found (nil when every one reads), the one reading of each form that
// Scan and ScanPeriods skip on.
func (s *Store) Check(ctx context.Context) error {
	var damage []error
	err := s.db.Scan(ctx, []byte(prefix), func(key, val []byte, _ uint64) error {
		if _, err := decodeKey(key); err != nil {
			damage = append(damage, err)
		} else if _, _, err := decodeValue(val); err != nil {
			damage = append(damage, fmt.Errorf("%q: %w", key, err))
		}
		return nil
	})
	if err != nil {
		return err
	}
	err = s.db.Scan(ctx, []byte(periodPrefix), func(key, val []byte, _ uint64) error {
		if _, err := decodePeriod(key, val); err != nil {
			damage = append(damage, err)
		}
		return nil
	})
	if err != nil {
		return err
	}
	return errors.Join(damage...)
}
