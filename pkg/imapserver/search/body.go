package search

import (
	"bufio"
	"errors"
	"io"
	"strings"

	"gocyrus/pkg/msgheader"

	gomessage "github.com/emersion/go-message"
	_ "github.com/emersion/go-message/charset" // sets gomessage.CharsetReader
)

// maxEmbedDepth bounds recursion through multiparts and message/rfc822.
const maxEmbedDepth = 20

// The searchable text of a message body is every text/* part with its
// transfer encoding undone and converted to UTF-8, and the header and
// text of embedded messages, case-folded; a match never spans two parts.
// A message that is not valid MIME is searched as raw text. It is
// streamed through a foldMatcher, never held whole: memory does not grow
// with the message.

// errFound stops the stream once the needle is found.
var errFound = errors.New("search: found")

// bodyContains reports whether the folded needle n occurs in the
// searchable text of the message read from msg, whose header block is
// headerSize bytes long.
func bodyContains(msg io.ReaderAt, size, headerSize int64, n string) bool {
	if n == "" {
		return true
	}
	return walkBody(msg, size, headerSize, newFoldMatcher(n))
}

// partSink is given the searchable text of each part in turn; part
// returning true ends the walk (a match was found).
type partSink interface {
	part(r io.Reader) bool
}

// walkBody gives fm the searchable text of each part of the message read
// from msg, whose header block is headerSize bytes long, until fm.part
// returns true; it reports whether one did.
func walkBody(msg io.ReaderAt, size, headerSize int64, fm partSink) bool {
	e, err := gomessage.Read(bufio.NewReader(io.NewSectionReader(msg, 0, size)))
	if e == nil || (err != nil && !usable(err)) {
		headerSize = min(headerSize, size)
		return fm.part(io.NewSectionReader(msg, headerSize, size-headerSize))
	}
	return entityContains(fm, e, msgheader.TopLevel, 0)
}

// entityContains searches entity e, standing in ctx: its type is decided
// by the rule the body structure uses (msgheader.ContentType), so a part
// of a multipart/digest without a Content-Type is searched as the message
// it is.
func entityContains(fm partSink, e *gomessage.Entity, ctx msgheader.Context, depth int) bool {
	if depth > maxEmbedDepth {
		return false
	}
	mediaType, _ := msgheader.ContentType(msgheader.Unfold(e.Header.Get("Content-Type")), ctx)
	if mr := e.MultipartReader(); mr != nil {
		for {
			p, err := mr.NextPart()
			if p == nil || (err != nil && !usable(err)) {
				return false
			}
			if entityContains(fm, p, msgheader.ChildContext(mediaType), depth+1) {
				return true
			}
		}
	}
	switch {
	case strings.HasPrefix(mediaType, "text/"):
		return fm.part(decodedBody(e))
	case mediaType == "message/rfc822" || mediaType == "message/global":
		inner, err := gomessage.Read(e.Body)
		if inner == nil || (err != nil && !usable(err)) {
			return false
		}
		var hdr strings.Builder
		fields := inner.Header.Fields()
		for fields.Next() {
			v, err := fields.Text()
			if err != nil {
				v = fields.Value()
			}
			hdr.WriteString(fields.Key())
			hdr.WriteString(": ")
			hdr.WriteString(v)
			hdr.WriteByte('\n')
		}
		if fm.part(strings.NewReader(hdr.String())) {
			return true
		}
		return entityContains(fm, inner, msgheader.TopLevel, depth+1)
	}
	return false
}

// decodedBody is e's body with its transfer encoding undone by the one
// rule (msgheader.TransferEncoding): go-message knows only the bare token,
// so for "Quoted-Printable (comment)" it handed back the raw text, which
// (being ASCII) its charset conversion left as it was. That text is decoded
// again under the canonical name.
func decodedBody(e *gomessage.Entity) io.Reader {
	raw := e.Header.Get("Content-Transfer-Encoding")
	enc := msgheader.TransferEncoding(raw)
	if strings.EqualFold(strings.TrimSpace(raw), enc) {
		return e.Body
	}
	h := e.Header.Copy()
	h.Set("Content-Transfer-Encoding", enc)
	fixed, err := gomessage.New(h, e.Body)
	if fixed == nil || (err != nil && !usable(err)) {
		return e.Body
	}
	return fixed.Body
}

// usable reports whether an entity returned with err can still be read:
// go-message hands back the raw body when the charset or transfer encoding
// is unknown.
func usable(err error) bool {
	return gomessage.IsUnknownCharset(err) || gomessage.IsUnknownEncoding(err)
}
