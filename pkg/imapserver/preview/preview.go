package preview

import (
	"bufio"
	"io"
	"strings"
	"unicode"

	"gocyrus/pkg/msgheader"

	gomessage "github.com/emersion/go-message"
	_ "github.com/emersion/go-message/charset" // sets gomessage.CharsetReader
)

// MaxChars is RFC 8970's limit on a preview, in characters.
const MaxChars = 256

const (
	maxRead  = 1 << 20  // bytes of the message file read at most
	maxScan  = 64 << 10 // decoded bytes of the text part looked at
	maxDepth = 20       // multipart nesting followed
)

// Of returns the preview of the message in msg (size bytes, the header
// block headerSize of them).
func Of(msg io.ReaderAt, size, headerSize int64) string {
	src := bufio.NewReader(io.NewSectionReader(msg, 0, min(size, maxRead)))
	e, err := gomessage.Read(src)
	if e == nil || (err != nil && !usable(err)) {
		// Not MIME at all: the body, as Cyrus's search treats it, is text.
		headerSize = min(max(headerSize, 0), size, maxRead)
		return text(io.NewSectionReader(msg, headerSize, min(size, maxRead)-headerSize), false)
	}
	body, html, ok := firstText(e, msgheader.TopLevel, 0)
	if !ok {
		return ""
	}
	return text(body, html)
}

// firstText finds the first text part of e, standing in ctx.
func firstText(e *gomessage.Entity, ctx msgheader.Context, depth int) (body io.Reader, html, ok bool) {
	if depth > maxDepth {
		return nil, false, false
	}
	mediaType, _ := msgheader.ContentType(msgheader.Unfold(e.Header.Get("Content-Type")), ctx)
	if mr := e.MultipartReader(); mr != nil {
		for {
			p, err := mr.NextPart()
			if p == nil || (err != nil && !usable(err)) {
				return nil, false, false
			}
			if attachment(p) {
				continue
			}
			if body, html, ok := firstText(p, msgheader.ChildContext(mediaType), depth+1); ok {
				return body, html, true
			}
		}
	}
	if !strings.HasPrefix(mediaType, "text/") {
		return nil, false, false
	}
	return e.Body, mediaType == "text/html", true
}

func attachment(e *gomessage.Entity) bool {
	d, _, err := e.Header.ContentDisposition()
	return err == nil && strings.EqualFold(d, "attachment")
}

// usable reports whether an entity returned with err can still be read:
// go-message hands back the raw body when the charset or transfer encoding
// is unknown.
func usable(err error) bool {
	return gomessage.IsUnknownCharset(err) || gomessage.IsUnknownEncoding(err)
}

// text reads the decoded part and returns its preview.
func text(r io.Reader, html bool) string {
	in := bufio.NewReader(io.LimitReader(r, maxScan))
	var b builder
	var h htmlFilter
	for !b.full() {
		c, _, err := in.ReadRune()
		if err != nil {
			break
		}
		if html {
			h.feed(c, &b)
		} else {
			b.add(c)
		}
	}
	return b.String()
}

// builder collects at most MaxChars characters with white space
// collapsed.
type builder struct {
	strings.Builder
	n       int
	pending bool // a space is due before the next character
}

func (b *builder) full() bool { return b.n >= MaxChars }

// space notes a break between words.
func (b *builder) space() { b.pending = b.n > 0 }

func (b *builder) add(c rune) {
	if b.full() {
		return
	}
	// Control characters (NUL included) are never sent: they count as
	// white space.
	if unicode.IsSpace(c) || unicode.IsControl(c) {
		b.space()
		return
	}
	if b.pending {
		if b.n+2 > MaxChars { // no room for a word after the space
			b.n = MaxChars
			return
		}
		b.WriteByte(' ')
		b.n++
		b.pending = false
	}
	b.WriteRune(c)
	b.n++
}
