package mailbox

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"gocyrus/pkg/msgheader"
)

// maxMIMEDepth bounds recursion through nested multiparts and messages.
const maxMIMEDepth = 32

// maxMIMEParts bounds the body-structure entries of one message (Dovecot's
// message parser has the same default of 10000 in all): a message of
// nothing but boundary lines must not make millions of them in memory and
// in the cache entry. Once the budget is spent a multipart's last part
// takes the rest of its body as its text, and parts are not split
// further.
const maxMIMEParts = 10000

// MaxCachedHeader is the largest header block kept whole in the cache;
// a larger one keeps only cachedHeaderFields. See HeaderCached.
const MaxCachedHeader = 64 << 10

// HeaderCached reports whether rec's Cached.Headers holds the message's
// whole header block, so any header field can be read without opening the
// message file (SEARCH HEADER, FETCH BODY[HEADER.FIELDS]).
func HeaderCached(rec Record) bool { return rec.HeaderSize <= MaxCachedHeader }

// cachedHeaderFields are the fields kept in Cached.Headers when the header
// block is over MaxCachedHeader.
var cachedHeaderFields = map[string]bool{
	"from": true, "to": true, "cc": true, "bcc": true, "subject": true, "date": true,
	"message-id": true, "in-reply-to": true, "references": true,
}

// parsedMessage is everything Append derives from the message bytes.
type parsedMessage struct {
	cached     Cached
	headerSize uint32
	sentDate   time.Time
}

// maxParsedHeader bounds the header block of a message, or of one of its
// parts, read into memory to be parsed: bytes past it are counted in the
// sizes but not parsed. It is far above any real header.
const maxParsedHeader = 1 << 20

// parseMessage derives the cache entry of a message held in memory.
func parseMessage(raw []byte) parsedMessage {
	p, _ := parseMessageAt(bytes.NewReader(raw), int64(len(raw)))
	return p
}

// parseMessageAt derives the cache entry of the message of size bytes in
// ra (a spool file) without holding it: lines are scanned through a small
// buffer and only header blocks (bounded by maxParsedHeader) are read
// whole. It fails only when ra does: a message that is not valid MIME is
// described as well as it can be, as IMAP servers must.
func parseMessageAt(ra io.ReaderAt, size int64) (parsedMessage, error) {
	ps := &msgParser{ra: ra}
	all := section{0, size}
	hdrEnd, bodyStart := ps.splitHeader(all)
	hdr := ps.bytes(section{0, hdrEnd})
	h := readHeader(hdr)
	var p parsedMessage
	p.headerSize = uint32(bodyStart)
	p.cached.Envelope = envelopeOf(h)
	p.cached.Body = ps.bodyStructure(h, section{bodyStart, size - bodyStart}, msgheader.TopLevel, 0)
	if bodyStart <= MaxCachedHeader {
		p.cached.Headers = wholeHeader(hdr)
	} else {
		p.cached.Headers = rawFields(hdr)
	}
	if d, err := msgheader.ParseDate(field(h, "Date")); err == nil {
		p.sentDate = d
	}
	return p, ps.err
}

// section is a byte range of the message: off from its start, n bytes.
type section struct{ off, n int64 }

// sub is s[a:b].
func (s section) sub(a, b int64) section { return section{s.off + a, b - a} }

// msgParser reads a message through ReadAt; the first read error is kept
// in err and ends every later read.
type msgParser struct {
	ra    io.ReaderAt
	err   error
	parts int // body-structure entries made so far (maxMIMEParts)
}

// bytes reads s into memory, at most maxParsedHeader bytes of it.
func (ps *msgParser) bytes(s section) []byte {
	n := min(s.n, maxParsedHeader)
	if n <= 0 || ps.err != nil {
		return nil
	}
	b := make([]byte, n)
	if _, err := ps.ra.ReadAt(b, s.off); err != nil && !(err == io.EOF) {
		ps.err = fmt.Errorf("read message: %w", err)
		return nil
	}
	return b
}

// line is one line of a section as a lineScanner sees it: start and
// length (line end included) relative to the section, whether it ends
// with LF, and what a boundary check needs: the first bytes of its
// content (up to the scanner's keep) and whether the content past them
// is only spaces, tabs and CRs.
type line struct {
	start, length int64
	complete      bool
	prefix        []byte
	tailWS        bool
	endsCR        bool // the content's last byte is CR
}

