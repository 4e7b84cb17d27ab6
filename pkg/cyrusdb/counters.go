package cyrusdb

import (
	"encoding/binary"
	"fmt"
)

// Counter vectors are stored as consecutive 8-byte big-endian two's
// complement int64s; the vector's length is len(value)/8.

// EncodeCounters returns the stored form of a counter vector.
func EncodeCounters(c []int64) []byte {
	b := make([]byte, 8*len(c))
	for i, v := range c {
		binary.BigEndian.PutUint64(b[8*i:], uint64(v))
	}
	return b
}

// DecodeCounters reads a counter vector; a trailing partial counter (a
// value that was never written by Add) is ignored.
func DecodeCounters(b []byte) []int64 {
	c := make([]int64, len(b)/8)
	for i := range c {
		c[i] = int64(binary.BigEndian.Uint64(b[8*i:]))
	}
	return c
}

// applyAdd returns the new counter vector for an Add on the stored value
// cur (nil when the key is absent), or a *LimitError.
func applyAdd(key, cur []byte, a Add) ([]int64, error) {
	if len(cur)%8 != 0 {
		return nil, fmt.Errorf("%w: %q holds %d bytes, not a counter vector", ErrInvalid, key, len(cur))
	}
	counters := DecodeCounters(cur)
	if len(a.Deltas) > len(counters) {
		counters = append(counters, make([]int64, len(a.Deltas)-len(counters))...)
	}
	for i, d := range a.Deltas {
		if d <= 0 || i >= len(a.Limits) || a.Limits[i] < 0 {
			continue
		}
		limit, now := a.Limits[i], counters[i]
		refuse := now+d > limit || now+d < now // the latter: overflow
		if a.CheckBefore {
			refuse = now > limit
		}
		if refuse {
			return nil, &LimitError{Key: key, Index: i, Current: now, Delta: d, Limit: limit}
		}
	}
	for i, d := range a.Deltas {
		counters[i] += d
	}
	return counters, nil
}
