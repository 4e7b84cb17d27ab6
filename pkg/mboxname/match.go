package mboxname

import "strings"

// Match reports whether an external name matches a LIST pattern (RFC 3501
// §6.3.8): '*' matches any run of characters, '%' any run not containing the
// hierarchy separator sep. As in Cyrus, a leading "INBOX" in the pattern
// matches the name's INBOX case-insensitively.
func Match(pattern, name string, sep byte) bool {
	if len(pattern) >= 5 && strings.EqualFold(pattern[:5], "INBOX") &&
		(name == "INBOX" || strings.HasPrefix(name, "INBOX"+string(sep))) {
		pattern = "INBOX" + pattern[5:]
	}
	// ok[j]: pattern[:i] matches name[:j]; O(len(pattern)*len(name)) so no
	// pattern can make it exponential.
	ok := make([]bool, len(name)+1)
	next := make([]bool, len(name)+1)
	ok[0] = true
	for i := 0; i < len(pattern); i++ {
		p := pattern[i]
		switch p {
		case '*', '%':
			next[0] = ok[0]
			for j := 1; j <= len(name); j++ {
				next[j] = ok[j] || next[j-1] && (p == '*' || name[j-1] != sep)
			}
		default:
			next[0] = false
			for j := 1; j <= len(name); j++ {
				next[j] = ok[j-1] && name[j-1] == p
			}
		}
		ok, next = next, ok
	}
	return ok[len(name)]
}
