package fetch

import (
	"bufio"
	"bytes"
	"errors"
	"io"
)

// Content-Transfer-Encoding decoders for BINARY. Both are lenient in the
// way RFC 2045 recommends: bytes that cannot be decoded are skipped
// (base64) or passed through (quoted-printable); neither ever fails on
// content, so the counting pass and the sending pass agree.

// newDecoder returns a reader decoding src from enc ("base64" or
// "quoted-printable").
func newDecoder(enc string, src io.Reader) io.Reader {
	if enc == "base64" {
		return &base64Reader{src: src}
	}
	return &qpReader{src: bufio.NewReaderSize(src, 4096)}
}

// base64Values maps an alphabet byte to its 6-bit value, others to 0xff.
var base64Values = func() (t [256]byte) {
	for i := range t {
		t[i] = 0xff
	}
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
	for i := 0; i < len(alphabet); i++ {
		t[alphabet[i]] = byte(i)
	}
	return t
}()

// base64Reader decodes base64, ignoring bytes outside the alphabet. A "="
// ends the current quantum, so concatenated encodings decode too.
type base64Reader struct {
	src  io.Reader
	in   [4096]byte
	buf  [3 * 4096 / 4]byte
	out  []byte
	acc  uint32
	held int // sextets in acc
	err  error
}

func (r *base64Reader) Read(p []byte) (int, error) {
	for len(r.out) == 0 {
		if r.err != nil {
			return 0, r.err
		}
		n, err := r.src.Read(r.in[:])
		out := r.buf[:0]
		for _, c := range r.in[:n] {
			if c == '=' {
				out = r.flush(out)
				continue
			}
			v := base64Values[c]
			if v == 0xff {
				continue
			}
			r.acc = r.acc<<6 | uint32(v)
			if r.held++; r.held == 4 {
				out = append(out, byte(r.acc>>16), byte(r.acc>>8), byte(r.acc))
				r.acc, r.held = 0, 0
			}
		}
		if err != nil {
			out = r.flush(out)
			r.err = err
		}
		r.out = out
	}
	n := copy(p, r.out)
	r.out = r.out[n:]
	return n, nil
}

// flush emits the bytes of an incomplete quantum: 2 sextets hold one byte,
// 3 hold two; a lone sextet holds none.
func (r *base64Reader) flush(out []byte) []byte {
	switch r.held {
	case 2:
		out = append(out, byte(r.acc>>4))
	case 3:
		out = append(out, byte(r.acc>>10), byte(r.acc>>2))
	}
	r.acc, r.held = 0, 0
	return out
}

// qpReader decodes quoted-printable line by line: trailing blanks are
// transport padding, "=" at the end of a line is a soft break, "=XY" (hex,
// either case) is a byte, and any other "=" is itself. Line breaks come out
// as CRLF.
type qpReader struct {
	src    *bufio.Reader
	carry  [2]byte // the tail of a long line's piece that may start an escape
	nCarry int
	join   []byte // carry + the next piece, reused: a line may be 100s of MiB
	buf    []byte
	out    []byte
	err    error
}

func (r *qpReader) Read(p []byte) (int, error) {
	for len(r.out) == 0 {
		if r.err != nil {
			return 0, r.err
		}
		piece, err := r.src.ReadSlice('\n')
		midLine := errors.Is(err, bufio.ErrBufferFull)
		if midLine {
			err = nil
		}
		if r.nCarry > 0 {
			r.join = append(append(r.join[:0], r.carry[:r.nCarry]...), piece...)
			piece, r.nCarry = r.join, 0
		}
		if midLine {
			// Keep a possible partial escape ("=" or "=X") for the
			// next piece.
			keep := 0
			if i := bytes.LastIndexByte(piece, '='); i >= 0 && i >= len(piece)-2 {
				keep = len(piece) - i
			}
			r.nCarry = copy(r.carry[:], piece[len(piece)-keep:])
			piece = piece[:len(piece)-keep]
		}
		r.out = decodeQPLine(r.buf[:0], piece, !midLine)
		r.buf = r.out[:0]
		r.err = err
	}
	n := copy(p, r.out)
	r.out = r.out[n:]
	return n, nil
}

// decodeQPLine appends the decoding of line to dst. complete says the
// piece ends a line (with its LF, or at the end of the data).
func decodeQPLine(dst, line []byte, complete bool) []byte {
	eol := false
	if complete {
		if n := len(line); n > 0 && line[n-1] == '\n' {
			line, eol = line[:n-1], true
			if n := len(line); n > 0 && line[n-1] == '\r' {
				line = line[:n-1]
			}
		}
		line = bytes.TrimRight(line, " \t")
	}
	soft := false
	if complete && len(line) > 0 && line[len(line)-1] == '=' {
		line, soft = line[:len(line)-1], true
	}
	for i := 0; i < len(line); i++ {
		c := line[i]
		if c == '=' && i+2 < len(line) {
			hi, ok1 := unhex(line[i+1])
			lo, ok2 := unhex(line[i+2])
			if ok1 && ok2 {
				dst = append(dst, hi<<4|lo)
				i += 2
				continue
			}
		}
		dst = append(dst, c)
	}
	if eol && !soft {
		dst = append(dst, '\r', '\n')
	}
	return dst
}

func unhex(c byte) (byte, bool) {
	switch {
	case '0' <= c && c <= '9':
		return c - '0', true
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10, true
	case 'A' <= c && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}

// decodedSize runs a decoder to the end, counting its output and noting
// where its NUL bytes lie.
func decodedSize(r io.Reader) (size int64, nul nulSpan, err error) {
	var buf [4096]byte
	for {
		n, err := r.Read(buf[:])
		if i := bytes.IndexByte(buf[:n], 0); i >= 0 {
			if !nul.any {
				nul = nulSpan{any: true, first: size + int64(i)}
			}
			nul.last = size + int64(bytes.LastIndexByte(buf[:n], 0))
		}
		size += int64(n)
		if err == io.EOF {
			return size, nul, nil
		}
		if err != nil {
			return size, nul, err
		}
	}
}

// nulSpan is where the NUL bytes of some content lie: from first to last
// (offsets), when there is any.
type nulSpan struct {
	any         bool
	first, last int64
}

// within tells whether the window of count bytes from skip may hold a
// NUL: it meets the span. A BINARY partial that holds none is an ordinary
// literal, as Cyrus sends it (RFC 3516 §4.2 asks for literal8 only for
// content with NUL).
func (s nulSpan) within(skip, count int64) bool {
	return s.any && skip <= s.last && skip+count > s.first
}
