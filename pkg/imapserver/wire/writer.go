package wire

import (
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/emersion/go-imap/v2"
)

// maxQuoted is the longest string sent quoted; longer ones go as literals,
// which clients read without scanning for escapes.
const maxQuoted = 1024

// Output buffering. A response is built in a buffer taken from a shared
// pool on its first byte and handed back by Flush, so an idle connection
// (a client in IDLE) holds no write buffer at all. The buffer grows with
// the response; when it passes flushThreshold its contents go to the
// connection, so a large response streams through a bounded buffer. A
// typical response therefore leaves whole in one write (Cyrus's 4 KiB
// chunks stall on Nagle and delayed ACKs).
const (
	initialBuffer  = 4 << 10
	flushThreshold = 64 << 10
	// maxPooled bounds the buffers kept for reuse: one grown by an
	// oversized single value (a literal) is left to the collector.
	maxPooled = 2 * flushThreshold
)

var bufferPool = sync.Pool{New: func() any {
	b := make([]byte, 0, initialBuffer)
	return &b
}}

// Writer encodes server responses. Nothing reaches the connection until
// Flush (or until the buffer passes flushThreshold during a very large
// response). The methods append to the current response; the first I/O
// error sticks and is returned by Flush and by the streaming methods.
type Writer struct {
	dst    io.Writer
	buf    []byte  // the response being built; nil between responses
	pooled *[]byte // the pool entry buf came from, returned by Flush
	err    error
	fields int // FETCH items written in the current FETCH response
	// UIDFetch makes BeginMessage write UIDFETCH responses (RFC 9586).
	UIDFetch bool
}

// NewWriter returns a Writer buffering for dst.
func NewWriter(dst io.Writer) *Writer {
	return &Writer{dst: dst}
}

// Wrap flushes what is buffered and interposes a transformation of the
// output stream (DEFLATE after COMPRESS, TLS after STARTTLS). If the new
// layer has a Flush() error method, Flush calls it so that each response
// leaves the compressor whole.
func (w *Writer) Wrap(fn func(io.Writer) io.Writer) error {
	if err := w.Flush(); err != nil {
		return err
	}
	w.dst = fn(w.dst)
	return nil
}

// Flush sends everything buffered and gives the buffer back to the pool.
func (w *Writer) Flush() error {
	if w.err != nil {
		return w.err
	}
	w.drain()
	w.release()
	if w.err != nil {
		return w.err
	}
	if f, ok := w.dst.(interface{ Flush() error }); ok {
		w.err = f.Flush()
	}
	return w.err
}

// Buffered reports how many bytes wait for Flush.
func (w *Writer) Buffered() int { return len(w.buf) }

// Err returns the sticky write error, if any.
func (w *Writer) Err() error { return w.err }

// grab makes sure a buffer is in place.
func (w *Writer) grab() {
	if w.buf == nil {
		w.pooled = bufferPool.Get().(*[]byte)
		w.buf = (*w.pooled)[:0]
	}
}

// release returns the (empty) buffer to the pool.
func (w *Writer) release() {
	if w.buf == nil {
		return
	}
	if cap(w.buf) <= maxPooled {
		*w.pooled = w.buf[:0]
		bufferPool.Put(w.pooled)
	}
	w.buf, w.pooled = nil, nil
}

// drain writes the buffer's contents to the connection, keeping the buffer.
func (w *Writer) drain() {
	if len(w.buf) == 0 || w.err != nil {
		return
	}
	_, w.err = w.dst.Write(w.buf)
	w.buf = w.buf[:0]
}

// spill sends the buffer early once a response has grown past the threshold.
func (w *Writer) spill() {
	if len(w.buf) >= flushThreshold {
		w.drain()
	}
}

func (w *Writer) raw(s string) *Writer {
	if w.err == nil {
		w.grab()
		w.buf = append(w.buf, s...)
		w.spill()
	}
	return w
}

