package sieve

import (
	"mime"
	"strings"
	"unicode/utf8"
)

// protectedField reports fields editheader must leave alone (RFC 5293
// §6: trace and auto-reply loop protection).
func protectedField(name string) bool {
	n := strings.ToLower(name)
	return n == "received" || n == "auto-submitted"
}

type addHeaderCmd struct {
	at
	name, value str
	last        bool
}

var addHeaderTags = map[string]tagSpec{":last": {}}

func compileAddHeader(c *compiler, n *commandNode) (cmd, *Error) {
	a, err := c.readArgs("addheader", n.args, addHeaderTags)
	if err != nil {
		return nil, err
	}
	if err := wantPositional("addheader", n.pos, a, argString, argString); err != nil {
		return nil, err
	}
	h := &addHeaderCmd{at: at{n.pos}, last: a.has(":last")}
	names, err := c.headerNames(a.pos[0].strs)
	if err != nil {
		return nil, err
	}
	h.name = names[0]
	if h.value, err = c.str(a.pos[1].strs[0]); err != nil {
		return nil, err
	}
	if !h.value.vars && !utf8.ValidString(h.value.s) {
		return nil, errAt(a.pos[1].pos, "header value is not valid UTF-8")
	}
	return h, nil
}

// encodeFieldValue makes a value safe to store: line breaks become
// spaces and non-ASCII text is RFC 2047 encoded.
func encodeFieldValue(v string) string {
	v = strings.NewReplacer("\r\n", " ", "\n", " ", "\r", " ").Replace(v)
	for i := 0; i < len(v); i++ {
		if v[i] >= 0x80 {
			return mime.QEncoding.Encode("utf-8", strings.ToValidUTF8(v, "\uFFFD"))
		}
	}
	return v
}

func (c *addHeaderCmd) exec(st *state) error {
	name := st.expand(c.name)
	if !validFieldName(name) {
		return st.fail(c.pos, "invalid header name %q", name)
	}
	if protectedField(name) {
		st.note("addheader %s ignored: protected field", name)
		return nil
	}
	value := encodeFieldValue(st.expand(c.value))
	vals := st.hdr.values(name)
	edited := make([]string, 0, len(vals)+1)
	if c.last {
		edited = append(append(edited, vals...), value)
	} else {
		edited = append(append(edited, value), vals...)
	}
	if err := st.addAction(c.pos, Action{Kind: AddHeader, Header: name, Value: value, Last: c.last}); err != nil {
		return err
	}
	st.hdr.set(name, edited)
	return nil
}

type deleteHeaderCmd struct {
	at
	name     str
	index    int
	last     bool
	m        *matcher // nil: delete regardless of value
	patterns bool
}

func compileDeleteHeader(c *compiler, n *commandNode) (cmd, *Error) {
	a, err := c.readArgs("deleteheader", n.args, comparatorTags, matchTypeTags, indexTags)
	if err != nil {
		return nil, err
	}
	d := &deleteHeaderCmd{at: at{n.pos}}
	if d.index, d.last, err = c.index(a); err != nil {
		return nil, err
	}
	switch len(a.pos) {
	case 1, 2:
	default:
		return nil, errAt(n.pos, "deleteheader needs a field name and optional value patterns")
	}
	if err := checkKind("deleteheader", a.pos[0], argString); err != nil {
		return nil, err
	}
	names, err := c.headerNames(a.pos[0].strs)
	if err != nil {
		return nil, err
	}
	d.name = names[0]
	var keys []stringLit
	if len(a.pos) == 2 {
		if err := checkKind("deleteheader", a.pos[1], argStrings); err != nil {
			return nil, err
		}
		keys = a.pos[1].strs
		d.patterns = true
	} else if a.group["match"] != "" {
		return nil, errAt(a.tags[a.group["match"]].pos, "a match type needs value patterns")
	}
	if d.m, err = c.compileMatcher(a, keys); err != nil {
		return nil, err
	}
	if d.m.typ == mtCount {
		return nil, errAt(a.tags[":count"].pos, "deleteheader does not support :count")
	}
	return d, nil
}

func (c *deleteHeaderCmd) exec(st *state) error {
	name := st.expand(c.name)
	if !validFieldName(name) {
		return st.fail(c.pos, "invalid header name %q", name)
	}
	if protectedField(name) {
		st.note("deleteheader %s ignored: protected field", name)
		return nil
	}
	vals := st.hdr.values(name)
	target := -1 // position selected by :index, or -1 for all
	if c.index > 0 {
		if c.index > len(vals) {
			return nil
		}
		target = c.index - 1
		if c.last {
			target = len(vals) - c.index
		}
	}
	kept := make([]string, 0, len(vals))
	for i, v := range vals {
		del := target < 0 || i == target
		if del && c.patterns {
			ok, err := st.match(c.m, []string{decodeHeader(v)})
			if err != nil {
				return err
			}
			del = ok
		}
		if !del {
			kept = append(kept, v)
			continue
		}
		// Index counts from the top of the header as edited so far.
		if err := st.addAction(c.pos, Action{Kind: DeleteHeader, Header: name, Value: v, Index: len(kept) + 1}); err != nil {
			return err
		}
	}
	st.hdr.set(name, kept)
	return nil
}
