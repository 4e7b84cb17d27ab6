package mailbox

import (
	"bufio"
	"bytes"
	"mime"
	"net/mail"
	"strings"
	"time"

	"github.com/emersion/go-message"
	gmail "github.com/emersion/go-message/mail"
	"github.com/emersion/go-message/textproto"

	_ "github.com/emersion/go-message/charset" // RFC 2047 words in legacy charsets
)

// maxMIMEDepth bounds recursion through nested multiparts and messages.
const maxMIMEDepth = 32

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

// parseMessage derives the cache entry of a message. It never fails: a
// message that is not valid MIME is described as well as it can be, as
// IMAP servers must.
func parseMessage(raw []byte) parsedMessage {
	hdrEnd, bodyStart := splitHeader(raw)
	h := readHeader(raw[:hdrEnd])
	var p parsedMessage
	p.headerSize = uint32(bodyStart)
	p.cached.Envelope = envelopeOf(h)
	p.cached.Body = bodyStructureOf(h, raw[bodyStart:], 0)
	if bodyStart <= MaxCachedHeader {
		p.cached.Headers = wholeHeader(raw[:hdrEnd])
	} else {
		p.cached.Headers = rawFields(raw[:hdrEnd])
	}
	if d, err := mail.ParseDate(unfold(h.Get("Date"))); err == nil {
		p.sentDate = d
	}
	return p
}

// splitHeader finds the blank line ending the header: the header is
// raw[:hdrEnd], the body raw[bodyStart:].
func splitHeader(raw []byte) (hdrEnd, bodyStart int) {
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

func readHeader(b []byte) textproto.Header {
	// ReadHeader wants the terminating blank line; a bad header yields
	// whatever parsed before the damage.
	r := bufio.NewReader(bytes.NewReader(append(append([]byte(nil), b...), "\r\n"...)))
	h, _ := textproto.ReadHeader(r)
	return h
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

func unfold(s string) string {
	s = strings.NewReplacer("\r\n", "", "\n", "").Replace(s)
	return strings.TrimSpace(s)
}

func envelopeOf(h textproto.Header) Envelope {
	mh := gmail.Header{Header: message.Header{Header: h}}
	subject, err := mh.Subject()
	if err != nil {
		subject = unfold(h.Get("Subject"))
	}
	e := Envelope{
		Date:      unfold(h.Get("Date")),
		Subject:   subject,
		From:      addressList(mh, "From"),
		Sender:    addressList(mh, "Sender"),
		ReplyTo:   addressList(mh, "Reply-To"),
		To:        addressList(mh, "To"),
		Cc:        addressList(mh, "Cc"),
		Bcc:       addressList(mh, "Bcc"),
		InReplyTo: unfold(h.Get("In-Reply-To")),
		MessageID: unfold(h.Get("Message-Id")),
	}
	if len(e.Sender) == 0 {
		e.Sender = e.From
	}
	if len(e.ReplyTo) == 0 {
		e.ReplyTo = e.From
	}
	return e
}

func addressList(h gmail.Header, key string) []Address {
	if !h.Has(key) {
		return nil
	}
	list, err := h.AddressList(key)
	if err != nil {
		// Unparsable: keep the raw text as a display name so it is not lost.
		if raw := unfold(h.Get(key)); raw != "" {
			return []Address{{Name: raw}}
		}
		return nil
	}
	out := make([]Address, 0, len(list))
	for _, a := range list {
		local, host := a.Address, ""
		if i := strings.LastIndexByte(a.Address, '@'); i >= 0 {
			local, host = a.Address[:i], a.Address[i+1:]
		}
		out = append(out, Address{Name: a.Name, Mailbox: local, Host: host})
	}
	return out
}

func bodyStructureOf(h textproto.Header, body []byte, depth int) *BodyStructure {
	bs := &BodyStructure{Type: "text", Subtype: "plain", Encoding: "7bit"}
	mediaType, params, err := mime.ParseMediaType(h.Get("Content-Type"))
	if err == nil {
		if t, s, ok := strings.Cut(mediaType, "/"); ok && t != "" && s != "" {
			bs.Type, bs.Subtype = t, s
		}
	}
	if err != nil || h.Get("Content-Type") == "" {
		params = map[string]string{"charset": "us-ascii"}
	}
	bs.Params = sortedParams(params)
	bs.ID = unfold(h.Get("Content-Id"))
	bs.Description = unfold(h.Get("Content-Description"))
	if enc := unfold(h.Get("Content-Transfer-Encoding")); enc != "" {
		bs.Encoding = strings.ToLower(enc)
	}
	bs.MD5 = unfold(h.Get("Content-Md5"))
	bs.Location = unfold(h.Get("Content-Location"))
	if lang := unfold(h.Get("Content-Language")); lang != "" {
		for _, l := range strings.Split(lang, ",") {
			if l = strings.TrimSpace(l); l != "" {
				bs.Language = append(bs.Language, l)
			}
		}
	}
	if d, dp, err := mime.ParseMediaType(h.Get("Content-Disposition")); err == nil {
		bs.Disposition = d
		bs.DispositionParams = sortedParams(dp)
	}
	bs.Size = uint32(len(body))

	switch {
	case bs.Type == "multipart" && depth < maxMIMEDepth:
		boundary := params["boundary"]
		for _, part := range splitMultipart(body, boundary) {
			ph, pb := splitHeader(part)
			bs.Parts = append(bs.Parts, bodyStructureOf(readHeader(part[:ph]), part[pb:], depth+1))
		}
		if len(bs.Parts) == 0 {
			// IMAP cannot express an empty multipart; describe one empty text part.
			bs.Parts = []*BodyStructure{{Type: "text", Subtype: "plain", Encoding: "7bit",
				Params: []Param{{"charset", "us-ascii"}}}}
		}
	case bs.Type == "message" && bs.Subtype == "rfc822" && depth < maxMIMEDepth:
		ih, ib := splitHeader(body)
		inner := readHeader(body[:ih])
		env := envelopeOf(inner)
		bs.Envelope = &env
		bs.Message = bodyStructureOf(inner, body[ib:], depth+1)
		bs.Lines = countLines(body)
	case bs.Type == "text":
		bs.Lines = countLines(body)
	}
	return bs
}

func countLines(b []byte) uint32 {
	n := bytes.Count(b, []byte("\n"))
	if len(b) > 0 && b[len(b)-1] != '\n' {
		n++
	}
	return uint32(n)
}

func sortedParams(m map[string]string) []Param {
	out := make([]Param, 0, len(m))
	for k, v := range m {
		out = append(out, Param{Name: strings.ToLower(k), Value: v})
	}
	for i := 1; i < len(out); i++ { // insertion sort: a handful of params
		for j := i; j > 0 && out[j].Name < out[j-1].Name; j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out
}

// splitMultipart returns the raw parts between boundary delimiter lines
// (RFC 2046 §5.1.1). The CRLF before a delimiter belongs to the delimiter.
func splitMultipart(body []byte, boundary string) [][]byte {
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
