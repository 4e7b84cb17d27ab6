package fetch

import (
	"bytes"
	"io"

	"gocyrus/pkg/imapserver/wire"

	"github.com/emersion/go-imap/v2"
)

// Content is one section's bytes read through an IMAP URL (CATENATE,
// URLFETCH): the same resolution as a FETCH of BODY[section] or
// BINARY[part], streamed instead of written as a literal.
type Content struct {
	io.Reader
	Size int64
	NUL  bool // the content holds NUL (BINARY: send as literal8)
	r    resolver
}

// Close releases the message file.
func (c *Content) Close() error {
	c.r.close()
	return nil
}

// Extract opens BODY[s]<partial> of m, or with binary BINARY[s.Part]
// (decoded, RFC 3516), for reading. The caller must Close it.
func Extract(m *Message, s wire.Section, partial *imap.SectionPartial, binary bool) (*Content, error) {
	c := &Content{r: resolver{m: m}}
	var p payload
	var err error
	if binary {
		p, err = c.r.binary(s.Part)
	} else {
		p, err = c.r.body(s)
	}
	if err != nil {
		c.r.close()
		return nil, err
	}
	skip, count := p.window(partial)
	c.Size, c.NUL = count, p.nul.within(skip, count)
	switch {
	case p.inMemory:
		c.Reader = bytes.NewReader(p.data[skip : skip+count])
	case p.encoding == "":
		c.Reader = io.NewSectionReader(c.r.mf.r, p.off+skip, count)
	default:
		d := newDecoder(p.encoding, io.NewSectionReader(c.r.mf.r, p.off, p.n))
		if _, err := io.CopyN(io.Discard, d, skip); err != nil {
			c.r.close()
			return nil, err
		}
		c.Reader = io.LimitReader(d, count)
	}
	return c, nil
}
