package sieve

import (
	"errors"
	"fmt"
	"io/fs"
	"strings"
)

// Options controls compilation.
type Options struct {
	// Extensions lists the extensions scripts may require
	// (sieve_extensions); nil means all implemented ones.
	Extensions []string
	// Include loads a script for "include" (RFC 6609). An error wrapping
	// fs.ErrNotExist means "no such script" (ignored by :optional). nil
	// disables the include extension.
	Include func(name string, global bool) ([]byte, error)
	// MaxSize bounds the source size in bytes; 0 means unlimited.
	MaxSize int
}

// Script is a compiled script. It is immutable and safe for concurrent
// use by any number of Run calls.
type Script struct {
	main *program
}

// program is one compiled script body (the main script or an include).
type program struct {
	name string // "" for the main script
	cmds block
	vars bool // requires variables: match variables are recorded
}

// str is a string argument; vars marks strings holding "${" that are
// expanded at run time (variables extension).
type str struct {
	s    string
	vars bool
}

const (
	maxIncludeDepth   = 16
	maxIncludeScripts = 64
	maxRegexLen       = 8192
)

type includeKey struct {
	name   string
	global bool
}

// includeTarget is an included script resolved at compile time; err is
// reported only if the include is executed (RFC 6609 §3.2).
type includeTarget struct {
	key      includeKey
	prog     *program
	err      string
	notFound bool
}

// compileShared is state shared by the main script and its includes.
type compileShared struct {
	opts     Options
	allowed  map[string]bool
	includes map[includeKey]*includeTarget
	stack    []includeKey
}

type compiler struct {
	*compileShared
	required map[string]bool
}

// Compile parses and checks src. Errors are *Error values naming the
// line and column.
func Compile(src []byte, opts Options) (*Script, error) {
	sh := &compileShared{opts: opts, allowed: extensionSet(opts), includes: map[includeKey]*includeTarget{}}
	prog, err := sh.compileProgram("", src)
	if err != nil {
		return nil, err
	}
	return &Script{main: prog}, nil
}

func (sh *compileShared) compileProgram(name string, src []byte) (*program, *Error) {
	if sh.opts.MaxSize > 0 && len(src) > sh.opts.MaxSize {
		return nil, &Error{Line: 1, Column: 1, Msg: fmt.Sprintf("script is larger than %d bytes", sh.opts.MaxSize)}
	}
	nodes, err := parse(src)
	if err != nil {
		return nil, err
	}
	c := &compiler{compileShared: sh, required: map[string]bool{}}
	for e := range alwaysAvailable {
		c.required[e] = true
	}
	i := 0
	for ; i < len(nodes) && nodes[i].name == "require"; i++ {
		if err := c.require(nodes[i]); err != nil {
			return nil, err
		}
	}
	cmds, err := c.block(nodes[i:])
	if err != nil {
		return nil, err
	}
	return &program{name: name, cmds: cmds, vars: c.required["variables"]}, nil
}

func (c *compiler) require(n *commandNode) *Error {
	if err := noTestsOrBlock(n); err != nil {
		return err
	}
	if len(n.args) != 1 || n.args[0].kind != argStrings {
		return errAt(n.pos, "require needs a string list")
	}
	for _, s := range n.args[0].strs {
		ext := strings.ToLower(s.val)
		if !c.allowed[ext] {
			return errAt(s.pos, "unsupported extension %q", s.val)
		}
		c.required[ext] = true
		if ext == "imapflags" {
			c.required["imap4flags"] = true
		}
		if ext == "vacation-seconds" {
			c.required["vacation"] = true
		}
	}
	return nil
}

func noTestsOrBlock(n *commandNode) *Error {
	if len(n.tests) > 0 {
		return errAt(n.tests[0].pos, "%s does not take a test", n.name)
	}
	if n.hasBlock {
		return errAt(n.pos, "%s does not take a block", n.name)
	}
	return nil
}

// block compiles a command sequence, chaining if/elsif/else.
func (c *compiler) block(nodes []*commandNode) (block, *Error) {
	var out block
	for i := 0; i < len(nodes); i++ {
		n := nodes[i]
		switch n.name {
		case "require":
			return nil, errAt(n.pos, "require must come before any other command")
		case "elsif", "else":
			return nil, errAt(n.pos, "%s without a preceding if", n.name)
		case "if":
			ic := &ifCmd{at: at{n.pos}}
			for {
				if err := c.ifBranch(ic, nodes[i]); err != nil {
					return nil, err
				}
				if ic.hasElse || i+1 >= len(nodes) || (nodes[i+1].name != "elsif" && nodes[i+1].name != "else") {
					break
				}
				i++
			}
			out = append(out, ic)
		default:
			cmd, err := c.command(n)
			if err != nil {
				return nil, err
			}
			out = append(out, cmd)
		}
	}
	return out, nil
}

