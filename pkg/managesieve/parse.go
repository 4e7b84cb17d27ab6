package managesieve

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"strings"
)

// maxNumber is the largest number the grammar allows (RFC 5804 §4).
const maxNumber = 1<<32 - 1

// maxCommandName bounds the command word.
const maxCommandName = 32

type argKind int

const (
	argString argKind = iota
	argNumber
)

// arg is one command argument: a string (quoted or literal) or a number.
type arg struct {
	kind argKind
	str  string
	num  uint64
}

// command is one parsed command line. name is upper-cased.
type command struct {
	name string
	args []arg
}

// syntaxError is a malformed command; msg is sent to the client as
// NO "msg". The reader has already skipped the rest of the command.
type syntaxError struct{ msg string }

func (e *syntaxError) Error() string { return e.msg }

// literalTooLargeError: a literal beyond the reader's limit. Its data was
// read and dropped.
type literalTooLargeError struct{ size, limit int64 }

func (e *literalTooLargeError) Error() string {
	return fmt.Sprintf("Literal of %d bytes is too large (limit %d)", e.size, e.limit)
}

// errLineTooLong: command text (literals excluded) beyond maxLine.
var errLineTooLong = errors.New("Line too long")

// commandReader reads ManageSieve commands and client strings
// (RFC 5804 §4):
//
//	command  = atom *(SP argument) CRLF     ; empty lines are skipped
//	argument = quoted / literal / number
//	quoted   = DQUOTE *(char except CR LF NUL DQUOTE "\" / "\" (DQUOTE / "\")) DQUOTE
//	literal  = "{" number ["+"] "}" CRLF *OCTET   ; no continuation is ever sent
//	number   = 1*DIGIT                         ; at most 4294967295
//
// A bare LF is accepted as a line end. Errors other than I/O errors leave
// the reader at the start of the next command: the rest of the offending
// line, and any literal it announces, is skipped.
type commandReader struct {
	r          *bufio.Reader
	maxLine    int   // bytes of command text per line, literals excluded
	maxLiteral int64 // bytes of one literal
	lineLen    int
	tail       []byte // the last bytes of the line, to spot a literal announced before an error
}

func newCommandReader(r *bufio.Reader, maxLine int, maxLiteral int64) *commandReader {
	return &commandReader{r: r, maxLine: maxLine, maxLiteral: maxLiteral}
}

// readCommand reads the next command. On a syntax error the returned
// command still carries the name when it was read, so the caller can tailor
// the reply.
func (cr *commandReader) readCommand() (command, error) {
	var cmd command
	for {
		cr.startLine()
		c, err := cr.peek()
		if err != nil {
			return cmd, err
		}
		if c == '\r' || c == '\n' {
			if err := cr.expectEOL(); err != nil {
				return cmd, cr.recover(err)
			}
			continue
		}
		break
	}
	name, err := cr.atom()
	if err != nil {
		return cmd, cr.recover(err)
	}
	cmd.name = name
	for {
		c, err := cr.peek()
		if err != nil {
			return cmd, err
		}
		if c == '\r' || c == '\n' {
			return cmd, cr.recover(cr.expectEOL())
		}
		if c != ' ' {
			return cmd, cr.recover(&syntaxError{"Expected SPACE"})
		}
		if _, err := cr.next(); err != nil {
			return cmd, cr.recover(err)
		}
		a, err := cr.argument()
		if err != nil {
			return cmd, cr.recover(err)
		}
		cmd.args = append(cmd.args, a)
	}
}

// readClientString reads one line holding a single string: a client's
// SASL response.
func (cr *commandReader) readClientString() (string, error) {
	cr.startLine()
	c, err := cr.peek()
	if err != nil {
		return "", err
	}
	if c != '"' && c != '{' {
		return "", cr.recover(&syntaxError{"Expected a string"})
	}
	a, err := cr.argument()
	if err == nil {
		err = cr.expectEOL()
	}
	if err != nil {
		return "", cr.recover(err)
	}
	return a.str, nil
}

func (cr *commandReader) startLine() {
	cr.lineLen = 0
	cr.tail = cr.tail[:0]
}

// recover skips the rest of a malformed command. I/O errors and nil pass
// through.
func (cr *commandReader) recover(err error) error {
	var se *syntaxError
	var le *literalTooLargeError
	if err == nil || !(errors.As(err, &se) || errors.As(err, &le) || errors.Is(err, errLineTooLong)) {
		return err
	}
	if cr.atLineStart() {
		return err
	}
	if ioErr := cr.skipLine(); ioErr != nil {
		return ioErr
	}
	return err
}

// atLineStart: the last byte consumed ended a line (nothing to skip).
func (cr *commandReader) atLineStart() bool {
	return len(cr.tail) > 0 && cr.tail[len(cr.tail)-1] == '\n'
}

// skipLine drops bytes to the end of the line, and, when the line ends by
// announcing a literal, that literal and the line after it.
func (cr *commandReader) skipLine() error {
	for {
		b, err := cr.r.ReadByte()
		if err != nil {
			return err
		}
		cr.remember(b)
		if b != '\n' {
			continue
		}
		n, ok := announcedLiteral(cr.tail)
		if !ok {
			return nil
		}
		if _, err := io.CopyN(io.Discard, cr.r, n); err != nil {
			return err
		}
		cr.tail = cr.tail[:0]
	}
}

