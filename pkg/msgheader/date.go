package msgheader

import (
	"net/mail"
	"strings"
	"time"
)

// ParseDate reads a Date field value (RFC 5322 §3.3 with the obsolete
// forms of §4.3: two-digit years, military and North American zones) and
// returns its instant in its own zone. Comments and folding white space may
// stand between the tokens (RFC 5322 appendix A.5, "Thu (weekday), 13 Feb
// 1969 ..."): they are removed before parsing. The store's sent date (SORT
// DATE, SEARCH SENT*) and SEARCH's day check both read dates here, so they
// always agree.
func ParseDate(v string) (time.Time, error) {
	if strings.IndexByte(v, '(') >= 0 {
		v = stripComments(v)
	}
	f := strings.Fields(strings.ReplaceAll(v, ",", ", "))
	if n := len(f); n > 0 {
		if off, ok := obsZones[strings.ToUpper(f[n-1])]; ok {
			f[n-1] = off
		} else if z := f[n-1]; len(z) == 1 && (z[0]|0x20) >= 'a' && (z[0]|0x20) <= 'z' && (z[0]|0x20) != 'j' {
			f[n-1] = "-0000" // military zones: unknown offset (RFC 5322 §4.3)
		}
	}
	return mail.ParseDate(strings.ReplaceAll(strings.Join(f, " "), " ,", ","))
}

// obsZones are the obsolete zone names of RFC 5322 §4.3; Go's time
// package would read an unknown abbreviation as UTC.
var obsZones = map[string]string{
	"UT": "+0000", "GMT": "+0000",
	"EST": "-0500", "EDT": "-0400", "CST": "-0600", "CDT": "-0500",
	"MST": "-0700", "MDT": "-0600", "PST": "-0800", "PDT": "-0700",
}

// stripComments removes the comments of a structured value, each replaced
// by a space; quoted strings are kept as written.
func stripComments(v string) string {
	var b strings.Builder
	b.Grow(len(v))
	for i := 0; i < len(v); {
		switch v[i] {
		case '(':
			_, n, _ := comment(v[i+1:])
			i += 1 + n
			b.WriteByte(' ')
		case '"':
			_, n, _ := quoted(v[i+1:], '"')
			b.WriteString(v[i : i+1+n])
			i += 1 + n
		default:
			b.WriteByte(v[i])
			i++
		}
	}
	return b.String()
}
