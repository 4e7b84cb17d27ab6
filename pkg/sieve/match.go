package sieve

import (
	"errors"
	"regexp"
	"strconv"
	"strings"
)

// comparator implements RFC 4790 comparators: i;octet, i;ascii-casemap
// and i;ascii-numeric.
type comparator int

const (
	cmpOctet comparator = iota
	cmpASCIICasemap
	cmpASCIINumeric
)

func parseComparator(name string) (comparator, bool) {
	switch strings.ToLower(name) {
	case "i;octet":
		return cmpOctet, true
	case "i;ascii-casemap":
		return cmpASCIICasemap, true
	case "i;ascii-numeric":
		return cmpASCIINumeric, true
	}
	return 0, false
}

func asciiLower(s string) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 'A' && c <= 'Z' {
			b := []byte(s)
			for j := i; j < len(b); j++ {
				if b[j] >= 'A' && b[j] <= 'Z' {
					b[j] += 'a' - 'A'
				}
			}
			return string(b)
		}
	}
	return s
}

func (c comparator) fold(s string) string {
	if c == cmpASCIICasemap {
		return asciiLower(s)
	}
	return s
}

// numericPrefix returns the leading digits of s without leading zeros;
// ok is false when s does not start with a digit ("positive infinity").
func numericPrefix(s string) (string, bool) {
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	if i == 0 {
		return "", false
	}
	return strings.TrimLeft(s[:i], "0"), true
}

// compare orders a and b: -1, 0, +1.
func (c comparator) compare(a, b string) int {
	if c == cmpASCIINumeric {
		na, oka := numericPrefix(a)
		nb, okb := numericPrefix(b)
		switch {
		case !oka && !okb:
			return 0
		case !oka:
			return 1
		case !okb:
			return -1
		case len(na) != len(nb):
			if len(na) < len(nb) {
				return -1
			}
			return 1
		}
		return strings.Compare(na, nb)
	}
	return strings.Compare(c.fold(a), c.fold(b))
}

type matchType int

const (
	mtIs matchType = iota
	mtContains
	mtMatches
	mtRegex
	mtValue
	mtCount
)

// relation is a RFC 5231 relational operator.
type relation string

func (r relation) holds(cmp int) bool {
	switch r {
	case "gt":
		return cmp > 0
	case "ge":
		return cmp >= 0
	case "lt":
		return cmp < 0
	case "le":
		return cmp <= 0
	case "eq":
		return cmp == 0
	case "ne":
		return cmp != 0
	}
	return false
}

// key is one key of a key list, with its pattern compiled in advance
// when it is constant.
type key struct {
	str
	re *regexp.Regexp
}

// matcher is the comparator, match type and keys of a test.
type matcher struct {
	cmp  comparator
	typ  matchType
	rel  relation
	keys []key
}

// compileMatcher builds a matcher from the :comparator and match-type
// tags and the key list.
func (c *compiler) compileMatcher(a *args, keys []stringLit) (*matcher, *Error) {
	m := &matcher{cmp: cmpASCIICasemap}
	if t, ok := a.tags[":comparator"]; ok {
		name, err := c.constant(t.strs[0], "comparator name")
		if err != nil {
			return nil, err
		}
		cmp, known := parseComparator(name)
		if !known {
			return nil, errAt(t.strs[0].pos, "unknown comparator %q", name)
		}
		if !c.required["comparator-"+strings.ToLower(name)] {
			return nil, errAt(t.strs[0].pos, "comparator %q must be required", name)
		}
		m.cmp = cmp
	}
	switch tag := a.group["match"]; tag {
	case "", ":is":
		m.typ = mtIs
	case ":contains":
		m.typ = mtContains
	case ":matches":
		m.typ = mtMatches
	case ":regex":
		m.typ = mtRegex
	case ":value", ":count":
		m.typ = mtValue
		if tag == ":count" {
			m.typ = mtCount
		}
		lit := a.tags[tag].strs[0]
		op, err := c.constant(lit, "relational operator")
		if err != nil {
			return nil, err
		}
		m.rel = relation(strings.ToLower(op))
		switch m.rel {
		case "gt", "ge", "lt", "le", "eq", "ne":
		default:
			return nil, errAt(lit.pos, "unknown relational operator %q", op)
		}
	}
	if m.cmp == cmpASCIINumeric && (m.typ == mtContains || m.typ == mtMatches || m.typ == mtRegex) {
		return nil, errAt(a.tags[a.group["match"]].pos, "comparator i;ascii-numeric does not support %s", a.group["match"])
	}
	for _, lit := range keys {
		s, err := c.str(lit)
		if err != nil {
			return nil, err
		}
		k := key{str: s}
		if !s.vars && (m.typ == mtMatches || m.typ == mtRegex) {
			re, rerr := compilePattern(m.typ, m.cmp, s.s)
			if rerr != nil {
				return nil, errAt(lit.pos, "%v", rerr)
			}
			k.re = re
		}
		m.keys = append(m.keys, k)
	}
	return m, nil
}

