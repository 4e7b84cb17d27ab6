package wire

import (
	"io"
	"strings"
)

// The token readers below are the building blocks of every Parse function.
// They never read past the current command.
//
// Inside the package they are sticky: the first failure of a command is
// kept in r.err, and every token reader after it does nothing and returns a
// zero value, so a parser reads its grammar straight through and reports
// the first error at the end (end). The exported forms, for command
// handlers outside this package with simple grammars, return each token's
// error instead (take).

// fail records err as the command's first error; later ones are dropped.
func (r *Reader) fail(err error) {
	if r.err == nil && err != nil {
		r.err = err
	}
}

// ok reports whether parsing goes on: no earlier failure, and the current
// line is available.
func (r *Reader) ok() bool {
	if r.err == nil {
		r.fail(r.ensureLine())
	}
	return r.err == nil
}

// failed runs read and reports whether it failed, withdrawing its error so
// that the caller records a clearer one that names what the grammar
// wanted. After an earlier failure it does nothing and reports false.
func (r *Reader) failed(read func()) bool {
	if r.err != nil {
		return false
	}
	read()
	if r.err == nil {
		return false
	}
	r.err = nil
	return true
}

// take returns v with the error of the token just read, and forgets the
// error: the exported readers are not sticky.
func take[T any](r *Reader, v T) (T, error) {
	err := r.err
	r.err = nil
	return v, err
}

// end consumes the end of the command and returns v, or v's zero value and
// the command's first error.
func end[T any](r *Reader, v T) (T, error) {
	r.eol()
	if r.err != nil {
		var zero T
		return zero, r.err
	}
	return v, nil
}

// rest returns up to n bytes of the unparsed line, for error messages.
func (r *Reader) rest(n int) string {
	s := r.line[r.pos:]
	if len(s) > n {
		s = s[:n]
	}
	return string(s)
}

// peek returns the next byte of the current line, or 0 at its end or after
// a failure.
func (r *Reader) peek() byte {
	if r.err != nil || r.dead != nil || r.cmdErr != nil {
		return 0
	}
	if r.needLine || r.body != nil {
		if r.ensureLine() != nil {
			return 0
		}
	}
	if r.pos < len(r.line) {
		return r.line[r.pos]
	}
	return 0
}

// AtEOL reports whether the command's arguments are exhausted.
func (r *Reader) AtEOL() bool {
	if r.err != nil || r.ensureLine() != nil {
		return false
	}
	return r.pos == len(r.line)
}

// Peek returns the next byte without consuming it (0 at the end of the
// line).
func (r *Reader) Peek() byte { return r.peek() }

// Consume consumes c if it is next and reports whether it did.
func (r *Reader) Consume(c byte) bool {
	if r.peek() == c && r.pos < len(r.line) {
		r.pos++
		return true
	}
	return false
}

// expect consumes c or fails with a syntax error naming what.
func (r *Reader) expect(c byte, what string) {
	if r.ok() && !r.Consume(c) {
		r.fail(syntaxErr("expected %s", what))
	}
}

// Expect consumes c or fails with a syntax error naming what.
func (r *Reader) Expect(c byte, what string) error {
	r.expect(c, what)
	_, err := take(r, 0)
	return err
}

func (r *Reader) sp() { r.expect(' ', "space") }

// SP consumes exactly one space.
func (r *Reader) SP() error { return r.Expect(' ', "space") }

// tag reads a command tag: ASTRING-CHARs except "+".
func (r *Reader) tag() (string, error) {
	start := r.pos
	for r.pos < len(r.line) && isAStringChar(r.line[r.pos]) && r.line[r.pos] != '+' {
		r.pos++
	}
	if r.pos == start {
		return "", syntaxErr("invalid tag")
	}
	return string(r.line[start:r.pos]), nil
}

