package wire

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"strings"
)

// Defaults used when an Options field is zero.
const (
	DefaultMaxLineLength   = 64 << 10
	DefaultMaxLiteralSize  = 64 << 20
	DefaultMaxStringBuffer = 1 << 20

	// literalMinusMax is RFC 7888's ceiling for non-synchronising literals
	// under LITERAL-.
	literalMinusMax = 4096
	// maxTooLongDiscard bounds how much of an over-long line is read and
	// thrown away looking for its end before giving up on the connection.
	maxTooLongDiscard = 1 << 20
	// maxNesting bounds parenthesis depth (SEARCH, BODYSTRUCTURE-like input)
	// so hostile input cannot exhaust the stack.
	maxNesting = 64
	// readBufferSize is small because every connection holds one for as
	// long as it lives, mostly idle; longer lines are assembled from
	// several fills, and streamed literals bypass it for large reads.
	readBufferSize = 4 << 10
)

// LiteralInfo describes a literal the client announced.
type LiteralInfo struct {
	Size    int64
	Sync    bool // "{n}": the client waits for a continuation request
	Binary  bool // literal8 "~{n}" (RFC 3516)
	Message bool // an APPEND message body, streamed rather than held in memory
}

// LiteralFunc is called before the bytes of a synchronising literal within
// the limits are read. It must either send "+ <text>" and flush, returning
// nil, or return an error (preferably an *Error such as
// &Error{Msg: "Mailbox does not exist", Code: "TRYCREATE", No: true}); then
// the literal is not read, the client does not send it, and the stream stays
// in step.
type LiteralFunc func(LiteralInfo) error

// Options sets the limits of a Reader. Zero values take the defaults above.
type Options struct {
	// MaxLineLength bounds a command's text excluding literals, summed over
	// all its lines.
	MaxLineLength int
	// MaxLiteralSize bounds an APPEND message literal (maxmessagesize).
	MaxLiteralSize int64
	// MaxStringBuffer bounds the literal bytes held in memory for one
	// command's string arguments.
	MaxStringBuffer int
	// LiteralMinus limits non-synchronising literals to 4096 bytes (RFC 7888
	// LITERAL-) instead of accepting any size within the limits (LITERAL+).
	LiteralMinus bool
	// Continue is called before a synchronising literal is read; nil
	// refuses every synchronising literal.
	Continue LiteralFunc
}

// Reader reads IMAP commands from a client, one at a time. It is not safe
// for concurrent use.
type Reader struct {
	br   *bufio.Reader
	src  io.Reader
	opts Options

	line     []byte // current line fragment without its CRLF
	pos      int    // parse position in line
	cmdLen   int    // command text read for the current command
	litBytes int    // literal bytes held in memory for the current command
	needLine bool   // a literal ended the fragment; its continuation is unread
	body     *io.LimitedReader
	inCmd    bool // a command was started and its end not yet consumed
	depth    int

	// cmdErr is a recoverable failure of the current command's input (an
	// over-long continuation line, already discarded): every token read
	// returns it until the next ReadCommand. dead is an I/O or fatal error:
	// every call returns it from then on.
	cmdErr error
	dead   error
	// err is the first failure of the command being parsed (lexer.go):
	// every token reader does nothing once it is set.
	err error
}

// NewReader returns a Reader over src with the given limits.
func NewReader(src io.Reader, opts Options) *Reader {
	if opts.MaxLineLength <= 0 {
		opts.MaxLineLength = DefaultMaxLineLength
	}
	if opts.MaxLiteralSize <= 0 {
		opts.MaxLiteralSize = DefaultMaxLiteralSize
	}
	if opts.MaxStringBuffer <= 0 {
		opts.MaxStringBuffer = DefaultMaxStringBuffer
	}
	return &Reader{br: bufio.NewReaderSize(src, readBufferSize), src: src, opts: opts}
}

// SetContinue replaces the synchronising-literal callback.
func (r *Reader) SetContinue(fn LiteralFunc) { r.opts.Continue = fn }

// SetLiteralMinus switches between LITERAL+ and LITERAL- semantics.
func (r *Reader) SetLiteralMinus(on bool) { r.opts.LiteralMinus = on }

// Wrap interposes a transformation of the byte stream, e.g. a DEFLATE
// decompressor after COMPRESS (RFC 4978) or a TLS layer after STARTTLS.
// Bytes already buffered are kept: the new layer reads them first.
// Call it between commands.
func (r *Reader) Wrap(fn func(io.Reader) io.Reader) {
	r.src = fn(r.br)
	r.br = bufio.NewReaderSize(r.src, readBufferSize)
}

// Buffered reports how many received bytes are buffered but unparsed. A
// session about to STARTTLS should refuse when it is not zero (command
// injection, CVE-2011-0411 style).
func (r *Reader) Buffered() int { return r.br.Buffered() }

// Command is the start of a client command: its tag and name.
type Command struct {
	Tag  string
	Name string // upper case; for "UID FETCH" this is "FETCH"
	UID  bool   // the command had the UID prefix
}