// compilePattern turns a :matches glob or a :regex pattern into a Go
// regexp. Globs are matched against case-folded values (see
// globToRegexp); regexes get (?i) under i;ascii-casemap and POSIX
// leftmost-longest semantics.
func compilePattern(typ matchType, cmp comparator, pattern string) (*regexp.Regexp, error) {
	if len(pattern) > maxRegexLen {
		return nil, errPatternTooLong
	}
	if typ == mtMatches {
		return regexp.Compile(globToRegexp(cmp.fold(pattern)))
	}
	prefix := "(?s)"
	if cmp == cmpASCIICasemap {
		prefix = "(?is)"
	}
	re, err := regexp.Compile(prefix + pattern)
	if err != nil {
		return nil, err
	}
	re.Longest()
	return re, nil
}

var errPatternTooLong = errors.New("pattern too long")

// globToRegexp translates a :matches pattern: "*" and "?" become
// capturing groups (the leftmost "*" matching as little as possible, as
// RFC 5229 §3.2 illustrates), "\" quotes the next character.
func globToRegexp(p string) string {
	var b strings.Builder
	b.WriteString("(?s)^")
	escaped := false
	for _, r := range p {
		switch {
		case escaped:
			b.WriteString(regexp.QuoteMeta(string(r)))
			escaped = false
		case r == '\\':
			escaped = true
		case r == '*':
			b.WriteString("(.*?)")
		case r == '?':
			b.WriteString("(.)")
		default:
			b.WriteString(regexp.QuoteMeta(string(r)))
		}
	}
	b.WriteString("$")
	return b.String()
}

// match reports whether any value matches any key. Successful :matches and
// :regex matches set the match variables.
func (st *state) match(m *matcher, values []string) (bool, error) {
	if m.typ == mtCount {
		n := strconv.Itoa(len(values))
		for _, k := range m.keys {
			if m.rel.holds(m.cmp.compare(n, st.expand(k.str))) {
				return true, nil
			}
		}
		return false, nil
	}
	keys := make([]string, len(m.keys))
	for i, k := range m.keys {
		keys[i] = st.expand(k.str)
	}
	for _, v := range values {
		for i, k := range m.keys {
			ok, err := st.matchOne(m, k, keys[i], v)
			if err != nil || ok {
				return ok, err
			}
		}
	}
	return false, nil
}

func (st *state) matchOne(m *matcher, k key, keyVal, v string) (bool, error) {
	switch m.typ {
	case mtIs:
		return m.cmp.compare(v, keyVal) == 0, nil
	case mtContains:
		return strings.Contains(m.cmp.fold(v), m.cmp.fold(keyVal)), nil
	case mtValue:
		return m.rel.holds(m.cmp.compare(v, keyVal)), nil
	}
	re := k.re
	if re == nil {
		var err error
		if re, err = st.pattern(m, keyVal); err != nil {
			st.note("invalid pattern %q: %v", keyVal, err)
			return false, nil
		}
	}
	subject := v
	if m.typ == mtMatches {
		subject = m.cmp.fold(v)
	}
	loc := re.FindStringSubmatchIndex(subject)
	if loc == nil {
		return false, nil
	}
	if st.scope.usesMatchVars {
		groups := make([]string, 0, len(loc)/2)
		for i := 0; i+1 < len(loc) && i/2 < maxMatchVars; i += 2 {
			if loc[i] < 0 {
				groups = append(groups, "")
				continue
			}
			groups = append(groups, v[loc[i]:loc[i+1]])
		}
		st.scope.match = groups
	}
	return true, nil
}

// maxMatchVars bounds ${0}..${N}.
const maxMatchVars = 100

// pattern compiles a run-time pattern, caching it for this run.
func (st *state) pattern(m *matcher, p string) (*regexp.Regexp, error) {
	ck := patternKey{typ: m.typ, cmp: m.cmp, p: p}
	if re, ok := st.patterns[ck]; ok {
		return re, nil
	}
	re, err := compilePattern(m.typ, m.cmp, p)
	if err != nil {
		return nil, err
	}
	if st.patterns == nil {
		st.patterns = map[patternKey]*regexp.Regexp{}
	}
	st.patterns[ck] = re
	return re, nil
}

type patternKey struct {
	typ matchType
	cmp comparator
	p   string
}
