package search

import (
	"strings"
	"unsafe"

	"gocyrus/pkg/msgheader"
)

// cachedFields are the header fields pkg/mailbox keeps raw in
// Cached.Headers (its cachedHeaderFields); HEADER keys on these never open
// the message file. Keep the two lists in step.
var cachedFields = map[string]bool{
	"from": true, "to": true, "cc": true, "bcc": true, "subject": true, "date": true,
	"message-id": true, "in-reply-to": true, "references": true,
}

// fieldMatches reports whether block has field name and, unless n is
// empty, whether n occurs in one of its decoded values. This runs over
// every message of a mailbox, so names are compared in place and only a
// matching field's value is unfolded and decoded.
func fieldMatches(block []byte, name string, n needle) bool {
	found := false
	msgheader.Each(block, func(f, raw []byte) bool {
		if msgheader.NameIs(f, name) && (n == "" || n.in(msgheader.Text(unsafeString(raw)))) {
			found = true
		}
		return !found
	})
	return found
}

// headerText returns the decoded, case-folded text of a whole header block,
// one "Name: value" line per field, for TEXT searches.
func headerText(block []byte) string {
	var b strings.Builder
	msgheader.Each(block, func(f, raw []byte) bool {
		b.Write(f)
		b.WriteString(": ")
		b.WriteString(msgheader.Text(string(raw)))
		b.WriteByte('\n')
		return true
	})
	return foldString(b.String())
}

// unsafeString views b as a string without copying, for a value only
// looked at while b is unchanged (fieldMatches: needle.in keeps nothing).
func unsafeString(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	return unsafe.String(&b[0], len(b))
}
