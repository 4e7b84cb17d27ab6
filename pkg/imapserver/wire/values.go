package wire

import (
	"strings"
	"time"

	"github.com/emersion/go-imap/v2"
)

func (r *Reader) number() uint32 { return uint32(r.numberMax(1<<32 - 1)) }

// Number reads a 32-bit number.
func (r *Reader) Number() (uint32, error) { return take(r, r.number()) }

func (r *Reader) nzNumber() uint32 {
	n := r.number()
	if n == 0 {
		r.fail(syntaxErr("number must not be zero"))
	}
	return n
}

// NZNumber reads a non-zero 32-bit number.
func (r *Reader) NZNumber() (uint32, error) { return take(r, r.nzNumber()) }

func (r *Reader) number64() uint64 { return uint64(r.numberMax(1<<63 - 1)) }

// Number64 reads a 63-bit number (RFC 9051 number64, RFC 7162
// mod-sequence-value).
func (r *Reader) Number64() (uint64, error) { return take(r, r.number64()) }

func (r *Reader) numberMax(max int64) int64 {
	if !r.ok() {
		return 0
	}
	start := r.pos
	for r.pos < len(r.line) && isDigit(r.line[r.pos]) {
		r.pos++
	}
	n, ok := parseUint(r.line[start:r.pos], max)
	if !ok {
		if start == r.pos {
			r.fail(syntaxErr("expected number at %q", r.rest(16)))
		} else {
			r.fail(syntaxErr("number out of range"))
		}
	}
	return n
}

func (r *Reader) numSet(uid bool) imap.NumSet {
	if !r.ok() {
		return nil
	}
	if r.Consume('$') {
		return imap.SearchRes()
	}
	var set imap.SeqSet
	for r.err == nil {
		start := r.seqNumber()
		stop := start
		if r.Consume(':') {
			stop = r.seqNumber()
		}
		set.AddRange(start, stop)
		if !r.Consume(',') {
			break
		}
	}
	if r.err != nil {
		return nil
	}
	if !uid {
		return set
	}
	uids := make(imap.UIDSet, len(set))
	for i, rg := range set {
		uids[i] = imap.UIDRange{Start: imap.UID(rg.Start), Stop: imap.UID(rg.Stop)}
	}
	return uids
}

// NumSet reads a sequence-set ("1:*,5", or "$" for the saved SEARCH result,
// RFC 5182). "*" is stored as 0, as go-imap does. For UID commands (uid
// true) the result is an imap.UIDSet, else an imap.SeqSet; "$" yields
// imap.SearchRes() in both cases (test with imap.IsSearchRes).
func (r *Reader) NumSet(uid bool) (imap.NumSet, error) { return take(r, r.numSet(uid)) }

// seqNumber reads nz-number or "*" (returned as 0).
func (r *Reader) seqNumber() uint32 {
	if r.Consume('*') {
		return 0
	}
	if r.peek() == '0' {
		r.fail(syntaxErr("invalid sequence set: 0 is not a message number"))
		return 0
	}
	var n uint32
	if r.failed(func() { n = r.number() }) {
		r.fail(syntaxErr("invalid sequence set at %q", r.rest(16)))
	}
	return n
}

func (r *Reader) flag() imap.Flag {
	if !r.ok() {
		return ""
	}
	if r.Consume('\\') {
		var a string
		if r.failed(func() { a = r.atom() }) {
			r.fail(syntaxErr("invalid flag"))
		}
		return imap.Flag(canonicalSystemFlag("\\" + a))
	}
	var a string
	if r.failed(func() { a = r.atom() }) {
		r.fail(syntaxErr("invalid flag at %q", r.rest(16)))
	}
	return imap.Flag(a)
}

// Flag reads a flag: "\Seen" style system flags or a keyword atom.
func (r *Reader) Flag() (imap.Flag, error) { return take(r, r.flag()) }

// canonicalSystemFlag gives the RFC spelling of a system flag (they are
// case-insensitive) and leaves extension flags alone.
func canonicalSystemFlag(f string) string {
	for _, s := range [...]string{`\Seen`, `\Answered`, `\Flagged`, `\Deleted`, `\Draft`, `\Recent`} {
		if strings.EqualFold(f, s) {
			return s
		}
	}
	return f
}

func (r *Reader) flagList() []imap.Flag {
	var flags []imap.Flag
	r.list(func() { flags = append(flags, r.flag()) })
	return flags
}