// blank reports a complete empty line ("\n" or "\r\n").
func (l *line) blank() bool {
	c := l.length
	if !l.complete {
		return false
	}
	return c == 1 || c == 2 && l.endsCR
}

// lineScanner yields the lines of a section through a pooled buffer.
type lineScanner struct {
	ps   *msgParser
	br   *bufio.Reader
	pos  int64
	keep int
	cur  line
	// prevCR: the content of the line before cur ends with CR.
	prevCR bool
}

var scanBuffers = sync.Pool{New: func() any { return bufio.NewReaderSize(nil, 16<<10) }}

func (ps *msgParser) lines(s section, keep int) *lineScanner {
	br := scanBuffers.Get().(*bufio.Reader)
	br.Reset(io.NewSectionReader(ps.ra, s.off, s.n))
	return &lineScanner{ps: ps, br: br, keep: keep}
}

// close returns the buffer to the pool.
func (sc *lineScanner) close() {
	sc.br.Reset(nil)
	scanBuffers.Put(sc.br)
	sc.br = nil
}

// next reads the next line into sc.cur; false at the end or on error.
func (sc *lineScanner) next() bool {
	if sc.ps.err != nil {
		return false
	}
	l := &sc.cur
	sc.prevCR = l.endsCR
	*l = line{start: sc.pos, prefix: l.prefix[:0], tailWS: true}
	for {
		chunk, err := sc.br.ReadSlice('\n')
		l.length += int64(len(chunk))
		content := chunk
		if n := len(chunk); n > 0 && chunk[n-1] == '\n' {
			l.complete = true
			content = chunk[:n-1]
		}
		if n := len(content); n > 0 {
			l.endsCR = content[n-1] == '\r'
		}
		if room := sc.keep - len(l.prefix); room > 0 {
			take := min(room, len(content))
			l.prefix = append(l.prefix, content[:take]...)
			content = content[take:]
		}
		if l.tailWS && len(bytes.TrimLeft(content, " \t\r")) > 0 {
			l.tailWS = false
		}
		if err == bufio.ErrBufferFull {
			continue
		}
		if err != nil && err != io.EOF {
			sc.ps.err = fmt.Errorf("read message: %w", err)
			return false
		}
		if l.length == 0 {
			return false
		}
		sc.pos += l.length
		return true
	}
}

// splitHeader finds the blank line ending the header of s: the header is
// s[:hdrEnd], the body s[bodyStart:].
func (ps *msgParser) splitHeader(s section) (hdrEnd, bodyStart int64) {
	sc := ps.lines(s, 0)
	defer sc.close()
	for sc.next() {
		if sc.cur.blank() {
			return sc.cur.start, sc.cur.start + sc.cur.length
		}
	}
	return s.n, s.n
}

// readHeader parses a header block; a damaged line is skipped and the
// fields after it still count (as for SEARCH HEADER and Sieve).
func readHeader(b []byte) msgheader.Header { return msgheader.ParseHeader(b) }

// field returns the unfolded value of the first field called name.
func field(h msgheader.Header, name string) string {
	v, _ := h.Get(name)
	return v
}

// rawFields copies the cached header fields, folded lines included.
func rawFields(hdr []byte) []byte {
	var out []byte
	keep := false
	for len(hdr) > 0 {
		line := hdr
		if i := bytes.IndexByte(hdr, '\n'); i >= 0 {
			line = hdr[:i+1]
		}
		hdr = hdr[len(line):]
		if line[0] != ' ' && line[0] != '\t' {
			name, _, ok := bytes.Cut(line, []byte(":"))
			keep = ok && cachedHeaderFields[strings.ToLower(strings.TrimSpace(string(name)))]
		}
		if keep {
			out = append(out, bytes.TrimRight(line, "\r\n")...)
			out = append(out, '\r', '\n')
		}
	}
	return out
}

// wholeHeader returns the header block with CRLF line ends.
func wholeHeader(hdr []byte) []byte {
	out := make([]byte, 0, len(hdr)+16)
	for len(hdr) > 0 {
		line := hdr
		if i := bytes.IndexByte(hdr, '\n'); i >= 0 {
			line = hdr[:i+1]
		}
		hdr = hdr[len(line):]
		out = append(out, bytes.TrimRight(line, "\r\n")...)
		out = append(out, '\r', '\n')
	}
	return out
}

