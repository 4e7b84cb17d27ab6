package corpus

import (
	"bytes"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Kind tells what a Value is.
type Kind int

const (
	Atom   Kind = iota // an atom or number, compared as written
	String             // a quoted string or a literal: the same value either way
	Nil                // NIL
	List               // a parenthesised list
)

// Value is one item of IMAP response data (RFC 3501 §4): how a string was
// sent (quoted or literal) is not kept, because it does not change the value.
type Value struct {
	Kind  Kind
	Text  string // Atom and String
	Items []Value
}

// String prints v in a canonical form: strings always quoted with Go
// escapes, so two Values print alike exactly when they are equal.
func (v Value) String() string {
	var b strings.Builder
	v.write(&b)
	return b.String()
}

func (v Value) write(b *strings.Builder) {
	switch v.Kind {
	case Atom:
		b.WriteString(v.Text)
	case String:
		b.WriteString(strconv.Quote(v.Text))
	case Nil:
		b.WriteString("NIL")
	case List:
		b.WriteByte('(')
		for i, it := range v.Items {
			if i > 0 {
				b.WriteByte(' ')
			}
			it.write(b)
		}
		b.WriteByte(')')
	}
}

// errSyntax wraps every parse failure.
var errSyntax = errors.New("response syntax")

// maxDepth bounds list nesting, so a hostile response cannot exhaust the stack.
const maxDepth = 200

// parser reads response data; the input holds whole lines with their
// literals inline ("{n}\r\n" followed by n bytes), as Client returns them.
type parser struct {
	in  []byte
	pos int
}

func (p *parser) fail(what string) error {
	return fmt.Errorf("%w: %s at offset %d", errSyntax, what, p.pos)
}

func (p *parser) skipSpace() {
	for p.pos < len(p.in) && p.in[p.pos] == ' ' {
		p.pos++
	}
}

// value reads one value. Atoms may carry a section ("BODY[1.MIME]<0>"),
// whose brackets can hold spaces and parentheses (HEADER.FIELDS lists).
func (p *parser) value(depth int) (Value, error) {
	if depth > maxDepth {
		return Value{}, p.fail("lists nested too deep")
	}
	p.skipSpace()
	if p.pos >= len(p.in) {
		return Value{}, p.fail("value expected")
	}
	switch c := p.in[p.pos]; c {
	case '(':
		p.pos++
		v := Value{Kind: List}
		for {
			p.skipSpace()
			if p.pos >= len(p.in) {
				return Value{}, p.fail("unclosed list")
			}
			if p.in[p.pos] == ')' {
				p.pos++
				return v, nil
			}
			it, err := p.value(depth + 1)
			if err != nil {
				return Value{}, err
			}
			v.Items = append(v.Items, it)
		}
	case '"':
		p.pos++
		var b []byte
		for p.pos < len(p.in) {
			c := p.in[p.pos]
			p.pos++
			switch c {
			case '\\':
				if p.pos >= len(p.in) {
					return Value{}, p.fail("unfinished escape")
				}
				b = append(b, p.in[p.pos])
				p.pos++
			case '"':
				return Value{Kind: String, Text: string(b)}, nil
			case '\r', '\n':
				return Value{}, p.fail("line end in a quoted string")
			default:
				b = append(b, c)
			}
		}
		return Value{}, p.fail("unclosed quoted string")
	case '{', '~':
		start := p.pos
		if c == '~' {
			p.pos++ // literal8 (RFC 3516)
		}
		end := bytes.IndexByte(p.in[p.pos:], '}')
		if end < 0 || p.in[p.pos] != '{' {
			return Value{}, p.fail("bad literal")
		}
		n, err := strconv.Atoi(strings.TrimSuffix(string(p.in[p.pos+1:p.pos+end]), "+"))
		p.pos += end + 1
		if err != nil || n < 0 || !bytes.HasPrefix(p.in[p.pos:], []byte("\r\n")) || p.pos+2+n > len(p.in) {
			p.pos = start
			return Value{}, p.fail("bad literal")
		}
		p.pos += 2
		v := Value{Kind: String, Text: string(p.in[p.pos : p.pos+n])}
		p.pos += n
		return v, nil
	default:
		start := p.pos
		brackets := 0
		for p.pos < len(p.in) {
			c := p.in[p.pos]
			if c == '[' {
				brackets++
			} else if c == ']' && brackets > 0 {
				brackets--
			} else if brackets == 0 && (c == ' ' || c == '(' || c == ')' || c == '\r' || c == '\n') {
				break
			}
			p.pos++
		}
		if p.pos == start {
			return Value{}, p.fail("unexpected byte")
		}
		text := string(p.in[start:p.pos])
		if strings.EqualFold(text, "NIL") {
			return Value{Kind: Nil}, nil
		}
		return Value{Kind: Atom, Text: text}, nil
	}
}

// ParseValue parses one value that is the whole of s.
func ParseValue(s string) (Value, error) {
	p := &parser{in: []byte(s)}
	v, err := p.value(0)
	if err != nil {
		return Value{}, err
	}
	if p.skipSpace(); p.pos != len(p.in) {
		return Value{}, p.fail("trailing bytes")
	}
	return v, nil
}
