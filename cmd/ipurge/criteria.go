package main

import (
	"time"

	"gocyrus/pkg/mailbox"
)

const secondsPerDay = 86400

// options is what the command line asks for.
type options struct {
	days        int64 // -d, when !bySize
	bySize      bool
	bytes       int64 // -b, -k or -m in bytes, when bySize
	exact       bool  // -x
	invert      bool  // -i
	byDelivery  bool  // -X
	skipFlagged bool  // -s
	onlyDeleted bool  // -o
	force       bool  // -f
	names       bool  // -M
	dryRun      bool  // -n
	verbose     bool  // -v
	args        []string
}

// purges reports whether r is to go, as Cyrus's purge_check decides:
// -s and -o filter first, then the age or size test, which -x makes an
// equality (age in whole days) and -i turns round.
func (o options) purges(r mailbox.Record, now time.Time) bool {
	if o.skipFlagged && r.Flags&mailbox.FlagFlagged != 0 {
		return false
	}
	if o.onlyDeleted && r.Flags&mailbox.FlagDeleted == 0 {
		return false
	}
	if o.bySize {
		return compare(int64(r.Size), o.bytes, o.exact, o.invert)
	}
	age := int64(now.Sub(o.date(r)) / time.Second)
	if o.exact {
		return compare(age/secondsPerDay, o.days, true, o.invert)
	}
	return compare(age, o.days*secondsPerDay, false, o.invert)
}

// compare is Cyrus's test of v against the limit: greater (smaller with
// invert), or with exact equal (not equal with invert).
func compare(v, limit int64, exact, invert bool) bool {
	switch {
	case exact:
		return (v == limit) != invert
	case invert:
		return v < limit
	default:
		return v > limit
	}
}

// date is the time a message's age counts from: its Date: header, or with
// -X its delivery. A message without a usable Date: header counts from its
// delivery too, rather than looking decades old and going at once. Like
// Cyrus, which keeps sent dates to the day, the Date: header counts from
// the start of its day (so -d 0 takes today's mail too).
func (o options) date(r mailbox.Record) time.Time {
	if o.byDelivery || r.SentDate().IsZero() {
		return r.InternalDate()
	}
	d := r.SentDate().Local()
	return time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, time.Local)
}
