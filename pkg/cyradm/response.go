package cyradm

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// Limits that keep a hostile or broken server from exhausting memory.
const (
	maxLineLen    = 1 << 20  // one response line, literals excluded
	maxLiteralLen = 16 << 20 // one literal
	maxListDepth  = 32       // nested parentheses
)

// Atom is an IMAP atom (flags such as \HasNoChildren, keywords, numbers).
type Atom string

// List is a parenthesised IMAP list.
type List []any

// Response is one line (plus its literals) received from the server. Args
// hold atoms (Atom), strings (string, quoted or literal), NIL (nil) and
// lists (List).
type Response struct {
	Tag    string // "*" untagged, "+" continuation, else a command tag
	Number uint32 // "* 3 EXISTS"
	Name   string // upper-cased: OK, NO, BAD, BYE, PREAUTH, LIST, ACL, QUOTA...
	Code   string // for status responses: the text inside [ ], if any
	Text   string // for status responses and continuations: the human text
	Args   []any
}

// isStatus reports whether name is a status response (text follows).
func isStatus(name string) bool {
	switch name {
	case "OK", "NO", "BAD", "BYE", "PREAUTH":
		return true
	}
	return false
}

// errProtocol marks a response that could not be parsed.
var errProtocol = errors.New("malformed server response")

func protoErr(format string, a ...any) error {
	return fmt.Errorf("%w: %s", errProtocol, fmt.Sprintf(format, a...))
}

// readResponse reads one complete response from br.
func readResponse(br *bufio.Reader) (*Response, error) {
	p := &parser{br: br}
	tag, err := p.word()
	if err != nil {
		return nil, err
	}
	r := &Response{Tag: tag}
	if tag == "+" {
		r.Text, err = p.rest()
		return r, err
	}
	if err := p.sp(); err != nil {
		return nil, err
	}
	name, err := p.word()
	if err != nil {
		return nil, err
	}
	if n, err := strconv.ParseUint(name, 10, 32); err == nil && tag == "*" {
		r.Number = uint32(n)
		if err := p.sp(); err != nil {
			return nil, err
		}
		if name, err = p.word(); err != nil {
			return nil, err
		}
	}
	r.Name = strings.ToUpper(name)
	if isStatus(r.Name) || tag != "*" {
		text, err := p.rest()
		if err != nil {
			return nil, err
		}
		r.Code, r.Text = splitCode(text)
		return r, nil
	}
	for {
		b, err := p.peek()
		if err != nil {
			return nil, err
		}
		switch b {
		case ' ':
			p.br.ReadByte()
			continue
		case '\r', '\n':
			return r, p.eol()
		}
		v, err := p.value(0)
		if err != nil {
			return nil, err
		}
		r.Args = append(r.Args, v)
	}
}

// splitCode separates "[CODE args] text" into its parts.
func splitCode(text string) (code, rest string) {
	if !strings.HasPrefix(text, "[") {
		return "", text
	}
	end := strings.IndexByte(text, ']')
	if end < 0 {
		return "", text
	}
	return text[1:end], strings.TrimPrefix(text[end+1:], " ")
}

type parser struct {
	br  *bufio.Reader
	len int // bytes of the current line read so far
}

func (p *parser) peek() (byte, error) {
	b, err := p.br.Peek(1)
	if err != nil {
		return 0, noEOF(err)
	}
	return b[0], nil
}

func (p *parser) next() (byte, error) {
	b, err := p.br.ReadByte()
	if err != nil {
		return 0, noEOF(err)
	}
	p.len++
	if p.len > maxLineLen {
		return 0, protoErr("line longer than %d bytes", maxLineLen)
	}
	return b, nil
}

// noEOF turns a clean EOF in the middle of a response into an error that
// says so.
func noEOF(err error) error {
	if err == io.EOF {
		return io.ErrUnexpectedEOF
	}
	return err
}

func (p *parser) sp() error {
	b, err := p.next()
	if err != nil {
		return err
	}
	if b != ' ' {
		return protoErr("expected a space, got %q", b)
	}
	return nil
}

