package fetch

import (
	"bytes"
	"io"
	"strings"
)

// cachedFields are the header fields the store keeps in Cached.Headers
// even for a header block over mailbox.MaxCachedHeader (pkg/mailbox
// parse.go); smaller blocks are cached whole (mailbox.HeaderCached).
var cachedFields = map[string]bool{
	"from": true, "to": true, "cc": true, "bcc": true, "subject": true, "date": true,
	"message-id": true, "in-reply-to": true, "references": true,
}

// servableFromCache reports whether every field of a HEADER.FIELDS list is
// kept in the cache.
func servableFromCache(fields []string) bool {
	for _, f := range fields {
		if !cachedFields[strings.ToLower(f)] {
			return false
		}
	}
	return true
}

// filterHeader copies the header fields in [start, end) of r whose names
// are in fields (or, with not, are not), folded lines included, and ends
// the result with the blank line RFC 3501 includes in every header fetch.
// Line ends come out as CRLF. The walk stops at the header's blank line.
func filterHeader(r io.ReaderAt, start, end int64, fields []string, not bool) ([]byte, error) {
	lr := newLineReader(r, start, end)
	defer lr.release()
	var out []byte
	keep := false
	for {
		piece, cont, err := lr.next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		if !cont {
			if isBlank(piece) {
				break
			}
			if piece[0] != ' ' && piece[0] != '\t' {
				keep = fieldListed(fieldName(piece), fields) != not
			}
		}
		if !keep {
			continue
		}
		if piece[len(piece)-1] == '\n' {
			out = append(out, bytes.TrimRight(piece, "\r\n")...)
			out = append(out, '\r', '\n')
		} else {
			out = append(out, piece...)
		}
	}
	if n := len(out); n > 0 && out[n-1] != '\n' {
		out = append(out, '\r', '\n') // the header's last line had no line end
	}
	return append(out, '\r', '\n'), nil
}

// fieldName is the name of the field a header line starts, "" when the line
// has no colon.
func fieldName(line []byte) string {
	name, _, ok := bytes.Cut(line, []byte(":"))
	if !ok {
		return ""
	}
	return string(bytes.TrimRight(name, " \t"))
}

func fieldListed(name string, fields []string) bool {
	if name == "" {
		return false
	}
	for _, f := range fields {
		if strings.EqualFold(name, f) {
			return true
		}
	}
	return false
}
