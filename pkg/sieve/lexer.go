package sieve

import (
	"strings"
	"unicode/utf8"
)

type tokKind int

const (
	tokEOF tokKind = iota
	tokIdent
	tokTag
	tokNumber
	tokString
	tokLBracket
	tokRBracket
	tokLParen
	tokRParen
	tokLBrace
	tokRBrace
	tokComma
	tokSemicolon
)

func (k tokKind) String() string {
	switch k {
	case tokEOF:
		return "end of script"
	case tokIdent:
		return "identifier"
	case tokTag:
		return "tag"
	case tokNumber:
		return "number"
	case tokString:
		return "string"
	case tokLBracket:
		return `"["`
	case tokRBracket:
		return `"]"`
	case tokLParen:
		return `"("`
	case tokRParen:
		return `")"`
	case tokLBrace:
		return `"{"`
	case tokRBrace:
		return `"}"`
	case tokComma:
		return `","`
	case tokSemicolon:
		return `";"`
	}
	return "token"
}

type token struct {
	kind tokKind
	pos  Pos
	text string // identifier/tag name (lower case), or string value
	num  int64
}

var punctuation = map[byte]tokKind{'[': tokLBracket, ']': tokRBracket, '(': tokLParen, ')': tokRParen,
	'{': tokLBrace, '}': tokRBrace, ',': tokComma, ';': tokSemicolon}

// maxNumber bounds numeric literals so that quantifier multiplication
// cannot overflow int64.
const maxNumber = 1<<53 - 1

// lexer turns RFC 5228 §8.1 lexical tokens into tokens. It works on bytes
// and tracks the start of the current line for column numbers.
type lexer struct {
	src       []byte
	off       int
	line      int
	lineStart int
}

func newLexer(src []byte) *lexer { return &lexer{src: src, line: 1} }

func (l *lexer) pos() Pos { return l.posAt(l.off) }

func (l *lexer) posAt(off int) Pos {
	return Pos{Line: l.line, Column: utf8.RuneCount(l.src[l.lineStart:off]) + 1}
}

func (l *lexer) newline(at int) {
	l.line++
	l.lineStart = at + 1
}

// skipSpace skips white space and comments.
func (l *lexer) skipSpace() *Error {
	for l.off < len(l.src) {
		c := l.src[l.off]
		switch {
		case c == '\n':
			l.newline(l.off)
			l.off++
		case c == ' ' || c == '\t' || c == '\r':
			l.off++
		case c == '#':
			for l.off < len(l.src) && l.src[l.off] != '\n' {
				l.off++
			}
		case c == '/' && l.off+1 < len(l.src) && l.src[l.off+1] == '*':
			start := l.pos()
			l.off += 2
			for {
				if l.off+1 >= len(l.src) {
					return errAt(start, "unterminated comment")
				}
				if l.src[l.off] == '*' && l.src[l.off+1] == '/' {
					l.off += 2
					break
				}
				if l.src[l.off] == '\n' {
					l.newline(l.off)
				}
				l.off++
			}
		default:
			return nil
		}
	}
	return nil
}

func isIdentStart(c byte) bool {
	return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
}

func isIdentChar(c byte) bool { return isIdentStart(c) || (c >= '0' && c <= '9') }

func (l *lexer) next() (token, *Error) {
	if err := l.skipSpace(); err != nil {
		return token{}, err
	}
	p := l.pos()
	if l.off >= len(l.src) {
		return token{kind: tokEOF, pos: p}, nil
	}
	c := l.src[l.off]
	if k, ok := punctuation[c]; ok {
		l.off++
		return token{kind: k, pos: p}, nil
	}
	switch {
	case c == '"':
		return l.quoted(p)
	case c == ':':
		l.off++
		if l.off >= len(l.src) || !isIdentStart(l.src[l.off]) {
			return token{}, errAt(p, "expected tag name after \":\"")
		}
		name := l.ident()
		return token{kind: tokTag, pos: p, text: ":" + name}, nil
	case c >= '0' && c <= '9':
		return l.number(p)
	case isIdentStart(c):
		name := l.ident()
		if name == "text" && l.off < len(l.src) && l.src[l.off] == ':' {
			l.off++
			return l.multiline(p)
		}
		return token{kind: tokIdent, pos: p, text: name}, nil
	}
	r, _ := utf8.DecodeRune(l.src[l.off:])
	return token{}, errAt(p, "unexpected character %q", r)
}

