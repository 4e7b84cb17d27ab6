package sieve

import (
	"strings"
)

// test is a compiled test.
type test interface {
	eval(st *state) (bool, error)
	position() Pos
}

func (st *state) eval(t test) (bool, error) {
	if err := st.step(t.position()); err != nil {
		return false, err
	}
	return t.eval(st)
}

type testCompiler func(c *compiler, n *testNode) (test, *Error)

func lookupTest(name string) (ext string, compile testCompiler, ok bool) {
	switch name {
	case "true", "false":
		return "", compileConst, true
	case "not":
		return "", compileNot, true
	case "allof", "anyof":
		return "", compileAllAny, true
	case "exists":
		return "", compileExists, true
	case "size":
		return "", compileSize, true
	case "header":
		return "", compileHeader, true
	case "address":
		return "", compileAddress, true
	case "envelope":
		return "envelope", compileEnvelope, true
	case "body":
		return "body", compileBody, true
	case "string":
		return "variables", compileString, true
	case "hasflag":
		return "imap4flags", compileHasflag, true
	case "date":
		return "date", compileDate, true
	case "currentdate":
		return "date", compileCurrentDate, true
	case "mailboxexists":
		return "mailbox", compileMailboxExists, true
	case "duplicate":
		return "duplicate", compileDuplicate, true
	case "valid_notify_method":
		return "enotify", compileValidNotifyMethod, true
	case "notify_method_capability":
		return "enotify", compileNotifyCapability, true
	}
	return "", nil, false
}

func (c *compiler) test(n *testNode) (test, *Error) {
	ext, compile, ok := lookupTest(n.name)
	if !ok {
		return nil, errAt(n.pos, "unknown test %q", n.name)
	}
	if ext != "" && !c.required[ext] {
		return nil, errAt(n.pos, "%s requires extension %q", n.name, ext)
	}
	if n.name != "not" && n.name != "allof" && n.name != "anyof" && len(n.tests) > 0 {
		return nil, errAt(n.tests[0].pos, "%s does not take a test", n.name)
	}
	return compile(c, n)
}

type constTest struct {
	at
	v bool
}

func (t constTest) eval(*state) (bool, error) { return t.v, nil }

func compileConst(c *compiler, n *testNode) (test, *Error) {
	if len(n.args) > 0 {
		return nil, errAt(n.args[0].pos, "%s takes no arguments", n.name)
	}
	return constTest{at{n.pos}, n.name == "true"}, nil
}

type notTest struct {
	at
	t test
}

func (t notTest) eval(st *state) (bool, error) {
	ok, err := st.eval(t.t)
	return !ok, err
}

func compileNot(c *compiler, n *testNode) (test, *Error) {
	if len(n.args) > 0 {
		return nil, errAt(n.args[0].pos, "not takes a test, not arguments")
	}
	if len(n.tests) != 1 || n.testList {
		return nil, errAt(n.pos, "not needs exactly one test")
	}
	t, err := c.test(n.tests[0])
	if err != nil {
		return nil, err
	}
	return notTest{at{n.pos}, t}, nil
}

type allAnyTest struct {
	at
	all   bool
	tests []test
}

// eval short-circuits, as RFC 5228 §5.2/§5.3 allow.
func (t *allAnyTest) eval(st *state) (bool, error) {
	for _, sub := range t.tests {
		ok, err := st.eval(sub)
		if err != nil {
			return false, err
		}
		if ok != t.all {
			return ok, nil
		}
	}
	return t.all, nil
}

func compileAllAny(c *compiler, n *testNode) (test, *Error) {
	if len(n.args) > 0 {
		return nil, errAt(n.args[0].pos, "%s takes a test list, not arguments", n.name)
	}
	if !n.testList {
		return nil, errAt(n.pos, "%s needs a test list in parentheses", n.name)
	}
	t := &allAnyTest{at: at{n.pos}, all: n.name == "allof"}
	for _, sub := range n.tests {
		ct, err := c.test(sub)
		if err != nil {
			return nil, err
		}
		t.tests = append(t.tests, ct)
	}
	return t, nil
}

// headerNames converts a header-name list, rejecting invalid constant names.
func (c *compiler) headerNames(lits []stringLit) ([]str, *Error) {
	out, err := c.strList(lits)
	if err != nil {
		return nil, err
	}
	for i, s := range out {
		if !s.vars && !validFieldName(s.s) {
			return nil, errAt(lits[i].pos, "invalid header name %q", s.s)
		}
	}
	return out, nil
}

