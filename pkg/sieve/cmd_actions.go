package sieve

import (
	"strings"
	"unicode/utf8"
)

type keepCmd struct {
	at
	flags    []str
	hasFlags bool
}

var flagsTag = map[string]tagSpec{":flags": {param: listParam, ext: "imap4flags"}}

func compileKeep(c *compiler, n *commandNode) (cmd, *Error) {
	a, err := c.readArgs("keep", n.args, flagsTag)
	if err != nil {
		return nil, err
	}
	if err := wantPositional("keep", n.pos, a); err != nil {
		return nil, err
	}
	k := &keepCmd{at: at{n.pos}}
	if t, ok := a.tags[":flags"]; ok {
		if k.flags, err = c.strList(t.strs); err != nil {
			return nil, err
		}
		k.hasFlags = true
	}
	return k, nil
}

// actionFlags is the flag list of keep/fileinto: :flags when given, else
// the internal variable (RFC 5232 §5).
func (st *state) actionFlags(list []str, has bool) []string {
	if has {
		return normalizeFlags(st.expandList(list))
	}
	return cloneFlags(st.flags)
}

func (c *keepCmd) exec(st *state) error {
	return st.addAction(c.pos, Action{Kind: Keep, Flags: st.actionFlags(c.flags, c.hasFlags)})
}

type discardCmd struct{ at }

func compileDiscard(c *compiler, n *commandNode) (cmd, *Error) {
	if len(n.args) > 0 {
		return nil, errAt(n.args[0].pos, "discard takes no arguments")
	}
	return discardCmd{at{n.pos}}, nil
}

func (discardCmd) exec(st *state) error {
	st.discarded = true
	st.implicitKeep = false
	return nil
}

type fileintoCmd struct {
	at
	mailbox  str
	copy     bool
	create   bool
	flags    []str
	hasFlags bool
}

var fileintoTags = map[string]tagSpec{
	":copy":   {ext: "copy"},
	":create": {ext: "mailbox"},
	":flags":  {param: listParam, ext: "imap4flags"},
}

func compileFileinto(c *compiler, n *commandNode) (cmd, *Error) {
	a, err := c.readArgs("fileinto", n.args, fileintoTags)
	if err != nil {
		return nil, err
	}
	if err := wantPositional("fileinto", n.pos, a, argString); err != nil {
		return nil, err
	}
	f := &fileintoCmd{at: at{n.pos}, copy: a.has(":copy"), create: a.has(":create")}
	lit := a.pos[0].strs[0]
	if f.mailbox, err = c.str(lit); err != nil {
		return nil, err
	}
	if !f.mailbox.vars {
		if err := checkMailboxName(f.mailbox.s); err != "" {
			return nil, errAt(lit.pos, "%s", err)
		}
	}
	if t, ok := a.tags[":flags"]; ok {
		if f.flags, err = c.strList(t.strs); err != nil {
			return nil, err
		}
		f.hasFlags = true
	}
	return f, nil
}

// checkMailboxName rejects names no mailbox can have; the delivery agent
// applies the namespace and rights.
func checkMailboxName(name string) string {
	switch {
	case name == "":
		return "empty mailbox name"
	case !utf8.ValidString(name):
		return "mailbox name is not valid UTF-8"
	case strings.ContainsAny(name, "\x00\r\n"):
		return "mailbox name contains control characters"
	}
	return ""
}

func (c *fileintoCmd) exec(st *state) error {
	name := st.expand(c.mailbox)
	if msg := checkMailboxName(name); msg != "" {
		return st.fail(c.pos, "fileinto %q: %s", name, msg)
	}
	return st.addAction(c.pos, Action{Kind: FileInto, Mailbox: name, Copy: c.copy, Create: c.create,
		Flags: st.actionFlags(c.flags, c.hasFlags)})
}

type redirectCmd struct {
	at
	address str
	copy    bool
}

var redirectTags = map[string]tagSpec{":copy": {ext: "copy"}}

