package wire

// Character classes of RFC 3501 §9 (formal syntax).

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// isAtomChar: any CHAR except atom-specials
// ( ) { SP CTL % * " \ ].
func isAtomChar(c byte) bool {
	if c <= 0x1f || c >= 0x7f {
		return false
	}
	switch c {
	case '(', ')', '{', ' ', '%', '*', '"', '\\', ']':
		return false
	}
	return true
}

// isAStringChar: ATOM-CHAR or resp-specials "]".
func isAStringChar(c byte) bool { return isAtomChar(c) || c == ']' }

// isListChar: characters of a list-mailbox atom — ATOM-CHAR, list-wildcards
// and resp-specials.
func isListChar(c byte) bool { return isAStringChar(c) || c == '%' || c == '*' }

// isQuotedChar reports bytes allowed raw inside a quoted string. 8-bit
// bytes are accepted (UTF-8 from IMAP4rev2 and UTF8=ACCEPT clients).
func isQuotedChar(c byte) bool {
	return c != 0 && c != '\r' && c != '\n' && c != '"' && c != '\\'
}
