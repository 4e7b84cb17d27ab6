package sieve

// The parser builds a syntax tree following RFC 5228 §8.2:
//
//	commands  = *command
//	command   = identifier arguments (";" / block)
//	block     = "{" commands "}"
//	arguments = *argument [ test / test-list ]
//	argument  = string-list / number / tag
//	test      = identifier arguments
//	test-list = "(" test *("," test) ")"
//
// Meaning (which commands and tags exist) is checked by the compiler.

type argKind int

const (
	argTag argKind = iota
	argNumber
	argStrings
)

type stringLit struct {
	pos Pos
	val string
}

type argument struct {
	pos  Pos
	kind argKind
	tag  string // argTag: ":name", lower case
	num  int64  // argNumber
	strs []stringLit
	list bool // argStrings written with brackets
}

type testNode struct {
	pos      Pos
	name     string
	args     []argument
	tests    []*testNode
	testList bool // tests written in parentheses
}

type commandNode struct {
	pos      Pos
	name     string
	args     []argument
	tests    []*testNode
	testList bool
	block    []*commandNode
	hasBlock bool
}

// maxNesting bounds block and test nesting so hostile scripts cannot
// exhaust the stack.
const maxNesting = 64

type parser struct {
	lx    *lexer
	tok   token
	depth int
}

func parse(src []byte) ([]*commandNode, *Error) {
	p := &parser{lx: newLexer(src)}
	if err := p.advance(); err != nil {
		return nil, err
	}
	cmds, err := p.commands()
	if err != nil {
		return nil, err
	}
	if p.tok.kind != tokEOF {
		return nil, errAt(p.tok.pos, "unexpected %s", p.tok.kind)
	}
	return cmds, nil
}

func (p *parser) advance() *Error {
	t, err := p.lx.next()
	if err != nil {
		return err
	}
	p.tok = t
	return nil
}

func (p *parser) enter() *Error {
	p.depth++
	if p.depth > maxNesting {
		return errAt(p.tok.pos, "nesting too deep")
	}
	return nil
}

func (p *parser) commands() ([]*commandNode, *Error) {
	var cmds []*commandNode
	for p.tok.kind == tokIdent {
		c, err := p.command()
		if err != nil {
			return nil, err
		}
		cmds = append(cmds, c)
	}
	return cmds, nil
}

func (p *parser) command() (*commandNode, *Error) {
	c := &commandNode{pos: p.tok.pos, name: p.tok.text}
	if err := p.advance(); err != nil {
		return nil, err
	}
	args, tests, list, err := p.arguments()
	if err != nil {
		return nil, err
	}
	c.args, c.tests, c.testList = args, tests, list
	switch p.tok.kind {
	case tokSemicolon:
		return c, p.advance()
	case tokLBrace:
		if err := p.enter(); err != nil {
			return nil, err
		}
		if err := p.advance(); err != nil {
			return nil, err
		}
		block, err := p.commands()
		if err != nil {
			return nil, err
		}
		if p.tok.kind != tokRBrace {
			return nil, errAt(p.tok.pos, "expected \"}\" or a command, found %s", p.tok.kind)
		}
		p.depth--
		c.block, c.hasBlock = block, true
		return c, p.advance()
	}
	return nil, errAt(p.tok.pos, "expected \";\" or \"{\" after %s, found %s", c.name, p.tok.kind)
}

// arguments reads arguments followed by an optional test or test list.
func (p *parser) arguments() ([]argument, []*testNode, bool, *Error) {
	var args []argument
	for {
		switch p.tok.kind {
		case tokTag:
			args = append(args, argument{pos: p.tok.pos, kind: argTag, tag: p.tok.text})
		case tokNumber:
			args = append(args, argument{pos: p.tok.pos, kind: argNumber, num: p.tok.num})
		case tokString:
			args = append(args, argument{pos: p.tok.pos, kind: argStrings,
				strs: []stringLit{{pos: p.tok.pos, val: p.tok.text}}})
		case tokLBracket:
			a, err := p.stringList()
			if err != nil {
				return nil, nil, false, err
			}
			args = append(args, a)
			continue
		case tokIdent:
			t, err := p.test()
			if err != nil {
				return nil, nil, false, err
			}
			return args, []*testNode{t}, false, nil
		case tokLParen:
			tests, err := p.testList()
			if err != nil {
				return nil, nil, false, err
			}
			return args, tests, true, nil
		default:
			return args, nil, false, nil
		}
		if err := p.advance(); err != nil {
			return nil, nil, false, err
		}
	}
}

func (p *parser) stringList() (argument, *Error) {
	a := argument{pos: p.tok.pos, kind: argStrings, list: true}
	for {
		if err := p.advance(); err != nil {
			return a, err
		}
		if p.tok.kind != tokString {
			return a, errAt(p.tok.pos, "expected string in string list, found %s", p.tok.kind)
		}
		a.strs = append(a.strs, stringLit{pos: p.tok.pos, val: p.tok.text})
		if err := p.advance(); err != nil {
			return a, err
		}
		switch p.tok.kind {
		case tokComma:
			continue
		case tokRBracket:
			return a, p.advance()
		}
		return a, errAt(p.tok.pos, "expected \",\" or \"]\" in string list, found %s", p.tok.kind)
	}
}

func (p *parser) test() (*testNode, *Error) {
	if err := p.enter(); err != nil {
		return nil, err
	}
	defer func() { p.depth-- }()
	t := &testNode{pos: p.tok.pos, name: p.tok.text}
	if err := p.advance(); err != nil {
		return nil, err
	}
	args, tests, list, err := p.arguments()
	if err != nil {
		return nil, err
	}
	t.args, t.tests, t.testList = args, tests, list
	return t, nil
}

func (p *parser) testList() ([]*testNode, *Error) {
	var tests []*testNode
	for {
		if err := p.advance(); err != nil {
			return nil, err
		}
		if p.tok.kind != tokIdent {
			return nil, errAt(p.tok.pos, "expected test, found %s", p.tok.kind)
		}
		t, err := p.test()
		if err != nil {
			return nil, err
		}
		tests = append(tests, t)
		switch p.tok.kind {
		case tokComma:
			continue
		case tokRParen:
			return tests, p.advance()
		}
		return nil, errAt(p.tok.pos, "expected \",\" or \")\" in test list, found %s", p.tok.kind)
	}
}