// ReadCommand reads the next command's tag and name, leaving the reader at
// the arguments for a Parse function (or EOL for commands without any).
// Whatever is left of a previous command is skipped first. On error the
// returned Command holds the tag when it could be read.
func (r *Reader) ReadCommand() (Command, error) {
	var cmd Command
	r.err = nil
	if r.dead != nil {
		return cmd, r.dead
	}
	if r.cmdErr != nil {
		r.cmdErr, r.inCmd, r.needLine, r.body = nil, false, false, nil
	}
	if r.inCmd || r.body != nil || r.needLine {
		if err := r.skipCommand(); err != nil {
			return cmd, err
		}
	}
	r.cmdLen, r.litBytes, r.depth = 0, 0, 0
	for {
		r.inCmd = true
		err := r.readLine()
		if err != nil {
			var werr *Error
			if errors.As(err, &werr) {
				cmd.Tag = r.peekTag()
			}
			return cmd, err
		}
		if len(r.line) > 0 {
			break
		}
		r.cmdLen = 0 // blank lines between commands are ignored
	}
	tag, err := r.tag()
	if err != nil {
		return cmd, err
	}
	cmd.Tag = tag
	if err := r.SP(); err != nil {
		return cmd, syntaxErr("missing command name")
	}
	name, err := r.Atom()
	if err != nil {
		return cmd, syntaxErr("missing command name")
	}
	cmd.Name = strings.ToUpper(name)
	if cmd.Name == "UID" {
		cmd.UID = true
		if err := r.SP(); err != nil {
			return cmd, syntaxErr("missing command after UID")
		}
		if name, err = r.Atom(); err != nil {
			return cmd, syntaxErr("missing command after UID")
		}
		cmd.Name = strings.ToUpper(name)
	}
	return cmd, nil
}

// ReadLine reads one raw line outside command syntax: a SASL response to
// an AUTHENTICATE challenge, or IDLE's "DONE". The line-length limit
// applies; the CRLF is stripped.
func (r *Reader) ReadLine() (string, error) {
	if r.dead != nil {
		return "", r.dead
	}
	r.cmdErr, r.err = nil, nil
	if r.inCmd || r.body != nil || r.needLine {
		if err := r.skipCommand(); err != nil {
			return "", err
		}
	}
	r.cmdLen = 0
	if err := r.readLine(); err != nil {
		return "", err
	}
	s := string(r.line)
	r.pos = len(r.line)
	return s, nil
}

// eol consumes the end of the command; every parser calls it last.
func (r *Reader) eol() {
	if !r.ok() {
		return
	}
	if r.pos != len(r.line) {
		r.fail(syntaxErr("unexpected %q at end of command", r.rest(16)))
		return
	}
	r.inCmd = false
}

// EOL consumes the end of the command, for commands without arguments and
// handlers that read their own.
func (r *Reader) EOL() error {
	r.eol()
	_, err := take(r, 0)
	return err
}

// peekTag extracts a tag from the start of the current (maybe partial)
// line so that an over-long command can still be answered with its tag.
func (r *Reader) peekTag() string {
	i := 0
	for i < len(r.line) && i < 64 && isAStringChar(r.line[i]) && r.line[i] != '+' {
		i++
	}
	if i == 0 || i == len(r.line) || r.line[i] != ' ' {
		return ""
	}
	return string(r.line[:i])
}

// readLine reads the next line fragment into r.line, enforcing the
// command's remaining text budget, and records any failure.
func (r *Reader) readLine() error {
	return r.note(r.readLineRaw())
}

// note records err as the command's or the connection's failure.
func (r *Reader) note(err error) error {
	if err == nil {
		return nil
	}
	var werr *Error
	if errors.As(err, &werr) && !werr.Fatal {
		r.cmdErr = err
	} else {
		r.dead = err
	}
	return err
}

func (r *Reader) readLineRaw() error {
	r.line, r.pos, r.needLine = r.line[:0], 0, false
	budget := r.opts.MaxLineLength - r.cmdLen
	for {
		chunk, err := r.br.ReadSlice('\n')
		if len(r.line)+len(chunk) > budget+2 { // +2: the CRLF is not text
			keep := budget - len(r.line)
			if keep > 0 {
				r.line = append(r.line, chunk[:keep]...)
			}
			return r.lineTooLong(chunk, err)
		}
		r.line = append(r.line, chunk...)
		if err == nil {
			break
		}
		if err != bufio.ErrBufferFull {
			if err == io.EOF && len(r.line) > 0 {
				return io.ErrUnexpectedEOF
			}
			return err
		}
	}
	r.line = r.line[:len(r.line)-1]
	if n := len(r.line); n > 0 && r.line[n-1] == '\r' {
		r.line = r.line[:n-1]
	}
	r.cmdLen += len(r.line)
	return nil
}