type existsTest struct {
	at
	names []str
}

func compileExists(c *compiler, n *testNode) (test, *Error) {
	a, err := c.readArgs("exists", n.args)
	if err != nil {
		return nil, err
	}
	if err := wantPositional("exists", n.pos, a, argStrings); err != nil {
		return nil, err
	}
	t := &existsTest{at: at{n.pos}}
	if t.names, err = c.headerNames(a.pos[0].strs); err != nil {
		return nil, err
	}
	return t, nil
}

func (t *existsTest) eval(st *state) (bool, error) {
	for _, n := range st.expandList(t.names) {
		if len(st.hdr.values(n)) == 0 {
			return false, nil
		}
	}
	return true, nil
}

type sizeTest struct {
	at
	over  bool
	limit int64
}

var sizeTags = map[string]tagSpec{":over": {group: "size"}, ":under": {group: "size"}}

func compileSize(c *compiler, n *testNode) (test, *Error) {
	a, err := c.readArgs("size", n.args, sizeTags)
	if err != nil {
		return nil, err
	}
	if a.group["size"] == "" {
		return nil, errAt(n.pos, "size needs :over or :under")
	}
	if err := wantPositional("size", n.pos, a, argNumber); err != nil {
		return nil, err
	}
	return &sizeTest{at: at{n.pos}, over: a.group["size"] == ":over", limit: a.pos[0].num}, nil
}

func (t *sizeTest) eval(st *state) (bool, error) {
	if t.over {
		return st.msg.Size() > t.limit, nil
	}
	return st.msg.Size() < t.limit, nil
}

// headerTest is "header" (RFC 5228 §5.7) with RFC 5260 :index.
type headerTest struct {
	at
	names []str
	index int
	last  bool
	m     *matcher
}

func (c *compiler) index(a *args) (int, bool, *Error) {
	t, ok := a.tags[":index"]
	if !ok {
		if l, last := a.tags[":last"]; last {
			return 0, false, errAt(l.pos, ":last requires :index")
		}
		return 0, false, nil
	}
	if t.num < 1 {
		return 0, false, errAt(t.pos, ":index must be at least 1")
	}
	return int(t.num), a.has(":last"), nil
}

func compileHeader(c *compiler, n *testNode) (test, *Error) {
	a, err := c.readArgs("header", n.args, comparatorTags, matchTypeTags, indexTags)
	if err != nil {
		return nil, err
	}
	if err := wantPositional("header", n.pos, a, argStrings, argStrings); err != nil {
		return nil, err
	}
	t := &headerTest{at: at{n.pos}}
	if t.index, t.last, err = c.index(a); err != nil {
		return nil, err
	}
	if t.names, err = c.headerNames(a.pos[0].strs); err != nil {
		return nil, err
	}
	if t.m, err = c.compileMatcher(a, a.pos[1].strs); err != nil {
		return nil, err
	}
	return t, nil
}

func (t *headerTest) eval(st *state) (bool, error) {
	var vals []string
	for _, n := range st.expandList(t.names) {
		for _, v := range selectIndex(st.hdr.values(n), t.index, t.last) {
			vals = append(vals, decodeHeader(v))
		}
	}
	return st.match(t.m, vals)
}

// addressTest is "address" (RFC 5228 §5.1).
type addressTest struct {
	at
	names []str
	part  string
	index int
	last  bool
	m     *matcher
}

func compileAddress(c *compiler, n *testNode) (test, *Error) {
	a, err := c.readArgs("address", n.args, comparatorTags, matchTypeTags, addressPartTags, indexTags)
	if err != nil {
		return nil, err
	}
	if err := wantPositional("address", n.pos, a, argStrings, argStrings); err != nil {
		return nil, err
	}
	t := &addressTest{at: at{n.pos}, part: a.group["part"]}
	if t.index, t.last, err = c.index(a); err != nil {
		return nil, err
	}
	if t.names, err = c.headerNames(a.pos[0].strs); err != nil {
		return nil, err
	}
	if t.m, err = c.compileMatcher(a, a.pos[1].strs); err != nil {
		return nil, err
	}
	return t, nil
}

func addressValues(addrs []string, part string) []string {
	var out []string
	for _, addr := range addrs {
		if v, ok := addressPart(addr, part); ok {
			out = append(out, v)
		}
	}
	return out
}

