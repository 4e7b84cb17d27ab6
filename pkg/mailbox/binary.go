package mailbox

import (
	"bufio"
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"gocyrus/pkg/msgheader"
)

// A message given in binary (an RFC 3516 literal8) may hold parts whose
// bytes are not text: Content-Transfer-Encoding binary, or NUL bytes. The
// store keeps every message file 7bit/8bit with CRLF line ends, so that
// BODY[] can always be served in an ordinary literal: EncodeBinary
// re-encodes each such leaf part as base64 (as Cyrus and Dovecot do on
// APPEND) from its exact bytes, so that BINARY[part] gives back exactly
// what the client sent. Everything else is passed with bare LF made CRLF.
//
// It reads src twice, streaming (a line at a time, a long line in pieces):
// once to find the leaves holding NUL, once to write. Memory does not grow
// with the message, only with the depth of multipart nesting.

// maxBinaryHeader bounds one entity's header block, which is held to be
// rewritten; maxBinaryDepth bounds multipart nesting.
const (
	maxBinaryHeader = 256 << 10
	maxBinaryDepth  = 64
)

// binaryLineBuf is the line reader's buffer: any boundary line fits.
const binaryLineBuf = 16 << 10

// EncodeBinary writes to w the storable form of the message src holds
// (size bytes). A NUL where it cannot be re-encoded (a header, a
// multipart preamble, a part declared base64 or quoted-printable) gives
// ErrNUL; nothing of such a message should be kept.
func EncodeBinary(w io.Writer, src io.ReaderAt, size int64) error {
	scan := &binaryWalker{nulLeaves: map[int]bool{}, scan: true}
	if err := scan.run(io.Discard, src, size); err != nil {
		return err
	}
	write := &binaryWalker{nulLeaves: scan.nulLeaves}
	return write.run(w, src, size)
}

// binaryWalker is one pass over a message. In the scan pass it records
// which leaves hold NUL (by order of appearance); the write pass uses that
// to decide, before a leaf's header is written, how to write its body.
type binaryWalker struct {
	scan      bool
	nulLeaves map[int]bool
	leaf      int
	br        *bufio.Reader
	out       *bufio.Writer
	lineStart bool // the next piece starts a line
}

func (b *binaryWalker) run(w io.Writer, src io.ReaderAt, size int64) error {
	b.br = bufio.NewReaderSize(io.NewSectionReader(src, 0, size), binaryLineBuf)
	b.out = bufio.NewWriter(w)
	b.lineStart = true
	if _, err := b.entity(nil, msgheader.TopLevel, 0); err != nil {
		return err
	}
	return b.out.Flush()
}

// piece is one read: a whole line (with its terminator) or, for a line
// longer than the buffer, a part of one.
type piece struct {
	data      []byte
	lineStart bool
}

func (b *binaryWalker) next() (piece, error) {
	data, err := b.br.ReadSlice('\n')
	if len(data) == 0 {
		if err == nil || errors.Is(err, bufio.ErrBufferFull) {
			err = io.ErrNoProgress
		}
		return piece{}, err
	}
	p := piece{data: data, lineStart: b.lineStart}
	b.lineStart = data[len(data)-1] == '\n'
	if err != nil && !errors.Is(err, bufio.ErrBufferFull) && !errors.Is(err, io.EOF) {
		return piece{}, err
	}
	return p, nil
}

// boundaryEnd is how an entity's content ended: at the end of input, or
// at a delimiter line of the enclosing multipart at boundary index idx
// (close: the "--b--" that ends that multipart).
type boundaryEnd struct {
	eof   bool
	idx   int
	close bool
	line  []byte // the delimiter line as read
}

