// Package duration parses the durations Cyrus's admin tools take on the
// command line (cyr_expire -X 28, unexpunge -t 2h): a whole number with a
// unit suffix — w(eeks), d(ays), h(ours), m(inutes), s(econds) — or
// several in a row ("1d12h"). A bare number is in the tool's default unit
// (days for cyr_expire, seconds for unexpunge). Anything else is an error:
// a typo in a retention period must not silently become 0.
package duration

import (
	"fmt"
	"math"
	"time"
)

// Day and Week are the units time has no constants for.
const (
	Day  = 24 * time.Hour
	Week = 7 * Day
)

var units = map[byte]time.Duration{
	'w': Week, 'd': Day, 'h': time.Hour, 'm': time.Minute, 's': time.Second,
}

// Parse reads s; a bare number is in defaultUnit.
func Parse(s string, defaultUnit time.Duration) (time.Duration, error) {
	if s == "" {
		return 0, fmt.Errorf("empty duration")
	}
	var total time.Duration
	for rest := s; rest != ""; {
		n, i, err := leadingNumber(rest)
		if err != nil {
			return 0, fmt.Errorf("duration %q: %v", s, err)
		}
		unit := defaultUnit
		if i < len(rest) {
			u, ok := units[rest[i]]
			if !ok {
				return 0, fmt.Errorf("duration %q: unknown unit %q (want w, d, h, m or s)", s, rest[i])
			}
			unit = u
			i++
		} else if rest != s {
			return 0, fmt.Errorf("duration %q: a number without a unit must stand alone", s)
		}
		if n > math.MaxInt64/int64(unit) || total > math.MaxInt64-time.Duration(n)*unit {
			return 0, fmt.Errorf("duration %q is too large", s)
		}
		total += time.Duration(n) * unit
		rest = rest[i:]
	}
	return total, nil
}

// leadingNumber reads the decimal digits at the start of s and returns
// their value and the index after them.
func leadingNumber(s string) (int64, int, error) {
	var n int64
	i := 0
	for ; i < len(s) && s[i] >= '0' && s[i] <= '9'; i++ {
		d := int64(s[i] - '0')
		if n > (math.MaxInt64-d)/10 {
			return 0, 0, fmt.Errorf("number too large")
		}
		n = n*10 + d
	}
	if i == 0 {
		return 0, 0, fmt.Errorf("want a number (optionally followed by w, d, h, m or s) at %q", s)
	}
	return n, i, nil
}

// Days renders d in days with two decimals, as Cyrus's verbose messages do.
func Days(d time.Duration) string {
	return fmt.Sprintf("%0.2f", d.Hours()/24)
}