func compileRedirect(c *compiler, n *commandNode) (cmd, *Error) {
	a, err := c.readArgs("redirect", n.args, redirectTags)
	if err != nil {
		return nil, err
	}
	if err := wantPositional("redirect", n.pos, a, argString); err != nil {
		return nil, err
	}
	r := &redirectCmd{at: at{n.pos}, copy: a.has(":copy")}
	lit := a.pos[0].strs[0]
	if r.address, err = c.str(lit); err != nil {
		return nil, err
	}
	if !r.address.vars {
		if _, ok := validRedirectAddress(r.address.s); !ok {
			return nil, errAt(lit.pos, "invalid redirect address %q", r.address.s)
		}
	}
	return r, nil
}

func (c *redirectCmd) exec(st *state) error {
	raw := st.expand(c.address)
	addr, ok := validRedirectAddress(raw)
	if !ok {
		return st.fail(c.pos, "invalid redirect address %q", raw)
	}
	return st.addAction(c.pos, Action{Kind: Redirect, Address: addr, Copy: c.copy})
}

type rejectCmd struct {
	at
	kind   ActionKind
	reason str
}

func compileReject(c *compiler, n *commandNode) (cmd, *Error) {
	a, err := c.readArgs(n.name, n.args)
	if err != nil {
		return nil, err
	}
	if err := wantPositional(n.name, n.pos, a, argString); err != nil {
		return nil, err
	}
	r := &rejectCmd{at: at{n.pos}, kind: Reject}
	if n.name == "ereject" {
		r.kind = EReject
	}
	if r.reason, err = c.str(a.pos[0].strs[0]); err != nil {
		return nil, err
	}
	return r, nil
}

func (c *rejectCmd) exec(st *state) error {
	return st.addAction(c.pos, Action{Kind: c.kind, Reason: st.expand(c.reason)})
}

// setCmd is RFC 5229 "set" with its modifiers sorted by precedence.
type setCmd struct {
	at
	name      string
	value     str
	modifiers []string
}

func compileSet(c *compiler, n *commandNode) (cmd, *Error) {
	specs := map[string]tagSpec{}
	for m := range setModifiers {
		specs[m] = tagSpec{ext: modifierExtensions[m]}
	}
	a, err := c.readArgs("set", n.args, specs)
	if err != nil {
		return nil, err
	}
	if err := wantPositional("set", n.pos, a, argString, argString); err != nil {
		return nil, err
	}
	s := &setCmd{at: at{n.pos}}
	byPrecedence := map[int]string{}
	for _, m := range a.order {
		t := a.tags[m]
		p := setModifiers[m]
		if prev, dup := byPrecedence[p]; dup {
			return nil, errAt(t.pos, "%s cannot be combined with %s", m, prev)
		}
		byPrecedence[p] = m
	}
	for _, p := range []int{40, 30, 20, 15, 10} {
		if m, ok := byPrecedence[p]; ok {
			s.modifiers = append(s.modifiers, m)
		}
	}
	nameLit := a.pos[0].strs[0]
	name, err := c.constant(nameLit, "variable name")
	if err != nil {
		return nil, err
	}
	s.name = strings.ToLower(name)
	if !validVariableName(s.name) || (strings.Contains(s.name, ".") && !strings.HasPrefix(s.name, "global.")) {
		return nil, errAt(nameLit.pos, "invalid variable name %q", name)
	}
	if strings.HasPrefix(s.name, "global.") && !c.required["include"] {
		return nil, errAt(nameLit.pos, "namespace \"global\" requires extension \"include\"")
	}
	if s.value, err = c.str(a.pos[1].strs[0]); err != nil {
		return nil, err
	}
	return s, nil
}

func (c *setCmd) exec(st *state) error {
	v := st.expand(c.value)
	for _, m := range c.modifiers {
		v = applyModifier(m, v)
	}
	st.setVariable(c.name, v)
	return nil
}
