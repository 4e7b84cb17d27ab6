package fetch

import (
	"bytes"
	"io"
	"strings"

	"gocyrus/pkg/msgheader"
)

const (
	// maxDepth bounds descent through nested parts, like the store's parser.
	maxDepth = 32
	// maxParsedHeader bounds the header bytes kept to read Content-Type and
	// Content-Transfer-Encoding; the walk goes on past it to find the body.
	maxParsedHeader = 256 << 10
)

// entity is one MIME entity of the message file: its header is the byte
// range [hdrStart, bodyStart), blank line included, its body [bodyStart,
// end).
type entity struct {
	hdrStart, bodyStart, end int64
	mediaType                string // lower case "type/subtype"
	boundary                 string // multipart only
	encoding                 string // lower case Content-Transfer-Encoding, "" if absent
}

func (e *entity) multipart() bool { return strings.HasPrefix(e.mediaType, "multipart/") }
func (e *entity) message() bool   { return e.mediaType == "message/rfc822" }

// msgFile is an open message file being walked.
type msgFile struct {
	r    io.ReaderAt
	size int64
}

// readEntity reads the header of the entity spanning [start, end),
// standing in ctx (which gives its type when it declares none).
func (f *msgFile) readEntity(start, end int64, ctx msgheader.Context) (entity, error) {
	e := entity{hdrStart: start, bodyStart: end, end: end}
	lr := newLineReader(f.r, start, end)
	defer lr.release()
	var hdr []byte
	for {
		line, cont, err := lr.next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return e, err
		}
		if !cont && isBlank(line) {
			e.bodyStart = lr.pos
			break
		}
		if len(hdr) < maxParsedHeader {
			hdr = append(hdr, line...)
		}
	}
	e.parseHeader(hdr, ctx)
	return e, nil
}

// parseHeader reads the content fields exactly as the store's parser does
// (msgheader.ContentType), so that part numbers agree with the cached body
// structure.
func (e *entity) parseHeader(hdr []byte, ctx msgheader.Context) {
	h := msgheader.ParseHeader(hdr)
	ct, _ := h.Get("Content-Type")
	var params []msgheader.Param
	e.mediaType, params = msgheader.ContentType(ct, ctx)
	if e.multipart() {
		e.boundary = msgheader.ParamValue(params, "boundary")
	}
	cte, _ := h.Get("Content-Transfer-Encoding")
	e.encoding = msgheader.TransferEncoding(cte)
}

// nthPart finds part n (1-based) of the multipart entity e.
func (f *msgFile) nthPart(e *entity, n int) (entity, bool, error) {
	if e.boundary == "" {
		return entity{}, false, nil
	}
	delim := "--" + e.boundary
	lr := newLineReader(f.r, e.bodyStart, e.end)
	defer lr.release()
	count := 0
	start := int64(-1) // start of the current part
	for {
		lineStart, before := lr.pos, lr.last
		line, cont, err := lr.next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return entity{}, false, err
		}
		if cont {
			continue
		}
		final, ok := delimiter(line, delim)
		if !ok {
			continue
		}
		if start >= 0 {
			if count++; count == n {
				end := lineStart
				if end > start && before[1] == '\n' {
					end--
					if end > start && before[0] == '\r' {
						end--
					}
				}
				part, err := f.readEntity(start, end, msgheader.ChildContext(e.mediaType))
				return part, err == nil, err
			}
		}
		if final {
			return entity{}, false, nil
		}
		start = lr.pos
	}
	if start >= 0 && start < e.end && count+1 == n {
		part, err := f.readEntity(start, e.end, msgheader.ChildContext(e.mediaType))
		return part, err == nil, err
	}
	return entity{}, false, nil
}

// delimiter reports whether line is a delimiter line for delim ("--" +
// boundary) and whether it is the close delimiter.
func delimiter(line []byte, delim string) (final, ok bool) {
	trimmed := bytes.TrimRight(line, " \t\r\n")
	if !bytes.HasPrefix(trimmed, []byte(delim)) {
		return false, false
	}
	switch rest := trimmed[len(delim):]; string(rest) {
	case "":
		return false, true
	case "--":
		return true, true
	}
	return false, false
}

// node is a position in the part tree: an entity, and whether it stands
// for a message (the top level, or the content of a message/rfc822 part)
// rather than a body part.
type node struct {
	entity
	isMessage bool
}

// locate finds the body part that path names, starting from the top-level
// message top. ok is false when there is no such part.
func (f *msgFile) locate(top entity, path []int) (part entity, ok bool, err error) {
	cur := node{top, true}
	for depth, n := range path {
		if depth >= maxDepth || n < 1 {
			return entity{}, false, nil
		}
		if !cur.isMessage && cur.message() {
			inner, err := f.readEntity(cur.bodyStart, cur.end, msgheader.TopLevel)
			if err != nil {
				return entity{}, false, err
			}
			cur = node{inner, true}
		}
		switch {
		case cur.multipart():
			child, ok, err := f.nthPart(&cur.entity, n)
			if !ok || err != nil {
				return entity{}, false, err
			}
			cur = node{child, false}
		case cur.isMessage && n == 1:
			cur.isMessage = false
		default:
			return entity{}, false, nil
		}
	}
	return cur.entity, true, nil
}
