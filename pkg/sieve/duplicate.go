package sieve

import (
	"gocyrus/pkg/msgheader"
)

// duplicateTest is RFC 7352 "duplicate".
type duplicateTest struct {
	at
	handle    str
	header    str
	uniqueID  str
	hasUnique bool
	seconds   int64
	last      bool
}

const defaultDuplicateSeconds = 7 * 86400

var duplicateTags = map[string]tagSpec{
	":handle":   {param: strParam},
	":header":   {group: "id", param: strParam},
	":uniqueid": {group: "id", param: strParam},
	":seconds":  {param: numParam},
	":last":     {},
}

func compileDuplicate(c *compiler, n *testNode) (test, *Error) {
	a, err := c.readArgs("duplicate", n.args, duplicateTags)
	if err != nil {
		return nil, err
	}
	if err := wantPositional("duplicate", n.pos, a); err != nil {
		return nil, err
	}
	t := &duplicateTest{at: at{n.pos}, header: str{s: "Message-ID"}, seconds: defaultDuplicateSeconds, last: a.has(":last")}
	if h, ok := a.tags[":handle"]; ok {
		if t.handle, err = c.str(h.strs[0]); err != nil {
			return nil, err
		}
	}
	if h, ok := a.tags[":header"]; ok {
		names, err := c.headerNames(h.strs)
		if err != nil {
			return nil, err
		}
		t.header = names[0]
	}
	if u, ok := a.tags[":uniqueid"]; ok {
		if t.uniqueID, err = c.str(u.strs[0]); err != nil {
			return nil, err
		}
		t.hasUnique = true
	}
	if s, ok := a.tags[":seconds"]; ok {
		t.seconds = s.num
	}
	return t, nil
}

// DuplicateID is the key Run passes to Env.Duplicate for a duplicate test.
func DuplicateID(handle, uniqueID string) string {
	return "duplicate:" + handle + ":" + uniqueID
}

func (t *duplicateTest) eval(st *state) (bool, error) {
	var id string
	if t.hasUnique {
		id = st.expand(t.uniqueID)
	} else {
		vals := st.hdr.values(st.expand(t.header))
		if len(vals) == 0 {
			return false, nil
		}
		id = msgheader.Unfold(vals[0])
	}
	check := st.env.Duplicate
	if t.last && st.env.DuplicateLast != nil {
		check = st.env.DuplicateLast
	}
	if check == nil {
		return false, nil
	}
	return check(DuplicateID(st.expand(t.handle), id), t.seconds), nil
}
