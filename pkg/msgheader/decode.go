package msgheader

import (
	"mime"
	"strings"

	"github.com/emersion/go-message/charset"
)

var wordDecoder = mime.WordDecoder{CharsetReader: charset.Reader}

// Decode decodes the RFC 2047 encoded words of an unfolded header value.
// Like Cyrus it looks for encoded words anywhere, not only between white
// space; a word that is malformed, in an unknown charset or whose text
// does not decode is kept as written. White space between two encoded
// words that both decode is dropped (RFC 2047 §6.2).
func Decode(v string) string {
	i := strings.Index(v, "=?")
	if i < 0 {
		return v
	}
	var b strings.Builder
	b.Grow(len(v))
	b.WriteString(v[:i])
	rest := v[i:]
	pendingWS := ""    // white space seen after a decoded word
	afterWord := false // the last thing written was a decoded word
	for rest != "" {
		if n := encodedWordLen(rest); n > 0 {
			if d, err := wordDecoder.Decode(rest[:n]); err == nil {
				if !afterWord {
					b.WriteString(pendingWS)
				}
				b.WriteString(d)
				rest, pendingWS, afterWord = rest[n:], "", true
				continue
			}
		}
		// Not a decodable word: copy up to the next candidate, keeping
		// the white space held back after a decoded word.
		next := strings.Index(rest[1:], "=?")
		chunk := rest
		if next >= 0 {
			chunk = rest[:next+1]
		}
		if afterWord {
			ws := len(chunk) - len(strings.TrimLeft(chunk, " \t"))
			if ws == len(chunk) && next >= 0 {
				// Only white space before the next candidate: hold it
				// until we know whether that candidate decodes.
				pendingWS += chunk
				rest = rest[len(chunk):]
				continue
			}
			b.WriteString(pendingWS)
			pendingWS = ""
		}
		b.WriteString(chunk)
		rest, afterWord = rest[len(chunk):], false
	}
	b.WriteString(pendingWS)
	return b.String()
}

// encodedWordLen returns the length of the encoded word
// "=?charset?e?text?=" at the start of s, or 0 if there is none there. The
// charset and encoding contain no '?' and no white space; the text
// neither (RFC 2047 §2).
func encodedWordLen(s string) int {
	if !strings.HasPrefix(s, "=?") {
		return 0
	}
	i := 2
	for i < len(s) && s[i] != '?' {
		if isWordSpace(s[i]) {
			return 0
		}
		i++
	}
	if i == 2 || i+3 > len(s) || s[i+2] != '?' {
		return 0 // no charset, or the encoding is not one letter
	}
	switch s[i+1] {
	case 'B', 'b', 'Q', 'q':
	default:
		return 0
	}
	i += 3
	// The text holds no '?' (RFC 2047 §5), so the scan stops at the first
	// one: the work over a value is linear however many "=?" it holds.
	for i < len(s) {
		if isWordSpace(s[i]) {
			return 0
		}
		if s[i] == '?' {
			if i+1 < len(s) && s[i+1] == '=' {
				return i + 2
			}
			return 0
		}
		i++
	}
	return 0
}

func isWordSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\r' || c == '\n' }
