package search

import (
	"strings"
	"time"

	"gocyrus/pkg/imapserver/wire"
	"gocyrus/pkg/mailbox"
	"gocyrus/pkg/msgheader"
)

// tri is a three-valued truth: a key that needs data not loaded yet
// answers maybe.
type tri uint8

const (
	no tri = iota
	yes
	maybe
)

func truth(b bool) tri {
	if b {
		return yes
	}
	return no
}

// eval evaluates n on m with the data of level lvl at hand.
func (n *node) eval(m *message, lvl cost) tri {
	c := m.c
	switch n.op {
	case wire.SearchAll:
		return yes
	case wire.SearchAnd:
		res := yes
		for _, k := range n.kids {
			switch k.eval(m, lvl) {
			case no:
				return no
			case maybe:
				res = maybe
			}
		}
		return res
	case wire.SearchOr:
		res := no
		for _, k := range n.kids {
			switch k.eval(m, lvl) {
			case yes:
				return yes
			case maybe:
				res = maybe
			}
		}
		return res
	case wire.SearchNot:
		switch n.kids[0].eval(m, lvl) {
		case yes:
			return no
		case no:
			return yes
		}
		return maybe
	case wire.SearchFlag:
		return truth(hasFlag(c.Flags, n.flag))
	case wire.SearchNoFlag:
		return truth(!hasFlag(c.Flags, n.flag))
	case wire.SearchLarger:
		return truth(uint64(c.Record.Size) > n.num)
	case wire.SearchSmaller:
		return truth(uint64(c.Record.Size) < n.num)
	case wire.SearchModSeq:
		return truth(c.Record.ModSeq >= n.num)
	case wire.SearchSeq:
		return truth(n.set.contains(c.Seq, c.UID, m.env.saved))
	case wire.SearchUID:
		return truth(n.set.contains(c.UID, c.UID, m.env.saved))
	case wire.SearchOlder:
		return truth(!c.Record.InternalDate().After(m.env.now.Add(-seconds(n.num))))
	case wire.SearchYounger:
		return truth(c.Record.InternalDate().After(m.env.now.Add(-seconds(n.num))))
	case wire.SearchBefore, wire.SearchOn, wire.SearchSince:
		return truth(compareDay(n.op, dayOf(c.Record.InternalDate()), n.day))
	case wire.SearchSentBefore, wire.SearchSentOn, wire.SearchSentSince:
		return n.evalSent(m, lvl)
	case wire.SearchHeader:
		return n.evalHeader(m, lvl)
	case wire.SearchBody:
		if n.excluded(c.UID) {
			return no
		}
		if lvl < costFile {
			return maybe
		}
		return truth(m.bodyHas(n.n))
	case wire.SearchText:
		return n.evalText(m, lvl)
	}
	return n.evalObjData(m)
}

func seconds(n uint64) time.Duration {
	const maxSeconds = uint64(1<<63-1) / uint64(time.Second)
	return time.Duration(min(n, maxSeconds)) * time.Second
}

func hasFlag(flags []string, f string) bool {
	for _, x := range flags {
		if strings.EqualFold(x, f) {
			return true
		}
	}
	return false
}

// dayOf is the calendar day of t in t's own zone, as midnight UTC (the form
// of wire.SearchKey.Date).
func dayOf(t time.Time) time.Time {
	y, mo, d := t.Date()
	return time.Date(y, mo, d, 0, 0, 0, 0, time.UTC)
}

func compareDay(op wire.SearchOp, day, key time.Time) bool {
	switch op {
	case wire.SearchBefore, wire.SearchSentBefore:
		return day.Before(key)
	case wire.SearchOn, wire.SearchSentOn:
		return day.Equal(key)
	}
	return !day.Before(key)
}

// evalSent compares the day of the Date: header in its own zone. The index
// keeps the sent date only as an instant, whose local day lies within a day
// of its UTC day; only when that leaves the answer open is the cached
// header parsed for its zone.
func (n *node) evalSent(m *message, lvl cost) tri {
	rec := &m.c.Record
	if rec.SentDate().IsZero() {
		return truth(compareDay(n.op, dayOf(rec.InternalDate()), n.day))
	}
	utc := dayOf(rec.SentDate().UTC())
	lo, hi := utc.AddDate(0, 0, -1), utc.AddDate(0, 0, 1)
	a, b := compareDay(n.op, lo, n.day), compareDay(n.op, hi, n.day)
	if a == b && compareDay(n.op, utc, n.day) == a {
		return truth(a)
	}
	if lvl < costCache {
		return maybe
	}
	day := utc
	if d, err := msgheader.ParseDate(m.cached.Envelope.Date); err == nil {
		day = dayOf(d)
	}
	return truth(compareDay(n.op, day, n.day))
}

func (n *node) evalHeader(m *message, lvl cost) tri {
	if lvl < costCache {
		return maybe
	}
	if cachedFields[n.field] || mailbox.HeaderCached(m.c.Record) {
		if n.field == "subject" && n.n != "" {
			// The envelope holds the subject already decoded.
			return truth(n.n.in(m.cached.Envelope.Subject))
		}
		return truth(fieldMatches(m.cached.Headers, n.field, n.n))
	}
	if lvl < costFile {
		return maybe
	}
	return truth(fieldMatches(m.header(), n.field, n.n))
}

func (n *node) evalText(m *message, lvl cost) tri {
	if n.excluded(m.c.UID) {
		return no
	}
	if lvl < costCache {
		return maybe
	}
	if n.n == "" {
		return yes
	}
	if lvl < costFile {
		if n.n.inFolded(headerText(m.cached.Headers)) {
			return yes
		}
		return maybe
	}
	return truth(n.n.inFolded(m.headerText()) || m.bodyHas(n.n))
}
