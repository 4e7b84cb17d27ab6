package search

import (
	"bytes"
	"mime"
	"strings"
	"unicode/utf8"

	"github.com/emersion/go-message/charset"
)

// cachedFields are the header fields pkg/mailbox keeps raw in
// Cached.Headers (its cachedHeaderFields); HEADER keys on these never open
// the message file. Keep the two lists in step.
var cachedFields = map[string]bool{
	"from": true, "to": true, "cc": true, "bcc": true, "subject": true, "date": true,
	"message-id": true, "in-reply-to": true, "references": true,
}

var wordDecoder = mime.WordDecoder{CharsetReader: charset.Reader}

// forEachField calls fn with the name and unfolded raw value of every field
// of a raw header block, in order, until fn returns false. Line ends may be
// CRLF or LF; lines without a colon are skipped.
func forEachField(block []byte, fn func(name, value string) bool) {
	for len(block) > 0 {
		end := fieldEnd(block)
		line := block[:end]
		block = block[end:]
		name, value, ok := bytes.Cut(line, []byte(":"))
		if !ok || len(name) == 0 || name[0] == ' ' || name[0] == '\t' {
			continue
		}
		if !fn(string(bytes.TrimRight(name, " \t")), unfoldValue(value)) {
			return
		}
	}
}

// fieldEnd returns the length of the first field of block, continuation
// lines included.
func fieldEnd(block []byte) int {
	i := 0
	for {
		nl := bytes.IndexByte(block[i:], '\n')
		if nl < 0 {
			return len(block)
		}
		i += nl + 1
		if i >= len(block) || (block[i] != ' ' && block[i] != '\t') {
			return i
		}
	}
}

// unfoldValue removes line breaks from a raw field value and trims it.
func unfoldValue(v []byte) string {
	if bytes.IndexByte(v, '\n') < 0 {
		return string(bytes.TrimSpace(bytes.TrimRight(v, "\r")))
	}
	var b strings.Builder
	for _, c := range v {
		if c != '\r' && c != '\n' {
			b.WriteByte(c)
		}
	}
	return strings.TrimSpace(b.String())
}

// decodeWords decodes RFC 2047 encoded words; text that is not valid
// encoded-word syntax, or in an unknown charset, is kept as it is.
func decodeWords(v string) string {
	if !strings.Contains(v, "=?") {
		return v
	}
	d, err := wordDecoder.DecodeHeader(v)
	if err != nil {
		return v
	}
	return d
}

// fieldMatches reports whether block has field name and, unless n is
// empty, whether n occurs in one of its decoded values.
func fieldMatches(block []byte, name string, n needle) bool {
	// Not forEachField: this runs over every message of a mailbox, so
	// names are compared in place and only a matching field's value is
	// unfolded and decoded.
	for len(block) > 0 {
		end := fieldEnd(block)
		line := block[:end]
		block = block[end:]
		f, value, ok := bytes.Cut(line, []byte(":"))
		if !ok || len(f) == 0 || f[0] == ' ' || f[0] == '\t' {
			continue
		}
		if !fieldNameIs(bytes.TrimRight(f, " \t"), name) {
			continue
		}
		if n == "" || n.in(decodeWords(unfoldValue(value))) {
			return true
		}
	}
	return false
}

// fieldNameIs is strings.EqualFold(string(f), name) without allocating in
// the common, ASCII case.
func fieldNameIs(f []byte, name string) bool {
	if len(f) != len(name) {
		return (!isASCIIBytes(f) || !isASCII(name)) && strings.EqualFold(string(f), name)
	}
	for i := range len(f) {
		a, b := f[i], name[i]
		if a >= utf8.RuneSelf || b >= utf8.RuneSelf {
			return strings.EqualFold(string(f), name)
		}
		if 'A' <= a && a <= 'Z' {
			a += 'a' - 'A'
		}
		if 'A' <= b && b <= 'Z' {
			b += 'a' - 'A'
		}
		if a != b {
			return false
		}
	}
	return true
}

func isASCIIBytes(b []byte) bool {
	for _, c := range b {
		if c >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// headerText returns the decoded, case-folded text of a whole header block,
// one "Name: value" line per field, for TEXT searches.
func headerText(block []byte) string {
	var b strings.Builder
	forEachField(block, func(f, v string) bool {
		b.WriteString(f)
		b.WriteString(": ")
		b.WriteString(decodeWords(v))
		b.WriteByte('\n')
		return true
	})
	return foldString(b.String())
}
