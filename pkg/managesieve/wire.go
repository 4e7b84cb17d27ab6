package managesieve

import (
	"strconv"
	"strings"
	"unicode/utf8"
)

// maxQuoted is the longest string sent quoted; longer ones go as literals
// (RFC 5804 §4 limits quoted strings to 1024 octets).
const maxQuoted = 1024

// appendString appends s as a ManageSieve string: quoted, with '"' and '\'
// escaped, when it fits; otherwise as a literal "{n}\r\n" followed by the
// bytes (the caller ends the line).
func appendString(b []byte, s string) []byte {
	if len(s) <= maxQuoted && utf8.ValidString(s) && !strings.ContainsAny(s, "\r\n\x00") {
		b = append(b, '"')
		for i := 0; i < len(s); i++ {
			if s[i] == '"' || s[i] == '\\' {
				b = append(b, '\\')
			}
			b = append(b, s[i])
		}
		return append(b, '"')
	}
	return appendLiteral(b, s)
}

// appendLiteral appends s as a literal "{n}\r\n" and its bytes.
func appendLiteral(b []byte, s string) []byte {
	b = append(b, '{')
	b = strconv.AppendInt(b, int64(len(s)), 10)
	b = append(b, "}\r\n"...)
	return append(b, s...)
}

// literal returns s as a literal.
func literal(s string) string { return string(appendLiteral(nil, s)) }

// quote returns s as a ManageSieve string.
func quote(s string) string { return string(appendString(nil, s)) }

// response formats a status line: "OK", "NO" or "BYE", an optional response
// code (already formatted, without parentheses) and an optional text.
func response(status, code, text string) string {
	b := []byte(status)
	if code != "" {
		b = append(b, " ("...)
		b = append(b, code...)
		b = append(b, ')')
	}
	if text != "" {
		b = append(b, ' ')
		b = appendString(b, text)
	}
	return string(b)
}
