package mailbox

// The in-memory parser parseMessageAt replaced, kept as the oracle of the
// differential tests: for every message whose header blocks are under
// maxParsedHeader both must derive the same cache entry.

import (
	"bytes"
	"crypto/sha1"

	"gocyrus/pkg/msgheader"
)

// parseMessage derives the cache entry of a message. It never fails: a
// message that is not valid MIME is described as well as it can be, as
// IMAP servers must.
func oracleParseMessage(raw []byte) parsedMessage {
	hdrEnd, bodyStart := oracleSplitHeader(raw)
	h := readHeader(raw[:hdrEnd])
	var p parsedMessage
	p.headerSize = uint32(bodyStart)
	p.cached.Envelope = envelopeOf(h)
	p.cached.Body = oracleBodyStructure(h, raw[bodyStart:], msgheader.TopLevel, 0)
	if bodyStart <= MaxCachedHeader {
		p.cached.Headers = wholeHeader(raw[:hdrEnd])
	} else {
		p.cached.Headers = rawFields(raw[:hdrEnd])
	}
	// The date rule is msgheader's, tested there; this oracle checks structure.
	if d, err := msgheader.ParseDate(field(h, "Date")); err == nil {
		p.sentDate = d
	}
	return p
}

// splitHeader finds the blank line ending the header: the header is
// raw[:hdrEnd], the body raw[bodyStart:].
func oracleSplitHeader(raw []byte) (hdrEnd, bodyStart int) {
	if bytes.HasPrefix(raw, []byte("\r\n")) {
		return 0, 2
	}
	if bytes.HasPrefix(raw, []byte("\n")) {
		return 0, 1
	}
	for i := 0; i < len(raw); i++ {
		if raw[i] != '\n' {
			continue
		}
		switch {
		case i+1 < len(raw) && raw[i+1] == '\n':
			return i + 1, i + 2
		case i+2 < len(raw) && raw[i+1] == '\r' && raw[i+2] == '\n':
			return i + 1, i + 3
		}
	}
	return len(raw), len(raw)
}

func oracleBodyStructure(h msgheader.Header, body []byte, ctx msgheader.Context, depth int) *BodyStructure {
	bs, mediaType, params := contentFields(h, ctx)
	bs.Size = uint32(len(body))

	switch {
	case bs.Type == "multipart" && depth < maxMIMEDepth:
		boundary := msgheader.ParamValue(params, "boundary")
		for _, part := range oracleSplitMultipart(body, boundary) {
			ph, pb := oracleSplitHeader(part)
			bs.Parts = append(bs.Parts, oracleBodyStructure(readHeader(part[:ph]), part[pb:], msgheader.ChildContext(mediaType), depth+1))
		}
		if len(bs.Parts) == 0 {
			// IMAP cannot express an empty multipart; describe one empty text part.
			bs.Parts = []*BodyStructure{{Type: "text", Subtype: "plain", Encoding: "7bit",
				Params: []Param{{"charset", "us-ascii"}}}}
		}
	case bs.Type == "message" && bs.Subtype == "rfc822" && depth < maxMIMEDepth:
		ih, ib := oracleSplitHeader(body)
		inner := readHeader(body[:ih])
		env := envelopeOf(inner)
		bs.Envelope = &env
		bs.Message = oracleBodyStructure(inner, body[ib:], msgheader.TopLevel, depth+1)
		bs.Lines = oracleCountLines(body)
	case bs.Type == "text":
		bs.Lines = oracleCountLines(body)
	}
	return bs
}

func oracleCountLines(b []byte) uint32 {
	return uint32(bytes.Count(b, []byte("\n")))
}

// splitMultipart returns the raw parts between boundary delimiter lines
// (RFC 2046 §5.1.1). The CRLF before a delimiter belongs to the delimiter.
func oracleSplitMultipart(body []byte, boundary string) [][]byte {
	if boundary == "" {
		return nil
	}
	delim := []byte("--" + boundary)
	var parts [][]byte
	start := -1 // start of the current part's content
	pos := 0
	for pos <= len(body) {
		lineEnd := bytes.IndexByte(body[pos:], '\n')
		var line []byte
		next := len(body) + 1
		if lineEnd >= 0 {
			line = body[pos : pos+lineEnd]
			next = pos + lineEnd + 1
		} else {
			line = body[pos:]
		}
		trimmed := bytes.TrimRight(line, " \t\r")
		if bytes.HasPrefix(trimmed, delim) {
			rest := trimmed[len(delim):]
			final := bytes.Equal(rest, []byte("--"))
			if final || len(rest) == 0 {
				if start >= 0 {
					end := pos
					if end > start && body[end-1] == '\n' {
						end--
						if end > start && body[end-1] == '\r' {
							end--
						}
					}
					parts = append(parts, body[start:end])
				}
				if final {
					return parts
				}
				start = min(next, len(body))
			}
		}
		pos = next
	}
	if start >= 0 && start < len(body) {
		parts = append(parts, body[start:]) // missing final delimiter
	}
	return parts
}

// toCRLF turns bare LF into CRLF; messages already in CRLF are returned as is.
func toCRLF(b []byte) []byte {
	bare := 0
	for i, c := range b {
		if c == '\n' && (i == 0 || b[i-1] != '\r') {
			bare++
		}
	}
	if bare == 0 {
		return b
	}
	out := make([]byte, 0, len(b)+bare)
	for len(b) > 0 {
		i := bytes.IndexByte(b, '\n')
		if i < 0 {
			out = append(out, b...)
			break
		}
		out = append(out, b[:i]...)
		if i == 0 || b[i-1] != '\r' {
			out = append(out, '\r')
		}
		out = append(out, '\n')
		b = b[i+1:]
	}
	return out
}

// newPrepared describes an in-memory message, as stored (tests and
// benchmarks that build indexes directly).
func newPrepared(path string, raw []byte) *Prepared {
	parsed := parseMessage(raw)
	return &Prepared{
		path:       path,
		size:       uint32(len(raw)),
		guid:       sha1.Sum(raw),
		headerSize: parsed.headerSize,
		sentDate:   parsed.sentDate,
		payload:    encodeCached(&parsed.cached),
	}
}