// delimiter tells whether p is a delimiter line of one of bounds,
// innermost first (RFC 2046 §5.1.1: "--" boundary, "--" for the close,
// then optional blanks).
func delimiter(p piece, bounds []string) (boundaryEnd, bool) {
	if !p.lineStart || !bytes.HasPrefix(p.data, []byte("--")) {
		return boundaryEnd{}, false
	}
	line := bytes.TrimRight(p.data, " \t\r\n")
	for i := len(bounds) - 1; i >= 0; i-- {
		rest, ok := bytes.CutPrefix(line[2:], []byte(bounds[i]))
		if !ok {
			continue
		}
		switch string(rest) {
		case "":
			return boundaryEnd{idx: i, line: p.data}, true
		case "--":
			return boundaryEnd{idx: i, close: true, line: p.data}, true
		}
	}
	return boundaryEnd{}, false
}

// crlf returns a line piece with its terminator made CRLF.
func crlf(data []byte) (body []byte, term bool) {
	if body, ok := bytes.CutSuffix(data, []byte("\n")); ok {
		body, _ = bytes.CutSuffix(body, []byte("\r"))
		return body, true
	}
	return data, false
}

func (b *binaryWalker) writeLine(data []byte) {
	body, term := crlf(data)
	b.out.Write(body)
	if term {
		b.out.WriteString("\r\n")
	}
}

// entity reads one entity (header, blank line, body) up to a delimiter of
// bounds or the end, writing its storable form.
func (b *binaryWalker) entity(bounds []string, ctx msgheader.Context, depth int) (boundaryEnd, error) {
	if depth > maxBinaryDepth {
		return boundaryEnd{}, fmt.Errorf("%w: MIME nesting deeper than %d", ErrNotStorable, maxBinaryDepth)
	}
	var hdr []byte // header lines, CRLF
	for {
		p, err := b.next()
		if errors.Is(err, io.EOF) {
			b.out.Write(hdr)
			return boundaryEnd{eof: true}, nil
		}
		if err != nil {
			return boundaryEnd{}, err
		}
		if end, ok := delimiter(p, bounds); ok {
			b.out.Write(hdr)
			return end, nil
		}
		if bytes.IndexByte(p.data, 0) >= 0 {
			return boundaryEnd{}, ErrNUL
		}
		body, term := crlf(p.data)
		if p.lineStart && term && len(body) == 0 {
			break // the blank line ending the header
		}
		if len(hdr)+len(p.data) > maxBinaryHeader {
			return boundaryEnd{}, fmt.Errorf("%w: header over %d bytes", ErrNotStorable, maxBinaryHeader)
		}
		hdr = append(hdr, body...)
		if term {
			hdr = append(hdr, "\r\n"...)
		}
	}
	ct, _ := msgheader.Get(hdr, "Content-Type")
	mediaType, params := msgheader.ContentType(ct, ctx)
	cte, _ := msgheader.Get(hdr, "Content-Transfer-Encoding")
	cte = msgheader.TransferEncoding(cte)
	boundary := msgheader.ParamValue(params, "boundary")
	switch {
	case strings.HasPrefix(mediaType, "multipart/") && boundary != "":
		b.out.Write(hdr)
		b.out.WriteString("\r\n")
		return b.multipart(bounds, boundary, msgheader.ChildContext(mediaType), depth)
	case mediaType == "message/rfc822" && cte != "base64" && cte != "quoted-printable":
		b.out.Write(hdr)
		b.out.WriteString("\r\n")
		return b.entity(bounds, msgheader.TopLevel, depth+1)
	}
	leaf := b.leaf
	b.leaf++
	encode := cte == "binary" || b.nulLeaves[leaf]
	if encode && !b.scan {
		hdr = setBase64(hdr)
	}
	b.out.Write(hdr)
	b.out.WriteString("\r\n")
	switch {
	case b.scan:
		return b.leafBody(bounds, func(data []byte) error {
			if bytes.IndexByte(data, 0) >= 0 {
				if cte == "base64" || cte == "quoted-printable" {
					return ErrNUL
				}
				b.nulLeaves[leaf] = true
			}
			return nil
		}, false)
	case encode:
		enc := &lineBase64{w: b.out}
		end, err := b.leafBody(bounds, enc.write, cte != "binary")
		if err != nil {
			return end, err
		}
		enc.close()
		if !end.eof {
			b.out.WriteString("\r\n") // the delimiter's own CRLF
		}
		return end, nil
	default:
		end, err := b.leafBody(bounds, func(data []byte) error {
			b.out.Write(data)
			return nil
		}, true)
		if err == nil && !end.eof {
			b.out.WriteString("\r\n") // the delimiter's own CRLF
		}
		return end, err
	}
}

