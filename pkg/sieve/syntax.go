package sieve

// Syntax is a read-only view of a script's syntax tree, for tools that
// show what a script says (sieved) rather than run it. It says nothing of
// meaning: Compile is the one judge of whether a script is valid, so a
// caller compiles first and asks for the syntax of a script that compiled.
type Syntax struct {
	Line  int    // 1-based line of the identifier
	Name  string // the command or test identifier, lower case
	Args  []SyntaxArg
	Tests []*Syntax // a test, or a test list's members
	Block []*Syntax // the block's commands (HasBlock tells "{}" from none)
	// HasBlock marks a command written with a block.
	HasBlock bool
}

// SyntaxArg is one argument: a tag (":name", lower case), a number
// (quantifiers K, M, G applied) or a string list.
type SyntaxArg struct {
	Tag     string
	Number  int64
	IsNum   bool
	Strings []string // a string list, or one string
	IsList  bool     // the strings were written in brackets
}

// ParseSyntax returns the syntax tree of src. Errors are *Error values,
// as Compile's.
func ParseSyntax(src []byte) ([]*Syntax, error) {
	nodes, err := parse(src)
	if err != nil {
		return nil, err
	}
	return syntaxCommands(nodes), nil
}

func syntaxCommands(nodes []*commandNode) []*Syntax {
	out := make([]*Syntax, 0, len(nodes))
	for _, n := range nodes {
		out = append(out, &Syntax{Line: n.pos.Line, Name: n.name, Args: syntaxArgs(n.args),
			Tests: syntaxTests(n.tests), Block: syntaxCommands(n.block), HasBlock: n.hasBlock})
	}
	return out
}

func syntaxTests(nodes []*testNode) []*Syntax {
	out := make([]*Syntax, 0, len(nodes))
	for _, n := range nodes {
		out = append(out, &Syntax{Line: n.pos.Line, Name: n.name, Args: syntaxArgs(n.args), Tests: syntaxTests(n.tests)})
	}
	return out
}

func syntaxArgs(args []argument) []SyntaxArg {
	out := make([]SyntaxArg, 0, len(args))
	for _, a := range args {
		switch a.kind {
		case argTag:
			out = append(out, SyntaxArg{Tag: a.tag})
		case argNumber:
			out = append(out, SyntaxArg{Number: a.num, IsNum: true})
		default:
			s := make([]string, len(a.strs))
			for i, l := range a.strs {
				s[i] = l.val
			}
			out = append(out, SyntaxArg{Strings: s, IsList: a.list})
		}
	}
	return out
}
