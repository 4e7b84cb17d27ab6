package fetch

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"

	"gocyrus/pkg/imapserver/wire"
	"gocyrus/pkg/mailbox"
	"gocyrus/pkg/msgheader"

	"github.com/emersion/go-imap/v2"
)

// ErrUnavailable is returned when a message's file is missing, unreadable
// or not a regular file: the message is gone as far as the client can
// tell, the session is not.
var ErrUnavailable = errors.New("message file unavailable")

// resolver holds what the items of one Write share: the cache entry and the
// message file, each read at most once.
type resolver struct {
	m      *Message
	cached *mailbox.Cached
	file   *os.File
	mf     msgFile
	top    *entity
}

func (r *resolver) close() {
	if r.file != nil {
		r.file.Close()
	}
}

func (r *resolver) loadCached() (*mailbox.Cached, error) {
	if r.cached != nil {
		return r.cached, nil
	}
	if r.m.Cached != nil {
		r.cached = r.m.Cached
		return r.cached, nil
	}
	if r.m.View == nil {
		return nil, errors.New("fetch: no mailbox view to read the cache from")
	}
	c, err := r.m.View.Cached(r.m.Record)
	if err != nil {
		return nil, err
	}
	r.cached = c
	return c, nil
}

func (r *resolver) open() (*msgFile, error) {
	if r.file != nil {
		return &r.mf, nil
	}
	if r.m.Open == nil {
		return nil, errors.New("fetch: no message file to read")
	}
	f, err := r.m.Open()
	if errors.Is(err, fs.ErrNotExist) || errors.Is(err, fs.ErrPermission) || errors.Is(err, mailbox.ErrNoSuchMessage) {
		return nil, fmt.Errorf("%w: %w", ErrUnavailable, err)
	}
	if err != nil {
		return nil, err
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		// A directory opens but fails the first read, which would come
		// with the response half written.
		f.Close()
		return nil, fmt.Errorf("%w: %s is not a regular file", ErrUnavailable, f.Name())
	}
	r.file = f
	r.mf = msgFile{r: f, size: fi.Size()}
	return &r.mf, nil
}

// headerEnd is where the top-level body starts: Record.HeaderSize when it
// fits the file, which saves reading the header.
func (r *resolver) headerEnd(f *msgFile) (int64, error) {
	if hs := int64(r.m.Record.HeaderSize); hs > 0 && hs <= f.size {
		return hs, nil
	}
	top, err := r.topEntity(f)
	return top.bodyStart, err
}

func (r *resolver) topEntity(f *msgFile) (entity, error) {
	if r.top == nil {
		e, err := f.readEntity(0, f.size, msgheader.TopLevel)
		if err != nil {
			return e, err
		}
		r.top = &e
	}
	return *r.top, nil
}

// body resolves a BODY[section] (and the RFC822 forms) to its content.
func (r *resolver) body(s wire.Section) (payload, error) {
	if len(s.Part) == 0 && s.Specifier == imap.PartSpecifierHeader && s.Fields != nil &&
		(mailbox.HeaderCached(r.m.Record) || (!s.NotFields && servableFromCache(s.Fields))) {
		if c, err := r.loadCached(); err == nil {
			out, err := filterHeader(bytes.NewReader(c.Headers), 0, int64(len(c.Headers)), s.Fields, s.NotFields)
			return memoryPayload(out), err
		}
		// An unreadable cache entry: the file still has the answer.
	}
	f, err := r.open()
	if err != nil {
		return payload{}, err
	}
	if len(s.Part) == 0 {
		switch s.Specifier {
		case imap.PartSpecifierNone:
			return rangePayload(0, f.size), nil
		case imap.PartSpecifierHeader, imap.PartSpecifierText:
			hdrEnd, err := r.headerEnd(f)
			if err != nil {
				return payload{}, err
			}
			return r.messageSection(f, s, entity{hdrStart: 0, bodyStart: hdrEnd, end: f.size})
		}
		return memoryPayload(nil), nil // MIME needs a part number
	}
	top, err := r.topEntity(f)
	if err != nil {
		return payload{}, err
	}
	part, ok, err := f.locate(top, s.Part)
	if err != nil || !ok {
		return memoryPayload(nil), err
	}
	switch s.Specifier {
	case imap.PartSpecifierNone:
		return rangePayload(part.bodyStart, part.end), nil
	case imap.PartSpecifierMIME:
		return rangePayload(part.hdrStart, part.bodyStart), nil
	}
	if !part.message() {
		return memoryPayload(nil), nil // HEADER and TEXT need a message/rfc822 part
	}
	inner, err := f.readEntity(part.bodyStart, part.end, msgheader.TopLevel)
	if err != nil {
		return payload{}, err
	}
	return r.messageSection(f, s, inner)
}

// messageSection resolves HEADER, HEADER.FIELDS[.NOT] or TEXT of message msg.
func (r *resolver) messageSection(f *msgFile, s wire.Section, msg entity) (payload, error) {
	switch {
	case s.Specifier == imap.PartSpecifierText:
		return rangePayload(msg.bodyStart, msg.end), nil
	case s.Fields != nil:
		out, err := filterHeader(f.r, msg.hdrStart, msg.bodyStart, s.Fields, s.NotFields)
		return memoryPayload(out), err
	}
	return rangePayload(msg.hdrStart, msg.bodyStart), nil
}

// binary resolves BINARY[part] (and BINARY.SIZE) to the decoded content of
// the part; exists is false when there is no such part.
func (r *resolver) binary(part []int) (p payload, err error) {
	f, err := r.open()
	if err != nil {
		return payload{}, err
	}
	var e entity
	if len(part) == 0 {
		e = entity{bodyStart: 0, end: f.size} // the whole message, as stored
	} else {
		top, err := r.topEntity(f)
		if err != nil {
			return payload{}, err
		}
		var ok bool
		if e, ok, err = f.locate(top, part); err != nil || !ok {
			return memoryPayload(nil), err
		}
	}
	p = rangePayload(e.bodyStart, e.end)
	var src io.Reader = io.NewSectionReader(f.r, p.off, p.n)
	switch e.encoding {
	case "", "7bit", "8bit", "binary":
	case "base64", "quoted-printable":
		p.encoding = e.encoding
		src = newDecoder(e.encoding, src)
	default:
		return payload{}, &wire.Error{No: true, Code: "UNKNOWN-CTE",
			Msg: fmt.Sprintf("cannot decode Content-Transfer-Encoding %q", e.encoding)}
	}
	size, nul, err := decodedSize(src)
	if err != nil {
		return payload{}, err
	}
	p.size, p.nul = size, nul
	return p, nil
}
