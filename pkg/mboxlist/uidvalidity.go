package mboxlist

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strconv"
	"time"

	"gocyrus/pkg/cyrusdb"
)

// RFC 3501 §2.3.1.1: a (mailbox name, UIDVALIDITY, UID) triple never names
// two messages. The clock alone does not give that (a mailbox deleted and
// created again within the second, two processes creating at once, a clock
// set back), so every UIDVALIDITY comes from one counter in the databases:
// the next value is max(now, last+1), written on the condition that the
// counter is still the version read. No value is ever handed out twice on
// the server, whatever the name.

var uidValidityKey = []byte(cyrusdb.KeyUIDValidity)

// ErrUIDValidityExhausted: the counter reached 2^32-1.
var ErrUIDValidityExhausted = errors.New("mboxlist: no UIDVALIDITY left (the counter is at 4294967295)")

// maxUIDValidityTries bounds the retries of a contended allocation; each
// loss means another allocation succeeded, so running out is a busy server
// far beyond anything real, not a livelock.
const maxUIDValidityTries = 1000

// NextUIDValidity allocates a UIDVALIDITY no one was given before:
// max(now, last+1). Values skipped by a lost reply are never reused.
func (l *List) NextUIDValidity(ctx context.Context) (uint32, error) {
	return l.allocUIDValidity(ctx, func(last uint64) (uint64, error) {
		if last >= math.MaxUint32 {
			return 0, ErrUIDValidityExhausted
		}
		return max(uint64(time.Now().Unix()), last+1), nil
	})
}

// RaiseUIDValidity makes the counter at least v: a mailbox that arrives
// with its UIDVALIDITY (an undumped list, a spool directory adopted by
// reconstruct -f) must never see it handed out again.
func (l *List) RaiseUIDValidity(ctx context.Context, v uint32) error {
	_, err := l.allocUIDValidity(ctx, func(last uint64) (uint64, error) {
		return max(last, uint64(v)), nil
	})
	return err
}

// allocUIDValidity moves the counter from its value to next(value) in a
// transaction conditional on the version read, retrying when another
// process moved it first, and returns the value written.
func (l *List) allocUIDValidity(ctx context.Context, next func(last uint64) (uint64, error)) (uint32, error) {
	for range maxUIDValidityTries {
		b, ver, err := l.db.Get(ctx, uidValidityKey)
		var last uint64
		switch {
		case errors.Is(err, cyrusdb.ErrNotFound):
			ver = 0 // the first allocation: the key must still be absent
		case err != nil:
			return 0, fmt.Errorf("mboxlist: reading the UIDVALIDITY counter: %w", err)
		default:
			last, err = strconv.ParseUint(string(b), 10, 32)
			if err != nil {
				return 0, fmt.Errorf("mboxlist: the UIDVALIDITY counter %q is damaged: %w", b, err)
			}
		}
		v, err := next(last)
		if err != nil {
			return 0, err
		}
		if v == last {
			return uint32(v), nil // already high enough (Raise)
		}
		err = l.db.Txn(ctx, []cyrusdb.Cond{{Key: uidValidityKey, Version: ver}},
			[]cyrusdb.Op{cyrusdb.Put{Key: uidValidityKey, Val: strconv.AppendUint(nil, v, 10)}})
		switch {
		case err == nil:
			return uint32(v), nil
		case errors.Is(err, cyrusdb.ErrConflict), errors.Is(err, cyrusdb.ErrOutcomeUnknown):
			// Another process allocated first, or our write may or may
			// not have landed: read again and take a fresh value (a
			// value skipped is harmless, one given twice is not).
			continue
		default:
			return 0, fmt.Errorf("mboxlist: allocating a UIDVALIDITY: %w", err)
		}
	}
	return 0, fmt.Errorf("mboxlist: allocating a UIDVALIDITY: %d conflicting tries: %w", maxUIDValidityTries, cyrusdb.ErrConflict)
}