// unspecifiedDomain is the host Cyrus gives an address without one, so an
// ENVELOPE mailbox never looks like a group marker (empty host).
const unspecifiedDomain = "unspecified-domain"

func envelopeOf(h msgheader.Header) Envelope {
	e := Envelope{
		Date:      field(h, "Date"),
		Subject:   msgheader.Text(h.Raw("Subject")),
		From:      addressList(h, "From"),
		Sender:    addressList(h, "Sender"),
		ReplyTo:   addressList(h, "Reply-To"),
		To:        addressList(h, "To"),
		Cc:        addressList(h, "Cc"),
		Bcc:       addressList(h, "Bcc"),
		InReplyTo: field(h, "In-Reply-To"),
		MessageID: field(h, "Message-Id"),
	}
	if len(e.Sender) == 0 {
		e.Sender = e.From
	}
	if len(e.ReplyTo) == 0 {
		e.ReplyTo = e.From
	}
	return e
}

// addressList is the ENVELOPE form of an address field: a group is a
// start marker {Mailbox: name} and an end marker {} (RFC 3501 §7.4.2).
func addressList(h msgheader.Header, key string) []Address {
	raw, ok := h.Get(key)
	if !ok {
		return nil
	}
	list := msgheader.ParseAddressList(raw)
	if len(list) == 0 {
		return nil
	}
	out := make([]Address, 0, len(list))
	for _, a := range list {
		switch a.Kind {
		case msgheader.KindGroupStart:
			out = append(out, Address{Mailbox: a.Mailbox})
		case msgheader.KindGroupEnd:
			out = append(out, Address{})
		default:
			host := a.Host
			if host == "" {
				host = unspecifiedDomain
			}
			out = append(out, Address{Name: a.Name, Route: a.Route, Mailbox: a.Mailbox, Host: host})
		}
	}
	return out
}

// bodyStructure describes the entity with header h and body body, standing
// in ctx (which gives its type when it declares none).
func (ps *msgParser) bodyStructure(h msgheader.Header, body section, ctx msgheader.Context, depth int) *BodyStructure {
	ps.parts++
	budget := maxMIMEParts - ps.parts
	bs, mediaType, params := contentFields(h, ctx)
	bs.Size = uint32(body.n)

	switch {
	case bs.Type == "multipart" && depth < maxMIMEDepth:
		// Over budget a multipart still has one part (IMAP needs one):
		// past it, only chains as deep as maxMIMEDepth can grow.
		boundary := msgheader.ParamValue(params, "boundary")
		parts, folded := ps.splitMultipart(body, boundary, max(budget, 1))
		for i, part := range parts {
			if folded && i == len(parts)-1 {
				// The rest of the body, delimiters and all, as text.
				bs.Parts = append(bs.Parts, ps.foldedPart(part))
				break
			}
			ph, pb := ps.splitHeader(part)
			ph2 := readHeader(ps.bytes(part.sub(0, ph)))
			bs.Parts = append(bs.Parts, ps.bodyStructure(ph2, part.sub(pb, part.n), msgheader.ChildContext(mediaType), depth+1))
		}
		if len(bs.Parts) == 0 {
			// IMAP cannot express an empty multipart; describe one empty text part.
			bs.Parts = []*BodyStructure{{Type: "text", Subtype: "plain", Encoding: "7bit",
				Params: []Param{{"charset", "us-ascii"}}}}
		}
	case bs.Type == "message" && bs.Subtype == "rfc822" && depth < maxMIMEDepth:
		ih, ib := ps.splitHeader(body)
		inner := readHeader(ps.bytes(body.sub(0, ih)))
		env := envelopeOf(inner)
		bs.Envelope = &env
		bs.Message = ps.bodyStructure(inner, body.sub(ib, body.n), msgheader.TopLevel, depth+1)
		bs.Lines = ps.countLines(body)
	case bs.Type == "text":
		bs.Lines = ps.countLines(body)
	}
	return bs
}

// foldedPart describes the part that took the rest of a multipart once
// maxMIMEParts was reached: headerless text, not split further.
func (ps *msgParser) foldedPart(s section) *BodyStructure {
	ps.parts++
	return &BodyStructure{Type: "text", Subtype: "plain", Encoding: "7bit",
		Params: []Param{{"charset", "us-ascii"}}, Size: uint32(s.n), Lines: ps.countLines(s)}
}

