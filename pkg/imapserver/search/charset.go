package search

import "strings"

// SupportedCharset reports whether SEARCH, SORT and THREAD accept search
// strings in the named charset (RFC 3501 requires US-ASCII and UTF-8). The
// session answers [BADCHARSET] for any other.
func SupportedCharset(name string) bool {
	switch strings.ToUpper(name) {
	case "", "UTF-8", "US-ASCII", "UTF8", "ASCII":
		return true
	}
	return false
}