func (l *lexer) ident() string {
	start := l.off
	for l.off < len(l.src) && isIdentChar(l.src[l.off]) {
		l.off++
	}
	return strings.ToLower(string(l.src[start:l.off]))
}

func (l *lexer) number(p Pos) (token, *Error) {
	var n int64
	for l.off < len(l.src) && l.src[l.off] >= '0' && l.src[l.off] <= '9' {
		n = n*10 + int64(l.src[l.off]-'0')
		if n > maxNumber {
			return token{}, errAt(p, "number too large")
		}
		l.off++
	}
	if l.off < len(l.src) {
		mult := int64(1)
		switch l.src[l.off] {
		case 'k', 'K':
			mult = 1 << 10
		case 'm', 'M':
			mult = 1 << 20
		case 'g', 'G':
			mult = 1 << 30
		}
		if mult > 1 {
			l.off++
			if n > maxNumber/mult {
				return token{}, errAt(p, "number too large")
			}
			n *= mult
		}
	}
	if l.off < len(l.src) && isIdentChar(l.src[l.off]) {
		return token{}, errAt(p, "invalid number")
	}
	return token{kind: tokNumber, pos: p, num: n}, nil
}

// quoted reads a quoted string: a backslash makes the next character
// literal (RFC 5228 §2.4.2); CRLF may appear inside.
func (l *lexer) quoted(p Pos) (token, *Error) {
	l.off++
	var b strings.Builder
	for {
		if l.off >= len(l.src) {
			return token{}, errAt(p, "unterminated string")
		}
		c := l.src[l.off]
		switch c {
		case '"':
			l.off++
			return token{kind: tokString, pos: p, text: b.String()}, nil
		case '\\':
			l.off++
			if l.off >= len(l.src) {
				return token{}, errAt(p, "unterminated string")
			}
			c = l.src[l.off]
		}
		if c == '\n' {
			l.newline(l.off)
		}
		b.WriteByte(c)
		l.off++
	}
}

// multiline reads a "text:" string (RFC 5228 §2.4.2): the rest of the
// first line may hold only white space and a hash comment; lines follow
// until a line holding a single "."; a leading ".." loses one dot.
func (l *lexer) multiline(p Pos) (token, *Error) {
	for l.off < len(l.src) && (l.src[l.off] == ' ' || l.src[l.off] == '\t') {
		l.off++
	}
	if l.off < len(l.src) && l.src[l.off] == '#' {
		for l.off < len(l.src) && l.src[l.off] != '\n' {
			l.off++
		}
	}
	if l.off < len(l.src) && l.src[l.off] == '\r' {
		l.off++
	}
	if l.off >= len(l.src) || l.src[l.off] != '\n' {
		return token{}, errAt(l.pos(), "expected end of line after \"text:\"")
	}
	l.newline(l.off)
	l.off++
	var b strings.Builder
	for {
		if l.off >= len(l.src) {
			return token{}, errAt(p, "unterminated multi-line string")
		}
		end := l.off
		for end < len(l.src) && l.src[end] != '\n' {
			end++
		}
		line := l.src[l.off:end]
		content := line
		if n := len(content); n > 0 && content[n-1] == '\r' {
			content = content[:n-1]
		}
		if end >= len(l.src) {
			// Last line without newline: only acceptable as the terminator.
			if string(content) == "." {
				l.off = end
				return token{kind: tokString, pos: p, text: b.String()}, nil
			}
			return token{}, errAt(p, "unterminated multi-line string")
		}
		l.newline(end)
		l.off = end + 1
		if string(content) == "." {
			return token{kind: tokString, pos: p, text: b.String()}, nil
		}
		if len(line) > 0 && line[0] == '.' {
			line = line[1:]
		}
		b.Write(line)
		b.WriteByte('\n')
	}
}