func (c *compiler) ifBranch(ic *ifCmd, n *commandNode) *Error {
	if !n.hasBlock {
		return errAt(n.pos, "%s needs a block", n.name)
	}
	if len(n.args) > 0 {
		return errAt(n.args[0].pos, "%s takes a test, not arguments", n.name)
	}
	body, err := c.block(n.block)
	if err != nil {
		return err
	}
	if n.name == "else" {
		if len(n.tests) > 0 {
			return errAt(n.tests[0].pos, "else does not take a test")
		}
		ic.elseBlock, ic.hasElse = body, true
		return nil
	}
	if len(n.tests) != 1 || n.testList {
		return errAt(n.pos, "%s needs exactly one test", n.name)
	}
	t, err := c.test(n.tests[0])
	if err != nil {
		return err
	}
	ic.conds = append(ic.conds, t)
	ic.blocks = append(ic.blocks, body)
	return nil
}

type commandCompiler func(c *compiler, n *commandNode) (cmd, *Error)

// lookupCommand returns a command's compiler and the extension it needs.
// A switch rather than a map literal: include compiles nested scripts, so
// a map would be an initialisation cycle.
func lookupCommand(name string) (ext string, compile commandCompiler, ok bool) {
	switch name {
	case "stop":
		return "", compileStop, true
	case "keep":
		return "", compileKeep, true
	case "discard":
		return "", compileDiscard, true
	case "redirect":
		return "", compileRedirect, true
	case "fileinto":
		return "fileinto", compileFileinto, true
	case "reject", "ereject":
		return name, compileReject, true
	case "vacation":
		return "vacation", compileVacation, true
	case "setflag", "addflag", "removeflag":
		return "imap4flags", compileFlagAction, true
	case "set":
		return "variables", compileSet, true
	case "include":
		return "include", compileInclude, true
	case "return":
		return "include", compileReturn, true
	case "global":
		return "include", compileGlobal, true
	case "addheader":
		return "editheader", compileAddHeader, true
	case "deleteheader":
		return "editheader", compileDeleteHeader, true
	case "notify":
		return "enotify", compileNotify, true
	}
	return "", nil, false
}

func (c *compiler) command(n *commandNode) (cmd, *Error) {
	ext, compile, ok := lookupCommand(n.name)
	if !ok {
		return nil, errAt(n.pos, "unknown command %q", n.name)
	}
	if ext != "" && !c.required[ext] {
		return nil, errAt(n.pos, "%s requires extension %q", n.name, ext)
	}
	if err := noTestsOrBlock(n); err != nil {
		return nil, err
	}
	return compile(c, n)
}

// str converts a string literal: encoded characters are decoded when that
// extension is required, and "${" marks it for run-time expansion when
// variables is required.
func (c *compiler) str(s stringLit) (str, *Error) {
	v := s.val
	if c.required["encoded-character"] {
		d, err := decodeEncodedCharacters(v)
		if err != nil {
			return str{}, errAt(s.pos, "invalid unicode code point in encoded character")
		}
		v = d
	}
	return str{s: v, vars: c.required["variables"] && strings.Contains(v, "${")}, nil
}

func (c *compiler) strList(lits []stringLit) ([]str, *Error) {
	out := make([]str, 0, len(lits))
	for _, l := range lits {
		s, err := c.str(l)
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, nil
}

// constant returns the value of a string that must not use variables.
func (c *compiler) constant(s stringLit, what string) (string, *Error) {
	v, err := c.str(s)
	if err != nil {
		return "", err
	}
	if v.vars {
		return "", errAt(s.pos, "%s must be a constant string", what)
	}
	return v.s, nil
}

// loadInclude resolves an included script once per compilation.
func (c *compiler) loadInclude(at Pos, key includeKey) (*includeTarget, *Error) {
	for _, k := range c.stack {
		if k == key {
			return &includeTarget{key: key, err: fmt.Sprintf("include loop through %q", key.name)}, nil
		}
	}
	if t, ok := c.includes[key]; ok {
		return t, nil
	}
	if len(c.stack) >= maxIncludeDepth {
		return &includeTarget{key: key, err: "includes nested too deeply"}, nil
	}
	if len(c.includes) >= maxIncludeScripts {
		return nil, errAt(at, "too many included scripts")
	}
	t := &includeTarget{key: key}
	c.includes[key] = t
	src, err := c.opts.Include(key.name, key.global)
	if err != nil {
		t.notFound = errors.Is(err, fs.ErrNotExist)
		t.err = fmt.Sprintf("cannot load included script %q: %v", key.name, err)
		return t, nil
	}
	c.stack = append(c.stack, key)
	prog, cerr := c.compileProgram(key.name, src)
	c.stack = c.stack[:len(c.stack)-1]
	if cerr != nil {
		t.err = fmt.Sprintf("included script %q: %v", key.name, cerr)
		return t, nil
	}
	t.prog = prog
	return t, nil
}