func (w *Writer) rawBytes(b []byte) *Writer {
	if w.err == nil {
		w.grab()
		w.buf = append(w.buf, b...)
		w.spill()
	}
	return w
}

// String and AString call their encoders directly, not through a function
// value: an indirect call makes every string written escape, and with it
// the envelope and address buffers FETCH builds on the stack.

// Status is the status of a status response.
type Status string

const (
	OK      Status = "OK"
	NO      Status = "NO"
	BAD     Status = "BAD"
	PREAUTH Status = "PREAUTH"
	BYE     Status = "BYE"
)

// StatusResponse writes a complete status line: "<tag> <status> [<code>]
// <text>\r\n", with tag "*" for an untagged one. code is the response code
// without brackets, arguments included ("UIDNEXT 4392"; build arguments
// with the Append* helpers); "" for none. CR and LF in code and text are
// replaced so a response can never be split.
func (w *Writer) StatusResponse(tag string, status Status, code, text string) {
	if tag == "" {
		tag = "*"
	}
	w.raw(tag).raw(" ").raw(string(status)).raw(" ")
	if code != "" {
		w.raw("[").raw(sanitizeText(code, true)).raw("] ")
	}
	if text == "" {
		text = string(status) // text is mandatory on the wire
	}
	w.raw(sanitizeText(text, false)).raw("\r\n")
}

// Continuation writes "+ <text>\r\n" (text may be empty, e.g. for SASL a
// base64 challenge is the text).
func (w *Writer) Continuation(text string) {
	w.raw("+ ").raw(sanitizeText(text, false)).raw("\r\n")
}

// Star starts an untagged data response: "* ". Continue with the value
// methods and end with CRLF.
func (w *Writer) Star() *Writer { return w.raw("* ") }

// CRLF ends a response line.
func (w *Writer) CRLF() *Writer { return w.raw("\r\n") }

// SP writes a space.
func (w *Writer) SP() *Writer { return w.raw(" ") }

// Atom writes s verbatim; the caller guarantees it is a valid atom.
func (w *Writer) Atom(s string) *Writer { return w.raw(s) }

// Open and Close write list parentheses.
func (w *Writer) Open() *Writer  { return w.raw("(") }
func (w *Writer) Close() *Writer { return w.raw(")") }

// NIL writes NIL.
func (w *Writer) NIL() *Writer { return w.raw("NIL") }

// Number writes a decimal number.
func (w *Writer) Number(n uint32) *Writer { return w.Number64(uint64(n)) }

// Number64 writes a decimal 64-bit number.
func (w *Writer) Number64(n uint64) *Writer {
	if w.err == nil {
		w.grab()
		w.buf = strconv.AppendUint(w.buf, n, 10)
		w.spill()
	}
	return w
}

// String writes s as a quoted string or, when quoting cannot carry it (CR,
// LF, NUL, 8-bit bytes) or it is long, as a literal.
func (w *Writer) String(s string) *Writer {
	if w.err == nil {
		w.grab()
		w.buf = AppendString(w.buf, s)
		w.spill()
	}
	return w
}

// AString writes s as an atom when it is one (and not NIL), else as String.
func (w *Writer) AString(s string) *Writer {
	if w.err == nil {
		w.grab()
		w.buf = AppendAString(w.buf, s)
		w.spill()
	}
	return w
}

// NString writes s with String, or NIL when s is empty: the convention of
// the envelope and body-structure structs, where absent and empty coincide.
func (w *Writer) NString(s string) *Writer {
	if s == "" {
		return w.NIL()
	}
	return w.String(s)
}

// Flags writes a parenthesised flag list.
func (w *Writer) Flags(flags []imap.Flag) *Writer {
	w.raw("(")
	for i, f := range flags {
		if i > 0 {
			w.raw(" ")
		}
		w.raw(string(f))
	}
	return w.raw(")")
}