func (t *addressTest) eval(st *state) (bool, error) {
	var vals []string
	for _, n := range st.expandList(t.names) {
		for _, v := range selectIndex(st.hdr.values(n), t.index, t.last) {
			vals = append(vals, addressValues(parseAddresses(v), t.part)...)
		}
	}
	return st.match(t.m, vals)
}

// envelopeTest is "envelope" (RFC 5228 §5.4).
type envelopeTest struct {
	at
	parts []str
	part  string
	m     *matcher
}

func compileEnvelope(c *compiler, n *testNode) (test, *Error) {
	a, err := c.readArgs("envelope", n.args, comparatorTags, matchTypeTags, addressPartTags)
	if err != nil {
		return nil, err
	}
	if err := wantPositional("envelope", n.pos, a, argStrings, argStrings); err != nil {
		return nil, err
	}
	t := &envelopeTest{at: at{n.pos}, part: a.group["part"]}
	if t.parts, err = c.strList(a.pos[0].strs); err != nil {
		return nil, err
	}
	for i, p := range t.parts {
		if !p.vars && envelopePart(Envelope{}, p.s) == nil {
			return nil, errAt(a.pos[0].strs[i].pos, "unknown envelope part %q", p.s)
		}
	}
	if t.m, err = c.compileMatcher(a, a.pos[1].strs); err != nil {
		return nil, err
	}
	return t, nil
}

// envelopePart returns the addresses of a part; nil for unknown parts.
// The null reverse-path is the empty string (RFC 5228 §5.4).
func envelopePart(e Envelope, part string) []string {
	switch strings.ToLower(part) {
	case "from":
		return []string{e.From}
	case "to":
		return []string{e.To}
	case "auth":
		return []string{e.Auth}
	}
	return nil
}

func (t *envelopeTest) eval(st *state) (bool, error) {
	var vals []string
	for _, p := range st.expandList(t.parts) {
		for _, addr := range envelopePart(st.env.Envelope, p) {
			addr = strings.Trim(addr, "<>")
			if addr == "" {
				if t.part == "" || t.part == ":all" {
					vals = append(vals, "")
				}
				continue
			}
			vals = append(vals, addressValues([]string{addr}, t.part)...)
		}
	}
	return st.match(t.m, vals)
}

// stringTest is RFC 5229 "string"; :count counts non-empty strings.
type stringTest struct {
	at
	source []str
	m      *matcher
}

func compileString(c *compiler, n *testNode) (test, *Error) {
	a, err := c.readArgs("string", n.args, comparatorTags, matchTypeTags)
	if err != nil {
		return nil, err
	}
	if err := wantPositional("string", n.pos, a, argStrings, argStrings); err != nil {
		return nil, err
	}
	t := &stringTest{at: at{n.pos}}
	if t.source, err = c.strList(a.pos[0].strs); err != nil {
		return nil, err
	}
	if t.m, err = c.compileMatcher(a, a.pos[1].strs); err != nil {
		return nil, err
	}
	return t, nil
}

func (t *stringTest) eval(st *state) (bool, error) {
	vals := st.expandList(t.source)
	if t.m.typ == mtCount {
		nonEmpty := vals[:0]
		for _, v := range vals {
			if v != "" {
				nonEmpty = append(nonEmpty, v)
			}
		}
		vals = nonEmpty
	}
	return st.match(t.m, vals)
}

// mailboxExistsTest is RFC 5490 mailboxexists: true when all exist.
type mailboxExistsTest struct {
	at
	names []str
}

func compileMailboxExists(c *compiler, n *testNode) (test, *Error) {
	a, err := c.readArgs("mailboxexists", n.args)
	if err != nil {
		return nil, err
	}
	if err := wantPositional("mailboxexists", n.pos, a, argStrings); err != nil {
		return nil, err
	}
	t := &mailboxExistsTest{at: at{n.pos}}
	if t.names, err = c.strList(a.pos[0].strs); err != nil {
		return nil, err
	}
	return t, nil
}

func (t *mailboxExistsTest) eval(st *state) (bool, error) {
	if st.env.MailboxExists == nil {
		return false, nil
	}
	for _, n := range st.expandList(t.names) {
		if !st.env.MailboxExists(n) {
			return false, nil
		}
	}
	return true, nil
}
