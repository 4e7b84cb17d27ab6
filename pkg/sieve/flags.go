package sieve

import "strings"

// normalizeFlags splits flag strings on white space and removes
// duplicates case-insensitively (RFC 5232 §3), keeping first spellings.
func normalizeFlags(in []string) []string {
	var out []string
	seen := map[string]bool{}
	for _, s := range in {
		for _, f := range strings.Fields(s) {
			k := strings.ToLower(f)
			if !seen[k] {
				seen[k] = true
				out = append(out, f)
			}
		}
	}
	return out
}

func mergeFlags(a, b []string) []string {
	return normalizeFlags(append(append([]string(nil), a...), b...))
}

func removeFlags(have, drop []string) []string {
	gone := map[string]bool{}
	for _, f := range drop {
		gone[strings.ToLower(f)] = true
	}
	var out []string
	for _, f := range have {
		if !gone[strings.ToLower(f)] {
			out = append(out, f)
		}
	}
	return out
}

// flagCmd is setflag/addflag/removeflag on the internal variable or on a
// named variable.
type flagCmd struct {
	at
	op       string
	variable string // "" = internal variable
	flags    []str
}

func compileFlagAction(c *compiler, n *commandNode) (cmd, *Error) {
	a, err := c.readArgs(n.name, n.args)
	if err != nil {
		return nil, err
	}
	f := &flagCmd{at: at{n.pos}, op: n.name}
	switch len(a.pos) {
	case 2:
		if err := checkKind(n.name, a.pos[0], argString); err != nil {
			return nil, err
		}
		if f.variable, err = c.flagVariable(a.pos[0].strs[0]); err != nil {
			return nil, err
		}
		a.pos = a.pos[1:]
		fallthrough
	case 1:
		if err := checkKind(n.name, a.pos[0], argStrings); err != nil {
			return nil, err
		}
		if f.flags, err = c.strList(a.pos[0].strs); err != nil {
			return nil, err
		}
	default:
		return nil, errAt(n.pos, "%s needs a flag list and an optional variable name", n.name)
	}
	return f, nil
}

func (c *compiler) flagVariable(lit stringLit) (string, *Error) {
	if !c.required["variables"] {
		return "", errAt(lit.pos, "a flag variable requires extension \"variables\"")
	}
	name, err := c.constant(lit, "variable name")
	if err != nil {
		return "", err
	}
	name = strings.ToLower(name)
	if !validVariableName(name) {
		return "", errAt(lit.pos, "invalid variable name %q", name)
	}
	return name, nil
}

func (c *flagCmd) exec(st *state) error {
	cur := st.flags
	if c.variable != "" {
		v, _ := st.lookup(c.variable)
		cur = normalizeFlags([]string{v})
	}
	arg := normalizeFlags(st.expandList(c.flags))
	switch c.op {
	case "setflag":
		cur = arg
	case "addflag":
		cur = mergeFlags(cur, arg)
	case "removeflag":
		cur = removeFlags(cur, arg)
	}
	if c.variable != "" {
		st.setVariable(c.variable, strings.Join(cur, " "))
	} else {
		st.flags = cur
	}
	return nil
}

// hasflagTest is RFC 5232 hasflag.
type hasflagTest struct {
	at
	variables []string
	m         *matcher
}

func compileHasflag(c *compiler, n *testNode) (test, *Error) {
	a, err := c.readArgs("hasflag", n.args, comparatorTags, matchTypeTags)
	if err != nil {
		return nil, err
	}
	t := &hasflagTest{at: at{n.pos}}
	switch len(a.pos) {
	case 2:
		if err := checkKind("hasflag", a.pos[0], argStrings); err != nil {
			return nil, err
		}
		for _, lit := range a.pos[0].strs {
			name, err := c.flagVariable(lit)
			if err != nil {
				return nil, err
			}
			t.variables = append(t.variables, name)
		}
		a.pos = a.pos[1:]
	case 1:
	default:
		return nil, errAt(n.pos, "hasflag needs a flag list and an optional variable list")
	}
	if err := checkKind("hasflag", a.pos[0], argStrings); err != nil {
		return nil, err
	}
	if t.m, err = c.compileMatcher(a, a.pos[0].strs); err != nil {
		return nil, err
	}
	return t, nil
}

func (t *hasflagTest) eval(st *state) (bool, error) {
	flags := st.flags
	if t.variables != nil {
		var vals []string
		for _, v := range t.variables {
			s, _ := st.lookup(v)
			vals = append(vals, s)
		}
		flags = normalizeFlags(vals)
	}
	return st.match(t.m, flags)
}
