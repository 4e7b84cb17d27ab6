package wire

import (
	"strings"
	"time"

	"github.com/emersion/go-imap/v2"
)

// Number reads a 32-bit number.
func (r *Reader) Number() (uint32, error) {
	n, err := r.number(1<<32 - 1)
	return uint32(n), err
}

// NZNumber reads a non-zero 32-bit number.
func (r *Reader) NZNumber() (uint32, error) {
	n, err := r.Number()
	if err == nil && n == 0 {
		return 0, syntaxErr("number must not be zero")
	}
	return n, err
}

// Number64 reads a 63-bit number (RFC 9051 number64, RFC 7162
// mod-sequence-value).
func (r *Reader) Number64() (uint64, error) {
	n, err := r.number(1<<63 - 1)
	return uint64(n), err
}

func (r *Reader) number(max int64) (int64, error) {
	if err := r.ensureLine(); err != nil {
		return 0, err
	}
	start := r.pos
	for r.pos < len(r.line) && isDigit(r.line[r.pos]) {
		r.pos++
	}
	n, ok := parseUint(r.line[start:r.pos], max)
	if !ok {
		if start == r.pos {
			return 0, syntaxErr("expected number at %q", r.rest(16))
		}
		return 0, syntaxErr("number out of range")
	}
	return n, nil
}

// NumSet reads a sequence-set ("1:*,5", or "$" for the saved SEARCH result,
// RFC 5182). "*" is stored as 0, as go-imap does. For UID commands (uid
// true) the result is an imap.UIDSet, else an imap.SeqSet; "$" yields
// imap.SearchRes() in both cases (test with imap.IsSearchRes).
func (r *Reader) NumSet(uid bool) (imap.NumSet, error) {
	if err := r.ensureLine(); err != nil {
		return nil, err
	}
	if r.Consume('$') {
		return imap.SearchRes(), nil
	}
	var set imap.SeqSet
	for {
		start, err := r.seqNumber()
		if err != nil {
			return nil, err
		}
		stop := start
		if r.Consume(':') {
			if stop, err = r.seqNumber(); err != nil {
				return nil, err
			}
		}
		set.AddRange(start, stop)
		if !r.Consume(',') {
			break
		}
	}
	if !uid {
		return set, nil
	}
	uids := make(imap.UIDSet, len(set))
	for i, rg := range set {
		uids[i] = imap.UIDRange{Start: imap.UID(rg.Start), Stop: imap.UID(rg.Stop)}
	}
	return uids, nil
}

// seqNumber reads nz-number or "*" (returned as 0).
func (r *Reader) seqNumber() (uint32, error) {
	if r.Consume('*') {
		return 0, nil
	}
	if r.peek() == '0' {
		return 0, syntaxErr("invalid sequence set: 0 is not a message number")
	}
	n, err := r.Number()
	if err != nil {
		return 0, syntaxErr("invalid sequence set at %q", r.rest(16))
	}
	return n, nil
}

// Flag reads a flag: "\Seen" style system flags or a keyword atom.
func (r *Reader) Flag() (imap.Flag, error) {
	if err := r.ensureLine(); err != nil {
		return "", err
	}
	if r.Consume('\\') {
		a, err := r.Atom()
		if err != nil {
			return "", syntaxErr("invalid flag")
		}
		return imap.Flag(canonicalSystemFlag("\\" + a)), nil
	}
	a, err := r.Atom()
	if err != nil {
		return "", syntaxErr("invalid flag at %q", r.rest(16))
	}
	return imap.Flag(a), nil
}

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

// FlagList reads "(" [flag *(SP flag)] ")".
func (r *Reader) FlagList() ([]imap.Flag, error) {
	var flags []imap.Flag
	err := r.List(func() error {
		f, err := r.Flag()
		flags = append(flags, f)
		return err
	})
	return flags, err
}

// List reads a parenthesised, space-separated list, calling item for each
// element. An empty list "()" is accepted.
func (r *Reader) List(item func() error) error {
	if err := r.Expect('(', "'('"); err != nil {
		return err
	}
	if r.Consume(')') {
		return nil
	}
	for {
		if err := item(); err != nil {
			return err
		}
		if r.Consume(')') {
			return nil
		}
		if err := r.SP(); err != nil {
			return syntaxErr("expected space or ')' at %q", r.rest(16))
		}
	}
}

var months = [...]string{"JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"}

// Date reads an RFC 3501 date ("1-Feb-1994", optionally quoted) as midnight
// UTC of that day.
func (r *Reader) Date() (time.Time, error) {
	if err := r.ensureLine(); err != nil {
		return time.Time{}, err
	}
	q := r.Consume('"')
	day, err := r.dayMonthYear(false)
	if err != nil {
		return time.Time{}, err
	}
	if q && !r.Consume('"') {
		return time.Time{}, syntaxErr("unterminated date")
	}
	return day, nil
}

// DateTime reads an RFC 3501 date-time: "17-Jul-1996 02:44:25 -0700" with
// the day possibly space-padded.
func (r *Reader) DateTime() (time.Time, error) {
	if err := r.Expect('"', "date-time"); err != nil {
		return time.Time{}, err
	}
	day, err := r.dayMonthYear(true)
	if err != nil {
		return time.Time{}, err
	}
	bad := syntaxErr("invalid date-time")
	if !r.Consume(' ') {
		return time.Time{}, bad
	}
	var hms [3]int
	for i := range hms {
		if i > 0 && !r.Consume(':') {
			return time.Time{}, bad
		}
		v, ok := r.digits(2, 2)
		if !ok {
			return time.Time{}, bad
		}
		hms[i] = v
	}
	if !r.Consume(' ') {
		return time.Time{}, bad
	}
	sign := 1
	switch {
	case r.Consume('+'):
	case r.Consume('-'):
		sign = -1
	default:
		return time.Time{}, bad
	}
	zone, ok := r.digits(4, 4)
	if !ok || !r.Consume('"') {
		return time.Time{}, bad
	}
	if hms[0] > 23 || hms[1] > 59 || hms[2] > 60 || zone%100 > 59 {
		return time.Time{}, bad
	}
	offset := sign * ((zone/100)*3600 + (zone%100)*60)
	loc := time.FixedZone("", offset)
	y, m, d := day.Date()
	return time.Date(y, m, d, hms[0], hms[1], hms[2], 0, loc), nil
}

// dayMonthYear reads date-day "-" date-month "-" date-year.
func (r *Reader) dayMonthYear(padded bool) (time.Time, error) {
	bad := syntaxErr("invalid date at %q", r.rest(16))
	if padded {
		r.Consume(' ')
	}
	d, ok := r.digits(1, 2)
	if !ok || !r.Consume('-') || r.pos+4 > len(r.line) {
		return time.Time{}, bad
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
		return time.Time{}, bad
	}
	y, ok := r.digits(4, 4)
	if !ok || d < 1 || d > 31 {
		return time.Time{}, bad
	}
	t := time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC)
	if t.Day() != d { // 31-Feb and the like
		return time.Time{}, bad
	}
	return t, nil
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
