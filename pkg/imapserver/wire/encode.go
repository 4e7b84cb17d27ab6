package wire

import (
	"strconv"
	"strings"
)

// The Append* functions encode values into a byte slice. They back the
// Writer and are handy for building response-code arguments.

// isAtom reports whether s can be sent as an atom in an astring position
// without being mistaken for NIL.
func isAtom(s string) bool {
	if s == "" || len(s) > maxQuoted || strings.EqualFold(s, "NIL") {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isAStringChar(s[i]) {
			return false
		}
	}
	return true
}

// AppendString appends s as a quoted string or a literal.
func AppendString(b []byte, s string) []byte {
	if len(s) <= maxQuoted {
		// One scan decides: most strings need neither escapes nor a literal
		// and are copied whole.
		escapes := false
		for i := 0; i < len(s); i++ {
			switch c := s[i]; {
			case c == 0 || c == '\r' || c == '\n' || c >= 0x80:
				return appendLiteral(b, s)
			case c == '"' || c == '\\':
				escapes = true
			}
		}
		if !escapes {
			b = append(b, '"')
			b = append(b, s...)
			return append(b, '"')
		}
		return AppendQuoted(b, s)
	}
	return appendLiteral(b, s)
}

func appendLiteral(b []byte, s string) []byte {
	b = append(b, '{')
	b = strconv.AppendInt(b, int64(len(s)), 10)
	b = append(b, "}\r\n"...)
	return append(b, s...)
}

// AppendQuoted appends s quoted, escaping '"' and '\\'. The caller checked
// that s holds no CR, LF or NUL.
func AppendQuoted(b []byte, s string) []byte {
	b = append(b, '"')
	for i := 0; i < len(s); i++ {
		if c := s[i]; c == '"' || c == '\\' {
			b = append(b, '\\')
		}
		b = append(b, s[i])
	}
	return append(b, '"')
}

// AppendAString appends s as an atom when possible, else as a string.
func AppendAString(b []byte, s string) []byte {
	if isAtom(s) {
		return append(b, s...)
	}
	return AppendString(b, s)
}

// encodeAString is AppendAString for string building.
func encodeAString(s string) string { return string(AppendAString(nil, s)) }
