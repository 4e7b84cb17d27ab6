package search

import (
	"bytes"
	"io"
	"strings"

	gomessage "github.com/emersion/go-message"
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
	oracleEntityText(&b, e, 0)
	return foldString(b.String())
}

func oracleEntityText(b *strings.Builder, e *gomessage.Entity, depth int) {
	if depth > maxEmbedDepth {
		return
	}
	if mr := e.MultipartReader(); mr != nil {
		for {
			p, err := mr.NextPart()
			if p == nil || (err != nil && !usable(err)) {
				return
			}
			oracleEntityText(b, p, depth+1)
		}
	}
	mediaType, _, err := e.Header.ContentType()
	if err != nil || mediaType == "" {
		mediaType = "text/plain"
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
		oracleEntityText(b, inner, depth+1)
	}
}