// span consumes the run of bytes satisfying ok.
func (r *Reader) span(ok func(byte) bool) string {
	if r.err != nil || r.ensureLine() != nil {
		return ""
	}
	start := r.pos
	for r.pos < len(r.line) && ok(r.line[r.pos]) {
		r.pos++
	}
	return string(r.line[start:r.pos])
}

// token reads a non-empty run of bytes satisfying ok, or fails naming what.
func (r *Reader) token(ok func(byte) bool, what string) string {
	if !r.ok() {
		return ""
	}
	s := r.span(ok)
	if s == "" {
		r.fail(syntaxErr("expected %s at %q", what, r.rest(16)))
	}
	return s
}

func (r *Reader) atom() string { return r.token(isAtomChar, "atom") }

// Atom reads an atom.
func (r *Reader) Atom() (string, error) { return take(r, r.atom()) }

func (r *Reader) keyword() string { return strings.ToUpper(r.atom()) }

// Keyword reads an atom and returns it upper-cased, for case-insensitive
// keywords.
func (r *Reader) Keyword() (string, error) { return take(r, r.keyword()) }

func (r *Reader) str() string {
	if !r.ok() {
		return ""
	}
	switch r.peek() {
	case '"':
		return r.quoted()
	case '{':
		return r.literalString(false)
	}
	r.fail(syntaxErr("expected string at %q", r.rest(16)))
	return ""
}

// String reads a quoted string or a literal.
func (r *Reader) String() (string, error) { return take(r, r.str()) }

func (r *Reader) astring() string {
	if c := r.peek(); c == '"' || c == '{' {
		return r.str()
	}
	return r.token(isAStringChar, "astring")
}

// AString reads an astring: an atom (with "]" allowed) or a string.
func (r *Reader) AString() (string, error) { return take(r, r.astring()) }

// nstring reads a string or NIL; ok is false for NIL.
func (r *Reader) nstring() (s string, ok bool) {
	if c := r.peek(); c == 'N' || c == 'n' {
		if !strings.EqualFold(r.span(isAtomChar), "NIL") {
			r.fail(syntaxErr("expected string or NIL"))
		}
		return "", false
	}
	s = r.str()
	return s, r.err == nil
}

// NString reads a string or NIL; ok is false for NIL.
func (r *Reader) NString() (s string, ok bool, err error) {
	s, ok = r.nstring()
	_, err = take(r, 0)
	return s, ok, err
}

// listMailbox reads a LIST/LSUB pattern: an atom that may contain the
// wildcards "%" and "*", or a string.
func (r *Reader) listMailbox() string {
	if c := r.peek(); c == '"' || c == '{' {
		return r.str()
	}
	return r.token(isListChar, "mailbox pattern")
}

// ListMailbox reads a LIST/LSUB pattern.
func (r *Reader) ListMailbox() (string, error) { return take(r, r.listMailbox()) }

// quoted reads a quoted string, undoing \" and \\ escapes.
func (r *Reader) quoted() string {
	r.pos++ // opening quote
	var b strings.Builder
	for r.pos < len(r.line) {
		c := r.line[r.pos]
		r.pos++
		switch c {
		case '"':
			return b.String()
		case '\\':
			if r.pos == len(r.line) {
				r.fail(syntaxErr("unterminated quoted string"))
				return ""
			}
			e := r.line[r.pos]
			if e != '"' && e != '\\' {
				r.fail(syntaxErr("invalid escape in quoted string"))
				return ""
			}
			b.WriteByte(e)
			r.pos++
		default:
			if !isQuotedChar(c) {
				r.fail(syntaxErr("invalid character in quoted string"))
				return ""
			}
			b.WriteByte(c)
		}
	}
	r.fail(syntaxErr("unterminated quoted string"))
	return ""
}

