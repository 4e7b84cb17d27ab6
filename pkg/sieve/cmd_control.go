package sieve

import "strings"

// cmd is a compiled command; exec returns errStop/errReturn for control
// flow, a *RuntimeError on failure.
type cmd interface {
	exec(st *state) error
	position() Pos
}

type block []cmd

type at struct{ pos Pos }

func (a at) position() Pos { return a.pos }

type ifCmd struct {
	at
	conds     []test
	blocks    []block
	elseBlock block
	hasElse   bool
}

func (c *ifCmd) exec(st *state) error {
	for i, t := range c.conds {
		ok, err := st.eval(t)
		if err != nil {
			return err
		}
		if ok {
			return st.exec(c.blocks[i])
		}
	}
	if c.hasElse {
		return st.exec(c.elseBlock)
	}
	return nil
}

type stopCmd struct{ at }

func (stopCmd) exec(*state) error { return errStop }

func compileStop(c *compiler, n *commandNode) (cmd, *Error) {
	if len(n.args) > 0 {
		return nil, errAt(n.args[0].pos, "stop takes no arguments")
	}
	return stopCmd{at{n.pos}}, nil
}

type returnCmd struct{ at }

func (returnCmd) exec(*state) error { return errReturn }

func compileReturn(c *compiler, n *commandNode) (cmd, *Error) {
	if len(n.args) > 0 {
		return nil, errAt(n.args[0].pos, "return takes no arguments")
	}
	return returnCmd{at{n.pos}}, nil
}

type includeCmd struct {
	at
	target   *includeTarget
	once     bool
	optional bool
}

var includeTags = map[string]tagSpec{
	":personal": {group: "location"},
	":global":   {group: "location"},
	":once":     {},
	":optional": {},
}

func compileInclude(c *compiler, n *commandNode) (cmd, *Error) {
	a, err := c.readArgs("include", n.args, includeTags)
	if err != nil {
		return nil, err
	}
	if err := wantPositional("include", n.pos, a, argString); err != nil {
		return nil, err
	}
	lit := a.pos[0].strs[0]
	name, err := c.constant(lit, "included script name")
	if err != nil {
		return nil, err
	}
	if name == "" || strings.ContainsAny(name, "/\x00") {
		return nil, errAt(lit.pos, "invalid script name %q", name)
	}
	t, err := c.loadInclude(lit.pos, includeKey{name: name, global: a.group["location"] == ":global"})
	if err != nil {
		return nil, err
	}
	return &includeCmd{at: at{n.pos}, target: t, once: a.has(":once"), optional: a.has(":optional")}, nil
}

func (c *includeCmd) exec(st *state) error {
	t := c.target
	if t.err != "" {
		if c.optional && t.notFound {
			return nil
		}
		return st.fail(c.pos, "%s", t.err)
	}
	if c.once && st.once[t.key] {
		return nil
	}
	st.once[t.key] = true
	err := st.runProgram(t.prog)
	if err == errReturn {
		return nil
	}
	return err
}

type globalCmd struct {
	at
	names []string
}

func compileGlobal(c *compiler, n *commandNode) (cmd, *Error) {
	if !c.required["variables"] {
		return nil, errAt(n.pos, "global requires extension \"variables\"")
	}
	a, err := c.readArgs("global", n.args)
	if err != nil {
		return nil, err
	}
	if err := wantPositional("global", n.pos, a, argStrings); err != nil {
		return nil, err
	}
	g := &globalCmd{at: at{n.pos}}
	for _, lit := range a.pos[0].strs {
		name, err := c.constant(lit, "variable name")
		if err != nil {
			return nil, err
		}
		name = strings.ToLower(name)
		if !isIdentifier(name) {
			return nil, errAt(lit.pos, "invalid variable name %q", name)
		}
		g.names = append(g.names, name)
	}
	return g, nil
}

func (c *globalCmd) exec(st *state) error {
	for _, n := range c.names {
		st.scope.globalNames[n] = true
	}
	return nil
}