// DateTime writes a quoted RFC 3501 date-time (INTERNALDATE, SAVEDATE).
// A one-digit day is padded with a space (" 7-Dec-2026"), as Cyrus
// writes it; date-day-fixed allows that and "07".
func (w *Writer) DateTime(t time.Time) *Writer {
	if w.err == nil {
		w.grab()
		w.buf = append(t.AppendFormat(append(w.buf, '"'), "_2-Jan-2006 15:04:05 -0700"), '"')
		w.spill()
	}
	return w
}

// errShortLiteral reports a body shorter than its announced size; the
// response is then corrupt and the connection must be closed.
var errShortLiteral = errors.New("wire: literal body shorter than its size")

// Literal streams size bytes from body as a literal "{size}\r\n...",
// without holding the body in memory. binary selects literal8 "~{size}"
// (BINARY fetches of content with NUL). Any error is fatal to the
// connection because the client is left mid-literal.
func (w *Writer) Literal(size int64, body io.Reader, binary bool) error {
	if w.err != nil {
		return w.err
	}
	if binary {
		w.raw("~")
	}
	w.raw("{").Number64(uint64(size)).raw("}\r\n")
	if w.err != nil {
		return w.err
	}
	n, err := w.readFrom(body, size)
	if err != nil {
		if n < size && (err == io.EOF || err == io.ErrUnexpectedEOF) {
			err = fmt.Errorf("%w: %d of %d bytes", errShortLiteral, n, size)
		}
		w.err = err
	}
	return w.err
}

// readFrom reads size bytes from body straight into the buffer, sending it
// on whenever it passes the threshold.
func (w *Writer) readFrom(body io.Reader, size int64) (int64, error) {
	var done int64
	for done < size && w.err == nil {
		w.spill()
		room := flushThreshold - len(w.buf)
		want := int(min(int64(room), size-done))
		w.buf = slices.Grow(w.buf, want)
		k, err := body.Read(w.buf[len(w.buf) : len(w.buf)+want])
		w.buf = w.buf[:len(w.buf)+k]
		done += int64(k)
		if err == io.EOF && done < size {
			return done, io.ErrUnexpectedEOF
		}
		if err != nil && err != io.EOF {
			return done, err
		}
	}
	return done, w.err
}

// LiteralBytes writes b as a literal.
func (w *Writer) LiteralBytes(b []byte) *Writer {
	w.raw("{").raw(strconv.Itoa(len(b))).raw("}\r\n")
	return w.rawBytes(b)
}

// BeginFetch starts "* <seq> FETCH (". Each item starts with FetchItem and
// the response ends with EndFetch.
func (w *Writer) BeginFetch(seq uint32) *Writer {
	w.fields = 0
	return w.raw("* ").Number(seq).raw(" FETCH (")
}

// BeginMessage starts the FETCH response of one message: BeginFetch, or
// "* <uid> UIDFETCH (" in UIDFetch mode (RFC 9586 UIDONLY).
func (w *Writer) BeginMessage(seq, uid uint32) *Writer {
	if !w.UIDFetch {
		return w.BeginFetch(seq)
	}
	w.fields = 0
	return w.raw("* ").Number(uid).raw(" UIDFETCH (")
}

// FetchItem writes the item name (ResponseName of a request item, or
// "UID", "FLAGS", ...) preceded by a space when needed and followed by one;
// the value follows.
func (w *Writer) FetchItem(name string) *Writer {
	if w.fields > 0 {
		w.raw(" ")
	}
	w.fields++
	return w.raw(name).raw(" ")
}

// EndFetch ends the FETCH response.
func (w *Writer) EndFetch() *Writer { return w.raw(")\r\n") }

// sanitizeText makes s safe for resp-text: CR/LF (and "]" inside a code)
// would otherwise let data end the response early.
func sanitizeText(s string, inCode bool) string {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '\r' || c == '\n' || c == 0 || (inCode && c == ']') {
			b := []byte(s)
			for j := i; j < len(b); j++ {
				if b[j] == '\r' || b[j] == '\n' || b[j] == 0 || (inCode && b[j] == ']') {
					b[j] = ' '
				}
			}
			return string(b)
		}
	}
	return s
}