// leafBody passes a leaf's content to emit, up to a delimiter of bounds
// or the end. The line end before a delimiter belongs to the delimiter
// (RFC 2046 §5.1.1) and is not content; canon makes line ends CRLF (a
// text body), else they are passed as sent (binary).
func (b *binaryWalker) leafBody(bounds []string, emit func([]byte) error, canon bool) (boundaryEnd, error) {
	// held is the last line end seen, not yet known to be content: a
	// copy, as the reader's buffer is reused by the next read.
	var heldBuf [2]byte
	var held []byte
	for {
		p, err := b.next()
		if errors.Is(err, io.EOF) {
			if len(held) > 0 {
				if err := emit(held); err != nil {
					return boundaryEnd{}, err
				}
			}
			return boundaryEnd{eof: true}, nil
		}
		if err != nil {
			return boundaryEnd{}, err
		}
		if end, ok := delimiter(p, bounds); ok {
			return end, nil
		}
		if len(held) > 0 {
			if err := emit(held); err != nil {
				return boundaryEnd{}, err
			}
			held = nil
		}
		data := p.data
		if i := bytes.LastIndexByte(data, '\n'); i >= 0 && i == len(data)-1 {
			body, _ := crlf(data)
			data, held = body, append(heldBuf[:0], data[len(body):]...)
			if canon {
				held = append(heldBuf[:0], "\r\n"...)
			}
		}
		if err := emit(data); err != nil {
			return boundaryEnd{}, err
		}
	}
}

// multipart writes a multipart body: preamble, each part, the close
// delimiter and the epilogue, up to a delimiter of the enclosing bounds.
func (b *binaryWalker) multipart(bounds []string, boundary string, ctx msgheader.Context, depth int) (boundaryEnd, error) {
	inner := append(bounds[:len(bounds):len(bounds)], boundary)
	me := len(inner) - 1
	// Preamble and epilogue are text: line ends made CRLF, no NUL.
	text := func() (boundaryEnd, error) {
		for {
			p, err := b.next()
			if errors.Is(err, io.EOF) {
				return boundaryEnd{eof: true}, nil
			}
			if err != nil {
				return boundaryEnd{}, err
			}
			if end, ok := delimiter(p, inner); ok {
				return end, nil
			}
			if bytes.IndexByte(p.data, 0) >= 0 {
				return boundaryEnd{}, ErrNUL
			}
			b.writeLine(p.data)
		}
	}
	end, err := text()
	for err == nil && !end.eof && end.idx == me {
		b.writeLine(end.line)
		if end.close {
			end, err = text()
			break
		}
		end, err = b.entity(inner, ctx, depth+1)
	}
	// A delimiter of an enclosing multipart is written by its own loop.
	return end, err
}

// setBase64 replaces the Content-Transfer-Encoding field of a header
// block (CRLF lines) with "base64", adding one if there is none.
func setBase64(hdr []byte) []byte {
	const field = "Content-Transfer-Encoding: base64\r\n"
	var out []byte
	replaced, skipping := false, false
	for len(hdr) > 0 {
		i := bytes.Index(hdr, []byte("\r\n"))
		line := hdr
		if i >= 0 {
			line = hdr[:i+2]
		}
		hdr = hdr[len(line):]
		folded := line[0] == ' ' || line[0] == '\t'
		if folded && skipping {
			continue
		}
		skipping = false
		if name, _, ok := bytes.Cut(line, []byte(":")); ok && !folded &&
			msgheader.NameIs(bytes.TrimRight(name, " \t"), "Content-Transfer-Encoding") {
			skipping = true
			if !replaced {
				out = append(out, field...)
				replaced = true
			}
			continue
		}
		out = append(out, line...)
	}
	if !replaced {
		out = append(out, field...)
	}
	return out
}