// countLines counts the line breaks of s, as Cyrus and Dovecot do: a last
// line without LF is not counted, and a part of a multipart ends before the
// CRLF of the next delimiter (RFC 2046 §5.1.1), so its last line is not.
func (ps *msgParser) countLines(s section) uint32 {
	if s.n == 0 || ps.err != nil {
		return 0
	}
	buf := countBuffers.Get().(*[]byte)
	defer countBuffers.Put(buf)
	var n int64
	for off := int64(0); off < s.n; {
		b := (*buf)[:min(int64(len(*buf)), s.n-off)]
		if _, err := ps.ra.ReadAt(b, s.off+off); err != nil && err != io.EOF {
			ps.err = fmt.Errorf("read message: %w", err)
			return 0
		}
		n += int64(bytes.Count(b, []byte("\n")))
		off += int64(len(b))
	}
	return uint32(n)
}

var countBuffers = sync.Pool{New: func() any { b := make([]byte, 32<<10); return &b }}

// contentFields describes an entity from its header h, standing in ctx:
// everything of its body structure but size, lines and children.
// Parameters keep header order, as Cyrus sends them.
func contentFields(h msgheader.Header, ctx msgheader.Context) (bs *BodyStructure, mediaType string, params []msgheader.Param) {
	bs = &BodyStructure{Encoding: "7bit"}
	mediaType, params = msgheader.ContentType(field(h, "Content-Type"), ctx)
	bs.Type, bs.Subtype, _ = strings.Cut(mediaType, "/")
	bs.Params = paramsOf(params)
	bs.ID = field(h, "Content-Id")
	bs.Description = field(h, "Content-Description")
	if enc := msgheader.TransferEncoding(field(h, "Content-Transfer-Encoding")); enc != "" {
		bs.Encoding = enc
	}
	bs.MD5 = field(h, "Content-Md5")
	bs.Location = field(h, "Content-Location")
	if lang := field(h, "Content-Language"); lang != "" {
		for _, l := range strings.Split(lang, ",") {
			if l = strings.TrimSpace(l); l != "" {
				bs.Language = append(bs.Language, l)
			}
		}
	}
	if d, dp, ok := msgheader.ParseValue(field(h, "Content-Disposition")); ok {
		bs.Disposition = d
		bs.DispositionParams = paramsOf(dp)
	}
	return bs, mediaType, params
}

func paramsOf(ps []msgheader.Param) []Param {
	if len(ps) == 0 {
		return nil
	}
	out := make([]Param, len(ps))
	for i, p := range ps {
		out[i] = Param(p)
	}
	return out
}

// splitMultipart returns the parts of body between boundary delimiter
// lines (RFC 2046 §5.1.1): a line that is "--boundary" or "--boundary--"
// once trailing spaces, tabs and CRs are cut. The line end before a
// delimiter belongs to the delimiter. At most limit parts are returned:
// when there are more, the last one allowed runs to the end of body, later
// delimiters and all, and folded is set.
func (ps *msgParser) splitMultipart(body section, boundary string, limit int) (parts []section, folded bool) {
	if boundary == "" {
		return nil, false
	}
	delim := []byte("--" + boundary)
	sc := ps.lines(body, len(delim)+2)
	defer sc.close()
	start := int64(-1) // start of the current part's content
	for sc.next() {
		l := &sc.cur
		if !l.tailWS {
			continue // longer than any delimiter
		}
		trimmed := bytes.TrimRight(l.prefix, " \t\r")
		rest, ok := bytes.CutPrefix(trimmed, delim)
		final := ok && string(rest) == "--"
		if !ok || !final && len(rest) > 0 {
			continue
		}
		if start >= 0 && len(parts) == limit-1 {
			return append(parts, body.sub(start, body.n)), true
		}
		if start >= 0 {
			end := l.start
			if end > start { // the previous line ended with LF
				end--
				if sc.prevCR {
					end--
				}
			}
			parts = append(parts, body.sub(start, end))
		}
		if final {
			return parts, false
		}
		start = l.start + l.length
	}
	if start >= 0 && start < body.n {
		parts = append(parts, body.sub(start, body.n)) // missing final delimiter
	}
	return parts, false
}