// literalHeader parses "{n}", "{n+}" or (binary) "~{n}" which
// must end the current line fragment. A malformed one is fatal: the
// client may be about to send the literal's bytes, which must never run
// as commands, so the stream cannot be trusted any more.
func (r *Reader) literalHeader(allowBinary bool) LiteralInfo {
	var info LiteralInfo
	if r.peek() == '~' {
		if !allowBinary {
			r.fail(r.note(fatalErr("literal8 not allowed here")))
			return info
		}
		info.Binary = true
		r.pos++
	}
	if !r.Consume('{') {
		r.fail(syntaxErr("expected literal"))
		return info
	}
	start := r.pos
	for r.pos < len(r.line) && isDigit(r.line[r.pos]) {
		r.pos++
	}
	n, ok := parseUint(r.line[start:r.pos], 1<<62)
	if !ok {
		r.fail(r.note(fatalErr("invalid literal size")))
		return info
	}
	info.Size = n
	info.Sync = !r.Consume('+')
	if !r.Consume('}') {
		r.fail(r.note(fatalErr("invalid literal")))
	} else if r.pos != len(r.line) {
		r.fail(r.note(fatalErr("literal must end the line")))
	}
	return info
}

// admitLiteral applies the limits to an announced literal before any of its
// bytes are read or any memory is set aside for it, then asks the session
// for the continuation of a synchronising literal.
func (r *Reader) admitLiteral(info LiteralInfo, limit int64) error {
	if !info.Sync && r.opts.LiteralMinus && info.Size > literalMinusMax {
		// The bytes are already on their way; RFC 7888 §5 lets the server
		// close rather than swallow an unbounded amount of data.
		return r.note(fatalErr("non-synchronizing literal larger than 4096 bytes"))
	}
	if info.Size > limit {
		if !info.Sync {
			// Same reasoning: reading and discarding up to 2^62 bytes the
			// client insists on sending is a denial of service; close.
			return r.note(fatalErr("literal too big"))
		}
		r.inCmd = false // the client will not send it: the command is over
		if info.Message {
			return &Error{Msg: MessageTooBig, Code: "TOOBIG", No: true}
		}
		return &Error{Msg: "literal too big", Code: "TOOBIG"}
	}
	if info.Sync {
		if r.opts.Continue == nil {
			r.inCmd = false
			return syntaxErr("synchronizing literals are not accepted")
		}
		if err := r.opts.Continue(info); err != nil {
			r.inCmd = false
			return err
		}
	}
	return nil
}

// literalString reads a literal into memory as a string argument.
func (r *Reader) literalString(allowBinary bool) string {
	info := r.literalHeader(allowBinary)
	if r.err != nil {
		return ""
	}
	if r.fail(r.admitLiteral(info, int64(r.opts.MaxStringBuffer-r.litBytes))); r.err != nil {
		return ""
	}
	buf := make([]byte, info.Size)
	if _, err := io.ReadFull(r.br, buf); err != nil {
		r.fail(r.note(err))
		return ""
	}
	r.litBytes += len(buf)
	r.needLine = true
	if !info.Binary {
		for _, c := range buf {
			if c == 0 {
				r.fail(syntaxErr("NUL in literal"))
				return ""
			}
		}
	}
	return string(buf)
}

// literalStream reads a literal header (literal8 allowed) and returns the
// literal's bytes as a stream limited to its size.
func (r *Reader) literalStream() (LiteralInfo, io.Reader) {
	if !r.ok() {
		return LiteralInfo{}, nil
	}
	info := r.literalHeader(true)
	if r.err != nil {
		return info, nil
	}
	info.Message = true
	if r.fail(r.admitLiteral(info, r.opts.MaxLiteralSize)); r.err != nil {
		return info, nil
	}
	r.body = &io.LimitedReader{R: r.br, N: info.Size}
	return info, r.body
}

// LiteralStream reads a literal header (literal8 allowed) and returns the
// literal's bytes as a stream limited to its size, for APPEND message bodies
// up to MaxLiteralSize. Whatever the caller leaves unread is discarded
// before the next token.
func (r *Reader) LiteralStream() (LiteralInfo, io.Reader, error) {
	info, body := r.literalStream()
	_, err := take(r, 0)
	return info, body, err
}