// announcedLiteral recognises a line ending in "{n}" or "{n+}".
func announcedLiteral(line []byte) (int64, bool) {
	s := strings.TrimSuffix(strings.TrimSuffix(string(line), "\n"), "\r")
	if !strings.HasSuffix(s, "}") {
		return 0, false
	}
	open := strings.LastIndexByte(s, '{')
	if open < 0 {
		return 0, false
	}
	digits := strings.TrimSuffix(s[open+1:len(s)-1], "+")
	if digits == "" || len(digits) > 10 {
		return 0, false
	}
	var n int64
	for _, c := range []byte(digits) {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int64(c-'0')
	}
	return n, n <= maxNumber
}

func (cr *commandReader) remember(b byte) {
	if len(cr.tail) == 32 {
		copy(cr.tail, cr.tail[1:])
		cr.tail = cr.tail[:31]
	}
	cr.tail = append(cr.tail, b)
}

func (cr *commandReader) peek() (byte, error) {
	b, err := cr.r.Peek(1)
	if err != nil {
		return 0, err
	}
	return b[0], nil
}

// next consumes one byte of command text, counting it against maxLine.
func (cr *commandReader) next() (byte, error) {
	b, err := cr.r.ReadByte()
	if err != nil {
		return 0, err
	}
	cr.remember(b)
	cr.lineLen++
	if cr.lineLen > cr.maxLine {
		return b, errLineTooLong
	}
	return b, nil
}

// expectEOL consumes CRLF or LF.
func (cr *commandReader) expectEOL() error {
	b, err := cr.next()
	if err != nil {
		return err
	}
	if b == '\r' {
		if b, err = cr.next(); err != nil {
			return err
		}
	}
	if b != '\n' {
		return &syntaxError{"Expected EOL"}
	}
	return nil
}

// atom reads the command name.
func (cr *commandReader) atom() (string, error) {
	var b strings.Builder
	for {
		c, err := cr.peek()
		if err != nil {
			return "", err
		}
		if !isAlpha(c) {
			break
		}
		if _, err := cr.next(); err != nil {
			return "", err
		}
		if b.Len() == maxCommandName {
			return "", &syntaxError{"Expected a command. Got something else."}
		}
		b.WriteByte(c)
	}
	if b.Len() == 0 {
		return "", &syntaxError{"Expected a command. Got something else."}
	}
	return strings.ToUpper(b.String()), nil
}

func isAlpha(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }
func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func (cr *commandReader) argument() (arg, error) {
	c, err := cr.peek()
	if err != nil {
		return arg{}, err
	}
	switch {
	case c == '"':
		s, err := cr.quoted()
		return arg{kind: argString, str: s}, err
	case c == '{':
		s, err := cr.literal()
		return arg{kind: argString, str: s}, err
	case isDigit(c):
		n, err := cr.number()
		return arg{kind: argNumber, num: n}, err
	}
	return arg{}, &syntaxError{"Expected a string or a number"}
}

func (cr *commandReader) quoted() (string, error) {
	if _, err := cr.next(); err != nil { // the opening quote
		return "", err
	}
	var b strings.Builder
	for {
		c, err := cr.next()
		if err != nil {
			return "", err
		}
		switch c {
		case '"':
			return b.String(), nil
		case '\\':
			if c, err = cr.next(); err != nil {
				return "", err
			}
			if c != '"' && c != '\\' {
				return "", &syntaxError{"Invalid escape in quoted string"}
			}
		case '\r', '\n', 0:
			if c == '\n' {
				cr.tail = append(cr.tail[:0], '\n') // the line is over: nothing to skip
			}
			return "", &syntaxError{"Unterminated quoted string"}
		}
		b.WriteByte(c)
	}
}

func (cr *commandReader) number() (uint64, error) {
	var n uint64
	digits := 0
	for {
		c, err := cr.peek()
		if err != nil {
			return 0, err
		}
		if !isDigit(c) {
			break
		}
		if _, err := cr.next(); err != nil {
			return 0, err
		}
		n = n*10 + uint64(c-'0')
		digits++
		if digits > 10 || n > maxNumber {
			return 0, &syntaxError{"Number too large"}
		}
	}
	return n, nil
}

// literal reads "{n}" or "{n+}", the line end, and n bytes. A literal
// beyond maxLiteral is read and dropped.
func (cr *commandReader) literal() (string, error) {
	if _, err := cr.next(); err != nil { // '{'
		return "", err
	}
	c, err := cr.peek()
	if err != nil {
		return "", err
	}
	if !isDigit(c) {
		return "", &syntaxError{"Expected a literal length"}
	}
	n, err := cr.number()
	if err != nil {
		return "", err
	}
	c, err = cr.next()
	if err != nil {
		return "", err
	}
	if c == '+' {
		if c, err = cr.next(); err != nil {
			return "", err
		}
	}
	if c != '}' {
		return "", &syntaxError{"Expected '}' after the literal length"}
	}
	if err := cr.expectEOL(); err != nil {
		return "", err
	}
	size := int64(n)
	if size > cr.maxLiteral {
		if _, err := io.CopyN(io.Discard, cr.r, size); err != nil {
			return "", err
		}
		cr.tail = cr.tail[:0]
		return "", &literalTooLargeError{size: size, limit: cr.maxLiteral}
	}
	buf := make([]byte, size)
	if _, err := io.ReadFull(cr.r, buf); err != nil {
		return "", err
	}
	cr.tail = cr.tail[:0] // the literal's bytes never announce anything
	return string(buf), nil
}