// lineTooLong throws away the rest of an over-long line. The stream can be
// resynchronised when its end turns up soon and it does not announce a
// non-synchronising literal (whose bytes would follow unasked).
func (r *Reader) lineTooLong(chunk []byte, err error) error {
	r.inCmd, r.needLine, r.body = false, false, nil
	r.pos = len(r.line)
	tail := append([]byte(nil), lastBytes(chunk, 24)...)
	discarded := len(chunk)
	for err == bufio.ErrBufferFull {
		if discarded > maxTooLongDiscard {
			return fatalErr("command line too long")
		}
		chunk, err = r.br.ReadSlice('\n')
		discarded += len(chunk)
		tail = lastBytes(append(tail, chunk...), 24)
	}
	if err != nil {
		return fatalErr("command line too long")
	}
	tail = trimEOL(tail)
	if _, nonSync, ok := trailingLiteral(tail); ok && nonSync || !ok && malformedLiteral(tail) {
		return fatalErr("command line too long")
	}
	return syntaxErr("command line too long")
}

// skipCommand discards whatever is left of the current command so the next
// ReadCommand starts at a command boundary. Literals the client sends
// unasked (LITERAL+) are read and dropped; a synchronising literal ends the
// skip, because the client waits for a continuation that never comes.
func (r *Reader) skipCommand() error {
	if r.dead != nil {
		return r.dead
	}
	if r.cmdErr != nil {
		return nil // the failing line was discarded already
	}
	for {
		if r.body != nil {
			if _, err := io.Copy(io.Discard, r.body); err != nil {
				return r.note(err)
			}
			r.body = nil
			r.needLine = true
		}
		if r.needLine {
			if err := r.readLine(); err != nil {
				var werr *Error
				if errors.As(err, &werr) && !werr.Fatal {
					r.cmdErr = nil // discarded: we are at a boundary now
					r.inCmd = false
					return nil
				}
				return err
			}
		}
		rest := r.line[r.pos:]
		r.pos = len(r.line)
		n, nonSync, ok := trailingLiteral(rest)
		if !ok && malformedLiteral(rest) {
			// Its bytes may be on their way: they must not run as commands.
			return r.note(fatalErr("invalid literal"))
		}
		if !ok || !nonSync {
			r.inCmd = false
			return nil
		}
		if n > r.opts.MaxLiteralSize {
			return r.note(fatalErr("literal too big"))
		}
		if _, err := io.CopyN(io.Discard, r.br, n); err != nil {
			return r.note(err)
		}
		r.needLine = true
	}
}

// ensureLine makes the current fragment available: it finishes a streamed
// literal the caller left unread and reads the line after a literal.
func (r *Reader) ensureLine() error {
	if r.dead != nil {
		return r.dead
	}
	if r.cmdErr != nil {
		return r.cmdErr
	}
	if r.body != nil {
		if _, err := io.Copy(io.Discard, r.body); err != nil {
			return r.note(err)
		}
		r.body = nil
		r.needLine = true
	}
	if r.needLine {
		return r.readLine()
	}
	return nil
}

// trailingLiteral recognises "{n}", "{n+}", "~{n}" at the end of a line.
func trailingLiteral(b []byte) (n int64, nonSync, ok bool) {
	if len(b) < 3 || b[len(b)-1] != '}' {
		return 0, false, false
	}
	i := len(b) - 2
	if b[i] == '+' || b[i] == '-' {
		nonSync = true
		i--
	}
	end := i + 1
	for i >= 0 && isDigit(b[i]) {
		i--
	}
	if i < 0 || b[i] != '{' || i+1 == end {
		return 0, false, false
	}
	n, ok = parseUint(b[i+1:end], 1<<62)
	return n, nonSync, ok
}

// malformedLiteral recognises what trailingLiteral refuses but a client
// may have meant as a literal header ("{5 +}", "{5++}", "{-1}", a size of
// too many digits): the line ends with "{" digits, signs or spaces "}".
func malformedLiteral(b []byte) bool {
	if len(b) < 2 || b[len(b)-1] != '}' {
		return false
	}
	i := bytes.LastIndexByte(b, '{')
	if i < 0 || i+1 == len(b)-1 {
		return false
	}
	for _, c := range b[i+1 : len(b)-1] {
		if !isDigit(c) && c != '+' && c != '-' && c != ' ' {
			return false
		}
	}
	return true
}

func lastBytes(b []byte, n int) []byte {
	if len(b) > n {
		return b[len(b)-n:]
	}
	return b
}

func trimEOL(b []byte) []byte {
	for len(b) > 0 && (b[len(b)-1] == '\n' || b[len(b)-1] == '\r') {
		b = b[:len(b)-1]
	}
	return b
}

func parseUint(b []byte, max int64) (int64, bool) {
	if len(b) == 0 || len(b) > 19 {
		return 0, false
	}
	var n int64
	for _, c := range b {
		if !isDigit(c) {
			return 0, false
		}
		n = n*10 + int64(c-'0')
		if n > max {
			return 0, false
		}
	}
	return n, true
}