// lineBase64 writes base64 in lines of 76 characters (RFC 2045 §6.8),
// each ended by CRLF.
type lineBase64 struct {
	w    *bufio.Writer
	part [57]byte // 57 bytes make one 76-character line
	n    int
}

func (e *lineBase64) write(data []byte) error {
	for len(data) > 0 {
		c := copy(e.part[e.n:], data)
		e.n += c
		data = data[c:]
		if e.n == len(e.part) {
			e.line()
		}
	}
	return nil
}

func (e *lineBase64) line() {
	var buf [76]byte
	base64.StdEncoding.Encode(buf[:], e.part[:e.n])
	e.w.Write(buf[:base64.StdEncoding.EncodedLen(e.n)])
	e.w.WriteString("\r\n")
	e.n = 0
}

// close writes the last line; an empty body writes nothing.
func (e *lineBase64) close() {
	if e.n > 0 {
		e.line()
	}
}

// OpenBinary reads a message given in binary (size bytes of r, all read
// unless reading fails; size -1: r to its end, for a message assembled as
// it is read) and returns its storable form (EncodeBinary) to read; Close
// releases it. A message up to memLimit bytes is held in memory, a larger
// one (or one of unknown size) in an unnamed file of stageDir, so memory
// stays bounded; r must bound an unknown size itself. An error from
// EncodeBinary comes before any byte is returned.
func OpenBinary(ctx context.Context, stageDir string, r io.Reader, size, memLimit int64) (io.ReadCloser, error) {
	if size >= 0 && size <= memLimit {
		raw := make([]byte, size)
		if _, err := io.ReadFull(r, raw); err != nil {
			return nil, err
		}
		var out bytes.Buffer
		if err := EncodeBinary(&out, bytes.NewReader(raw), size); err != nil {
			return nil, err
		}
		return io.NopCloser(&out), nil
	}
	f, err := openUnnamed(stageDir)
	if errors.Is(err, errUnnamedUnsupported) {
		// A named file unlinked at once: only a crash in between
		// leaves it, as a temp file reconstruct removes.
		if f, err = createTemp(stageDir, ""); err == nil {
			err = os.Remove(f.Name())
		}
	}
	if err != nil {
		if f != nil {
			f.Close()
		}
		return nil, err
	}
	if size < 0 {
		size, err = io.Copy(f, ctxReader{ctx, r})
	} else {
		_, err = io.CopyN(f, ctxReader{ctx, r}, size)
	}
	if err != nil {
		f.Close()
		return nil, err
	}
	scan := &binaryWalker{nulLeaves: map[int]bool{}, scan: true}
	if err := scan.run(io.Discard, f, size); err != nil {
		f.Close()
		return nil, err
	}
	pr, pw := io.Pipe()
	done := make(chan struct{})
	go func() {
		defer close(done)
		write := &binaryWalker{nulLeaves: scan.nulLeaves}
		pw.CloseWithError(write.run(pw, f, size))
	}()
	return &binaryPipe{pr: pr, done: done, f: f}, nil
}

// binaryPipe streams the write pass of a message held in a file.
type binaryPipe struct {
	pr   *io.PipeReader
	done chan struct{}
	f    *os.File
}

func (p *binaryPipe) Read(b []byte) (int, error) { return p.pr.Read(b) }

// Close stops the write pass (its writes then fail) and waits for it
// before closing the file it reads.
func (p *binaryPipe) Close() error {
	p.pr.Close()
	<-p.done
	return p.f.Close()
}

// ctxReader stops a copy when ctx ends.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(b []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(b)
}