// FlagList reads "(" [flag *(SP flag)] ")".
func (r *Reader) FlagList() ([]imap.Flag, error) { return take(r, r.flagList()) }

// list reads a parenthesised, space-separated list, calling item for each
// element. An empty list "()" is accepted.
func (r *Reader) list(item func()) {
	r.expect('(', "'('")
	if r.Consume(')') {
		return
	}
	for r.err == nil {
		item()
		if r.Consume(')') {
			return
		}
		if r.failed(r.sp) {
			r.fail(syntaxErr("expected space or ')' at %q", r.rest(16)))
		}
	}
}

// List reads a parenthesised, space-separated list, calling item for each
// element. An empty list "()" is accepted.
func (r *Reader) List(item func() error) error {
	r.list(func() { r.fail(item()) })
	_, err := take(r, 0)
	return err
}

var months = [...]string{"JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"}

func (r *Reader) date() time.Time {
	if !r.ok() {
		return time.Time{}
	}
	q := r.Consume('"')
	day := r.dayMonthYear(false)
	if q && !r.Consume('"') {
		r.fail(syntaxErr("unterminated date"))
	}
	return day
}

// Date reads an RFC 3501 date ("1-Feb-1994", optionally quoted) as midnight
// UTC of that day.
func (r *Reader) Date() (time.Time, error) { return take(r, r.date()) }

func (r *Reader) dateTime() time.Time {
	r.expect('"', "date-time")
	day := r.dayMonthYear(true)
	if r.err != nil {
		return time.Time{}
	}
	bad := func() time.Time {
		r.fail(syntaxErr("invalid date-time"))
		return time.Time{}
	}
	if !r.Consume(' ') {
		return bad()
	}
	var hms [3]int
	for i := range hms {
		if i > 0 && !r.Consume(':') {
			return bad()
		}
		v, ok := r.digits(2, 2)
		if !ok {
			return bad()
		}
		hms[i] = v
	}
	if !r.Consume(' ') {
		return bad()
	}
	sign := 1
	switch {
	case r.Consume('+'):
	case r.Consume('-'):
		sign = -1
	default:
		return bad()
	}
	zone, ok := r.digits(4, 4)
	if !ok || !r.Consume('"') {
		return bad()
	}
	if hms[0] > 23 || hms[1] > 59 || hms[2] > 60 || zone%100 > 59 {
		return bad()
	}
	offset := sign * ((zone/100)*3600 + (zone%100)*60)
	loc := time.FixedZone("", offset)
	y, m, d := day.Date()
	return time.Date(y, m, d, hms[0], hms[1], hms[2], 0, loc)
}

// DateTime reads an RFC 3501 date-time: "17-Jul-1996 02:44:25 -0700" with
// the day possibly space-padded.
func (r *Reader) DateTime() (time.Time, error) { return take(r, r.dateTime()) }

// dayMonthYear reads date-day "-" date-month "-" date-year.
func (r *Reader) dayMonthYear(padded bool) time.Time {
	if r.err != nil {
		return time.Time{}
	}
	bad := syntaxErr("invalid date at %q", r.rest(16))
	if padded {
		r.Consume(' ')
	}
	d, ok := r.digits(1, 2)
	if !ok || !r.Consume('-') || r.pos+4 > len(r.line) {
		r.fail(bad)
		return time.Time{}
	}
	mon := strings.ToUpper(string(r.line[r.pos : r.pos+3]))
	r.pos += 3
	m := 0
	for i, name := range months {
		if name == mon {
			m = i + 1
		}
	}
	if m == 0 || !r.Consume('-') {
		r.fail(bad)
		return time.Time{}
	}
	y, ok := r.digits(4, 4)
	if !ok || d < 1 || d > 31 {
		r.fail(bad)
		return time.Time{}
	}
	t := time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC)
	if t.Day() != d { // 31-Feb and the like
		r.fail(bad)
		return time.Time{}
	}
	return t
}

// digits reads between min and max decimal digits.
func (r *Reader) digits(min, max int) (int, bool) {
	v, n := 0, 0
	for n < max && r.pos < len(r.line) && isDigit(r.line[r.pos]) {
		v = v*10 + int(r.line[r.pos]-'0')
		r.pos++
		n++
	}
	return v, n >= min
}