func (p *parser) eol() error {
	b, err := p.next()
	if err != nil {
		return err
	}
	if b == '\r' {
		if b, err = p.next(); err != nil {
			return err
		}
	}
	if b != '\n' {
		return protoErr("expected end of line, got %q", b)
	}
	return nil
}

// word reads up to a space or the end of the line.
func (p *parser) word() (string, error) {
	var sb strings.Builder
	for {
		b, err := p.peek()
		if err != nil {
			return "", err
		}
		if b == ' ' || b == '\r' || b == '\n' {
			break
		}
		p.next()
		sb.WriteByte(b)
	}
	if sb.Len() == 0 {
		return "", protoErr("empty word")
	}
	return sb.String(), nil
}

// rest reads the remainder of the line (after one optional space).
func (p *parser) rest() (string, error) {
	var sb strings.Builder
	for {
		b, err := p.next()
		if err != nil {
			return "", err
		}
		if b == '\n' {
			return strings.TrimPrefix(strings.TrimSuffix(sb.String(), "\r"), " "), nil
		}
		sb.WriteByte(b)
	}
}

func (p *parser) value(depth int) (any, error) {
	b, err := p.peek()
	if err != nil {
		return nil, err
	}
	switch b {
	case '(':
		if depth >= maxListDepth {
			return nil, protoErr("lists nested too deeply")
		}
		p.next()
		l := List{}
		for {
			c, err := p.peek()
			if err != nil {
				return nil, err
			}
			switch c {
			case ')':
				p.next()
				return l, nil
			case ' ':
				p.next()
				continue
			case '\r', '\n':
				return nil, protoErr("unterminated list")
			}
			v, err := p.value(depth + 1)
			if err != nil {
				return nil, err
			}
			l = append(l, v)
		}
	case '"':
		return p.quoted()
	case '{':
		return p.literal()
	}
	return p.atom()
}

func (p *parser) quoted() (string, error) {
	p.next()
	var sb strings.Builder
	for {
		b, err := p.next()
		if err != nil {
			return "", err
		}
		switch b {
		case '"':
			return sb.String(), nil
		case '\\':
			if b, err = p.next(); err != nil {
				return "", err
			}
		case '\r', '\n':
			return "", protoErr("unterminated quoted string")
		}
		sb.WriteByte(b)
	}
}

func (p *parser) literal() (string, error) {
	p.next()
	var digits strings.Builder
	for {
		b, err := p.next()
		if err != nil {
			return "", err
		}
		if b == '}' {
			break
		}
		if b == '+' {
			continue
		}
		if b < '0' || b > '9' || digits.Len() > 10 {
			return "", protoErr("bad literal length")
		}
		digits.WriteByte(b)
	}
	n, err := strconv.Atoi(digits.String())
	if err != nil || n > maxLiteralLen {
		return "", protoErr("bad literal length %q", digits.String())
	}
	if err := p.eol(); err != nil {
		return "", err
	}
	buf := make([]byte, n)
	if _, err := io.ReadFull(p.br, buf); err != nil {
		return "", noEOF(err)
	}
	return string(buf), nil
}

func (p *parser) atom() (any, error) {
	var sb strings.Builder
	brackets := 0
	for {
		b, err := p.peek()
		if err != nil {
			return nil, err
		}
		if b == '[' {
			brackets++
		} else if b == ']' && brackets > 0 {
			brackets--
		} else if b == '\r' || b == '\n' || b == '(' || b == ')' || (b == ' ' && brackets == 0) {
			break
		}
		p.next()
		sb.WriteByte(b)
	}
	if sb.Len() == 0 {
		return nil, protoErr("unexpected %q", mustPeek(p))
	}
	if strings.EqualFold(sb.String(), "NIL") {
		return nil, nil
	}
	return Atom(sb.String()), nil
}

func mustPeek(p *parser) byte {
	b, _ := p.peek()
	return b
}

// str gives a response item as text: atoms and strings as themselves, NIL
// as "", anything else as "".
func str(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case Atom:
		return string(x)
	}
	return ""
}
