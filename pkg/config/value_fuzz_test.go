package config

import (
	"strings"
	"testing"
	"time"
)

// FuzzParseDuration: imapd.conf durations ("30", "1h30m", "-2d") never
// panic or overflow: an accepted one has the sign it was written with.
func FuzzParseDuration(f *testing.F) {
	for _, s := range []string{"30", "1h30m", "2d", "0", "-1", "99999999999999999999d", "1.5h", "", "5x", "9223372036854775807s"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, unit := range []time.Duration{time.Second, time.Minute} {
			d, err := ParseDuration(s, unit)
			if err == nil && (d < 0) != (strings.HasPrefix(s, "-") && d != 0) {
				t.Fatalf("ParseDuration(%q, %v) = %v", s, unit, d)
			}
		}
	})
}

// FuzzParseBool: every accepted switch parses the same in any case.
func FuzzParseBool(f *testing.F) {
	for _, s := range []string{"yes", "no", "on", "off", "1", "0", "true", "false", "t", "", "Yes "} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		_, _ = ParseBool(s)
	})
}
