package lmtp

import (
	"bufio"
	"bytes"
	"errors"
	"io"
)

// stageBufSize is the one buffer between the connection's reader and the
// stage file: DATA is never held in memory beyond it and the header block.
const stageBufSize = 64 << 10

// dataStats is what reading DATA learned on the way to the stage file.
type dataStats struct {
	size   int64  // bytes of the message after unstuffing and CRLF conversion
	header []byte // the header block (up to, not including, the empty line), at most maxHeaderScan
	hasNUL bool
	tooBig bool // size went past the limit: the stage file holds only a prefix
}

// dataReader copies one dot-terminated DATA section from r to w.
//
// Framing: DATA ends only at CRLF "." CRLF (a first line of ".\r\n"
// counts, the DATA command's line end being the first CRLF). A "." line
// that ends in a bare LF, or follows a line that did, is message content,
// stored as ".\r\n": this is Postfix's smtpd_forbid_bare_newline =
// normalize, and it stops a message from smuggling a second transaction
// past a server that is more lenient than the one that sent it.
//
// Conversion: a leading dot is removed from any other line starting with
// one (RFC 5321 §4.5.2); an LF not preceded by CR becomes CRLF. The size
// limit counts converted bytes. Past the limit, or once a NUL byte is seen,
// nothing more is written (the message will be refused), but the input is
// read to its end so the session stays in step.
type dataReader struct {
	r        *bufio.Reader
	w        io.Writer
	max      int64  // 0 = unlimited
	deadline func() // re-arms the read deadline before each read; nil = none
	st       dataStats
	inHeader bool
}

// run reads up to the terminator. An error means the input ended (or timed
// out) before it, or w failed: the caller discards the stage file.
func (d *dataReader) run() (dataStats, error) {
	d.inHeader = true
	atStart := true  // the next fragment begins a line
	prevCRLF := true // the last line ended in CRLF (DATA's own counts)
	prevCR := false  // the last byte read was '\r'
	for {
		if d.deadline != nil {
			d.deadline()
		}
		frag, err := d.r.ReadSlice('\n')
		partial := errors.Is(err, bufio.ErrBufferFull)
		if err != nil && !partial {
			if err == io.EOF {
				err = io.ErrUnexpectedEOF
			}
			return d.st, err
		}
		if atStart && !partial && prevCRLF && bytes.Equal(frag, []byte(".\r\n")) {
			return d.st, nil
		}
		line := frag
		if atStart && len(line) > 0 && line[0] == '.' && !isDotLine(line) {
			line = line[1:]
		}
		if err := d.emit(line, prevCR, atStart); err != nil {
			return d.st, err
		}
		if !partial {
			prevCRLF = len(frag) >= 2 && frag[len(frag)-2] == '\r' || len(frag) == 1 && prevCR
		}
		prevCR = frag[len(frag)-1] == '\r'
		atStart = !partial
	}
}

// isDotLine: the line is a lone "." (ended by CRLF or LF), which is kept
// as content when it is not the terminator.
func isDotLine(line []byte) bool {
	return bytes.Equal(line, []byte(".\n")) || bytes.Equal(line, []byte(".\r\n"))
}

// emit writes one fragment, converting a bare LF line end to CRLF.
// prevCR says whether the byte before the fragment was '\r'.
func (d *dataReader) emit(frag []byte, prevCR, atStart bool) error {
	var out []byte
	var crlf [2]byte
	body := frag
	if n := len(frag); n > 0 && frag[n-1] == '\n' && !(n >= 2 && frag[n-2] == '\r') && !(n == 1 && prevCR) {
		body = frag[:n-1]
		crlf = [2]byte{'\r', '\n'}
		out = crlf[:]
	}
	n := int64(len(body) + len(out))
	if atStart && d.inHeader && isEmptyLine(frag) {
		d.inHeader = false
	}
	if bytes.IndexByte(body, 0) >= 0 {
		d.st.hasNUL = true
	}
	d.st.size += n
	if d.max > 0 && d.st.size > d.max {
		d.st.tooBig = true
	}
	if d.st.tooBig || d.st.hasNUL {
		d.inHeader = false
		return nil
	}
	if d.inHeader {
		if len(d.st.header)+int(n) > maxHeaderScan {
			// An endless header: its complete lines captured so far are
			// the header block, the rest is treated as body.
			d.inHeader = false
			d.st.header = d.st.header[:bytes.LastIndexByte(d.st.header, '\n')+1]
		} else {
			d.st.header = append(append(d.st.header, body...), out...)
		}
	}
	if _, err := d.w.Write(body); err != nil {
		return err
	}
	if _, err := d.w.Write(out); err != nil {
		return err
	}
	return nil
}

// isEmptyLine: frag, a whole line, is empty ("\r\n" or "\n").
func isEmptyLine(frag []byte) bool {
	return bytes.Equal(frag, []byte("\r\n")) || bytes.Equal(frag, []byte("\n"))
}
