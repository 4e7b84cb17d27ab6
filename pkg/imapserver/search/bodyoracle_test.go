package search

import (
	"bytes"
	"io"
	"strings"

	gomessage "github.com/emersion/go-message"

	"gocyrus/pkg/msgheader"
)

// oracleBodyText is the whole-message implementation BODY searches had
// before they streamed, kept as the test oracle. It returns the searchable text of a message body, case-folded:
// every text/* part with its transfer encoding undone and converted to
// UTF-8, and the header and text of embedded messages. Parts are separated
// by NUL, which no search string can contain, so a match never spans two
// parts. A message that is not valid MIME is searched as raw text.
func oracleBodyText(raw []byte, headerSize int) string {
	var b strings.Builder
	e, err := gomessage.Read(bytes.NewReader(raw))
	if e == nil || (err != nil && !usable(err)) {
		if headerSize > len(raw) {
			headerSize = len(raw)
		}
		return foldString(string(raw[headerSize:]))
	}
	oracleEntityText(&b, e, msgheader.TopLevel, 0)
	return foldString(b.String())
}

// oracleEntityText decides each part's type by the one rule
// (msgheader.ContentType, which has its own tests), as the streaming
// search does: the two are compared on streaming and decoding, not on
// how a malformed Content-Type is read.
func oracleEntityText(b *strings.Builder, e *gomessage.Entity, ctx msgheader.Context, depth int) {
	if depth > maxEmbedDepth {
		return
	}
	mediaType, _ := msgheader.ContentType(msgheader.Unfold(e.Header.Get("Content-Type")), ctx)
	if mr := e.MultipartReader(); mr != nil {
		for {
			p, err := mr.NextPart()
			if p == nil || (err != nil && !usable(err)) {
				return
			}
			oracleEntityText(b, p, msgheader.ChildContext(mediaType), depth+1)
		}
	}
	switch {
	case strings.HasPrefix(mediaType, "text/"):
		body, _ := io.ReadAll(e.Body)
		b.Write(body)
		b.WriteByte(0)
	case mediaType == "message/rfc822" || mediaType == "message/global":
		inner, err := gomessage.Read(e.Body)
		if inner == nil || (err != nil && !usable(err)) {
			return
		}
		var hdr bytes.Buffer
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
		b.Write(hdr.Bytes())
		b.WriteByte(0)
		oracleEntityText(b, inner, msgheader.TopLevel, depth+1)
	}
}
