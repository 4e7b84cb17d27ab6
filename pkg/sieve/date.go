package sieve

import (
	"fmt"
	"net/mail"
	"regexp"
	"strconv"
	"strings"
	"time"

	"gocyrus/pkg/msgheader"
)

var dateParts = map[string]bool{
	"year": true, "month": true, "day": true, "date": true, "julian": true,
	"hour": true, "minute": true, "second": true, "time": true,
	"iso8601": true, "std11": true, "zone": true, "weekday": true,
}

// datePart extracts an RFC 5260 §4.2 date-part from t.
func datePart(t time.Time, part string) (string, bool) {
	switch strings.ToLower(part) {
	case "year":
		return fmt.Sprintf("%04d", t.Year()), true
	case "month":
		return fmt.Sprintf("%02d", int(t.Month())), true
	case "day":
		return fmt.Sprintf("%02d", t.Day()), true
	case "date":
		return t.Format("2006-01-02"), true
	case "julian":
		// Modified Julian Day: days since 1858-11-17 on the local calendar.
		y, m, d := t.Date()
		civil := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
		return strconv.FormatInt(civil.Unix()/86400+40587, 10), true
	case "hour":
		return fmt.Sprintf("%02d", t.Hour()), true
	case "minute":
		return fmt.Sprintf("%02d", t.Minute()), true
	case "second":
		return fmt.Sprintf("%02d", t.Second()), true
	case "time":
		return t.Format("15:04:05"), true
	case "iso8601":
		return t.Format("2006-01-02T15:04:05-07:00"), true
	case "std11":
		return t.Format("Mon, 02 Jan 2006 15:04:05 -0700"), true
	case "zone":
		return t.Format("-0700"), true
	case "weekday":
		return strconv.Itoa(int(t.Weekday())), true
	}
	return "", false
}

var zoneRE = regexp.MustCompile(`^[+-][0-9]{4}$`)

// parseZone parses "+hhmm"/"-hhmm".
func parseZone(z string) (*time.Location, bool) {
	if !zoneRE.MatchString(z) {
		return nil, false
	}
	h, _ := strconv.Atoi(z[1:3])
	m, _ := strconv.Atoi(z[3:5])
	if h > 23 || m > 59 {
		return nil, false
	}
	off := (h*60 + m) * 60
	if z[0] == '-' {
		off = -off
	}
	return time.FixedZone(z, off), true
}

var commentRE = regexp.MustCompile(`\([^()]*\)`)

// parseMessageDate parses a Date-like header value; for Received it uses
// the date after the last ";" (RFC 5260 §4.1).
func parseMessageDate(field, v string) (time.Time, bool) {
	v = msgheader.Unfold(v)
	if strings.EqualFold(field, "received") {
		i := strings.LastIndexByte(v, ';')
		if i < 0 {
			return time.Time{}, false
		}
		v = v[i+1:]
	}
	v = strings.TrimSpace(v)
	if t, err := mail.ParseDate(v); err == nil {
		return t, true
	}
	if t, err := mail.ParseDate(strings.TrimSpace(commentRE.ReplaceAllString(v, ""))); err == nil {
		return t, true
	}
	return time.Time{}, false
}

// dateTest is RFC 5260 "date" and "currentdate".
type dateTest struct {
	at
	current      bool
	header       str
	part         str
	zone         str
	hasZone      bool
	originalZone bool
	index        int
	last         bool
	m            *matcher
}

var dateZoneTags = map[string]tagSpec{
	":zone":         {group: "zone", param: strParam},
	":originalzone": {group: "zone"},
}

func compileDate(c *compiler, n *testNode) (test, *Error) {
	return c.compileDateTest(n, false)
}

func compileCurrentDate(c *compiler, n *testNode) (test, *Error) {
	return c.compileDateTest(n, true)
}

func (c *compiler) compileDateTest(n *testNode, current bool) (test, *Error) {
	specs := []map[string]tagSpec{comparatorTags, matchTypeTags, dateZoneTags}
	if !current {
		specs = append(specs, indexTags)
	}
	a, err := c.readArgs(n.name, n.args, specs...)
	if err != nil {
		return nil, err
	}
	if current && a.has(":originalzone") {
		return nil, errAt(a.tags[":originalzone"].pos, "currentdate does not take :originalzone")
	}
	kinds := []argKind{argString, argString, argStrings}
	if current {
		kinds = kinds[1:]
	}
	if err := wantPositional(n.name, n.pos, a, kinds...); err != nil {
		return nil, err
	}
	t := &dateTest{at: at{n.pos}, current: current, originalZone: a.has(":originalzone")}
	if t.index, t.last, err = c.index(a); err != nil {
		return nil, err
	}
	if z, ok := a.tags[":zone"]; ok {
		t.hasZone = true
		if t.zone, err = c.str(z.strs[0]); err != nil {
			return nil, err
		}
		if !t.zone.vars {
			if _, ok := parseZone(t.zone.s); !ok {
				return nil, errAt(z.strs[0].pos, "invalid time zone %q", t.zone.s)
			}
		}
	}
	pos := a.pos
	if !current {
		hdr, err := c.headerNames(pos[0].strs)
		if err != nil {
			return nil, err
		}
		t.header = hdr[0]
		pos = pos[1:]
	}
	if t.part, err = c.str(pos[0].strs[0]); err != nil {
		return nil, err
	}
	if !t.part.vars && !dateParts[strings.ToLower(t.part.s)] {
		return nil, errAt(pos[0].strs[0].pos, "unknown date part %q", t.part.s)
	}
	if t.m, err = c.compileMatcher(a, pos[1].strs); err != nil {
		return nil, err
	}
	return t, nil
}

func (t *dateTest) eval(st *state) (bool, error) {
	loc := st.env.Now.Location()
	if t.hasZone {
		z := st.expand(t.zone)
		l, ok := parseZone(z)
		if !ok {
			st.note("date: invalid zone %q", z)
			return false, nil
		}
		loc = l
	}
	var times []time.Time
	if t.current {
		times = []time.Time{st.env.Now}
	} else {
		name := st.expand(t.header)
		for _, v := range selectIndex(st.hdr.values(name), t.index, t.last) {
			if d, ok := parseMessageDate(name, v); ok {
				times = append(times, d)
			}
		}
	}
	part := st.expand(t.part)
	var vals []string
	for _, tm := range times {
		if !t.originalZone {
			tm = tm.In(loc)
		}
		v, ok := datePart(tm, part)
		if !ok {
			st.note("date: unknown date part %q", part)
			return false, nil
		}
		vals = append(vals, v)
	}
	return st.match(t.m, vals)
}
