package duplicate

import (
	"context"
	"encoding/binary"
	"errors"
	"time"

	"gocyrus/pkg/cyrusdb"
)

// periodPrefix starts the keys of per-user period records (Sieve's
// vacation memory and duplicate test).
const periodPrefix = cyrusdb.PrefixSieveDup

// periodKey is "SIEVEDUP/" + user + 0x00 + id.
func periodKey(user, id string) []byte {
	return []byte(periodPrefix + clean(user) + "\x00" + id)
}

// Within reports whether id was recorded for user less than period before
// now, and records it when it was not (an atomic check-and-set). With
// restart (Sieve's duplicate :last) a sighting always renews the record, so
// the period runs from the latest one. A period of zero or less never
// counts as seen and records nothing.
func (s *Store) Within(ctx context.Context, user, id string, period time.Duration, now time.Time, restart bool) (bool, error) {
	if period <= 0 {
		return false, nil
	}
	key := periodKey(user, id)
	val := make([]byte, 8)
	binary.BigEndian.PutUint64(val, uint64(now.Unix()))
	// The TTL outlives the period by a second: badger keeps whole seconds.
	put := cyrusdb.Put{Key: key, Val: val, TTL: period + time.Second}
	for range 3 {
		old, version, err := s.db.Get(ctx, key)
		switch {
		case errors.Is(err, cyrusdb.ErrNotFound):
			version = 0
		case err != nil:
			return false, err
		}
		seen := version != 0 && len(old) == 8 &&
			now.Sub(time.Unix(int64(binary.BigEndian.Uint64(old)), 0)) < period
		if seen && !restart {
			return true, nil
		}
		err = s.db.Txn(ctx, []cyrusdb.Cond{{Key: key, Version: version}}, []cyrusdb.Op{put})
		if errors.Is(err, cyrusdb.ErrConflict) {
			continue // a concurrent delivery recorded it: look again
		}
		return seen, err
	}
	return true, nil
}
