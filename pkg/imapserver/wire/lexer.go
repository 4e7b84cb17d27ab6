package wire

import (
	"io"
	"strings"
)

// The token readers below are the building blocks of every Parse function;
// command handlers outside this package may use them for simple grammars.
// They never read past the current command.

// rest returns up to n bytes of the unparsed line, for error messages.
func (r *Reader) rest(n int) string {
	s := r.line[r.pos:]
	if len(s) > n {
		s = s[:n]
	}
	return string(s)
}

// peek returns the next byte of the current line, or 0 at its end.
func (r *Reader) peek() byte {
	if r.dead != nil || r.cmdErr != nil {
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
	if r.ensureLine() != nil {
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

// Expect consumes c or fails with a syntax error naming what.
func (r *Reader) Expect(c byte, what string) error {
	if err := r.ensureLine(); err != nil {
		return err
	}
	if !r.Consume(c) {
		return syntaxErr("expected %s", what)
	}
	return nil
}

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
	if r.ensureLine() != nil {
		return ""
	}
	start := r.pos
	for r.pos < len(r.line) && ok(r.line[r.pos]) {
		r.pos++
	}
	return string(r.line[start:r.pos])
}

// Atom reads an atom.
func (r *Reader) Atom() (string, error) {
	if err := r.ensureLine(); err != nil {
		return "", err
	}
	s := r.span(isAtomChar)
	if s == "" {
		return "", syntaxErr("expected atom at %q", r.rest(16))
	}
	return s, nil
}

// Keyword reads an atom and returns it upper-cased, for case-insensitive
// keywords.
func (r *Reader) Keyword() (string, error) {
	s, err := r.Atom()
	return strings.ToUpper(s), err
}

// String reads a quoted string or a literal.
func (r *Reader) String() (string, error) {
	if err := r.ensureLine(); err != nil {
		return "", err
	}
	switch r.peek() {
	case '"':
		return r.quoted()
	case '{':
		return r.literalString(false)
	}
	return "", syntaxErr("expected string at %q", r.rest(16))
}

// AString reads an astring: an atom (with "]" allowed) or a string.
func (r *Reader) AString() (string, error) {
	if err := r.ensureLine(); err != nil {
		return "", err
	}
	switch r.peek() {
	case '"', '{':
		return r.String()
	}
	s := r.span(isAStringChar)
	if s == "" {
		return "", syntaxErr("expected astring at %q", r.rest(16))
	}
	return s, nil
}

// NString reads a string or NIL; ok is false for NIL.
func (r *Reader) NString() (s string, ok bool, err error) {
	if err := r.ensureLine(); err != nil {
		return "", false, err
	}
	if c := r.peek(); c == 'N' || c == 'n' {
		a, err := r.Atom()
		if err != nil || !strings.EqualFold(a, "NIL") {
			return "", false, syntaxErr("expected string or NIL")
		}
		return "", false, nil
	}
	s, err = r.String()
	return s, err == nil, err
}

// ListMailbox reads a LIST/LSUB pattern: an atom that may contain the
// wildcards "%" and "*", or a string.
func (r *Reader) ListMailbox() (string, error) {
	if err := r.ensureLine(); err != nil {
		return "", err
	}
	switch r.peek() {
	case '"', '{':
		return r.String()
	}
	s := r.span(isListChar)
	if s == "" {
		return "", syntaxErr("expected mailbox pattern at %q", r.rest(16))
	}
	return s, nil
}

// quoted reads a quoted string, undoing \" and \\ escapes.
func (r *Reader) quoted() (string, error) {
	r.pos++ // opening quote
	var b strings.Builder
	for r.pos < len(r.line) {
		c := r.line[r.pos]
		r.pos++
		switch c {
		case '"':
			return b.String(), nil
		case '\\':
			if r.pos == len(r.line) {
				return "", syntaxErr("unterminated quoted string")
			}
			e := r.line[r.pos]
			if e != '"' && e != '\\' {
				return "", syntaxErr("invalid escape in quoted string")
			}
			b.WriteByte(e)
			r.pos++
		default:
			if !isQuotedChar(c) {
				return "", syntaxErr("invalid character in quoted string")
			}
			b.WriteByte(c)
		}
	}
	return "", syntaxErr("unterminated quoted string")
}

// literalHeader parses "{n}", "{n+}" or (binary) "~{n}" which
// must end the current line fragment. A malformed one is fatal: the
// client may be about to send the literal's bytes, which must never run
// as commands, so the stream cannot be trusted any more.
func (r *Reader) literalHeader(allowBinary bool) (LiteralInfo, error) {
	var info LiteralInfo
	if r.peek() == '~' {
		if !allowBinary {
			return info, r.note(fatalErr("literal8 not allowed here"))
		}
		info.Binary = true
		r.pos++
	}
	if !r.Consume('{') {
		return info, syntaxErr("expected literal")
	}
	start := r.pos
	for r.pos < len(r.line) && isDigit(r.line[r.pos]) {
		r.pos++
	}
	n, ok := parseUint(r.line[start:r.pos], 1<<62)
	if !ok {
		return info, r.note(fatalErr("invalid literal size"))
	}
	info.Size = n
	info.Sync = !r.Consume('+')
	if !r.Consume('}') {
		return info, r.note(fatalErr("invalid literal"))
	}
	if r.pos != len(r.line) {
		return info, r.note(fatalErr("literal must end the line"))
	}
	return info, nil
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
func (r *Reader) literalString(allowBinary bool) (string, error) {
	info, err := r.literalHeader(allowBinary)
	if err != nil {
		return "", err
	}
	limit := int64(r.opts.MaxStringBuffer - r.litBytes)
	if err := r.admitLiteral(info, limit); err != nil {
		return "", err
	}
	buf := make([]byte, info.Size)
	if _, err := io.ReadFull(r.br, buf); err != nil {
		return "", r.note(err)
	}
	r.litBytes += len(buf)
	r.needLine = true
	if !info.Binary {
		for _, c := range buf {
			if c == 0 {
				return "", syntaxErr("NUL in literal")
			}
		}
	}
	return string(buf), nil
}

// LiteralStream reads a literal header (literal8 allowed) and returns the
// literal's bytes as a stream limited to its size, for APPEND message bodies
// up to MaxLiteralSize. Whatever the caller leaves unread is discarded
// before the next token.
func (r *Reader) LiteralStream() (LiteralInfo, io.Reader, error) {
	if err := r.ensureLine(); err != nil {
		return LiteralInfo{}, nil, err
	}
	info, err := r.literalHeader(true)
	if err != nil {
		return info, nil, err
	}
	info.Message = true
	if err := r.admitLiteral(info, r.opts.MaxLiteralSize); err != nil {
		return info, nil, err
	}
	r.body = &io.LimitedReader{R: r.br, N: info.Size}
	return info, r.body, nil
}
