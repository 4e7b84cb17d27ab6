package fetch

import (
	"bytes"
	"io"

	"gocyrus/pkg/imapserver/wire"

	"github.com/emersion/go-imap/v2"
)

// payload is the content of one body item, resolved before anything is
// written: bytes built in memory, or a byte range of the message file to
// stream, possibly through a decoder (BINARY).
type payload struct {
	data     []byte // in-memory content, when inMemory
	inMemory bool
	off, n   int64   // file range, when !inMemory
	encoding string  // "base64" or "quoted-printable" to decode; "" to send as is
	size     int64   // content length (after decoding)
	nul      nulSpan // where NUL lies: a window meeting it is sent as literal8
}

func memoryPayload(b []byte) payload {
	return payload{data: b, inMemory: true, size: int64(len(b))}
}

func rangePayload(off, end int64) payload {
	n := max(end-off, 0)
	return payload{off: off, n: n, size: n}
}

// window applies a <origin.count> partial (RFC 3501: bytes from origin on,
// at most count of them; nothing when origin is past the end).
func (p *payload) window(partial *imap.SectionPartial) (skip, count int64) {
	if partial == nil {
		return 0, p.size
	}
	skip = min(max(partial.Offset, 0), p.size)
	count = p.size - skip
	if partial.Size >= 0 && partial.Size < count {
		count = partial.Size
	}
	return skip, count
}

// write sends the payload's window as a literal, or "" when it is empty.
func (p *payload) write(w *wire.Writer, file io.ReaderAt, partial *imap.SectionPartial) error {
	skip, count := p.window(partial)
	if count == 0 {
		w.String("")
		return w.Err()
	}
	literal8 := p.nul.within(skip, count)
	switch {
	case p.inMemory:
		return w.Literal(count, bytes.NewReader(p.data[skip:skip+count]), literal8)
	case p.encoding == "":
		return w.Literal(count, io.NewSectionReader(file, p.off+skip, count), literal8)
	}
	r := newDecoder(p.encoding, io.NewSectionReader(file, p.off, p.n))
	if _, err := io.CopyN(io.Discard, r, skip); err != nil {
		return err
	}
	return w.Literal(count, r, literal8)
}
