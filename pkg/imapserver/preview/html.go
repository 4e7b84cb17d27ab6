package preview

import (
	"strconv"
	"strings"
)

// htmlFilter turns HTML into its text one character at a time, so that a
// tag or a character reference split anywhere costs nothing extra. It is
// deliberately simple (no DOM): tags and comments vanish, block-level
// tags and <br> break words, the text of head, title, style and script is
// dropped, and the common character references are decoded.
type htmlFilter struct {
	state   int
	tag     []byte // tag name so far, lower case, at most maxTag bytes
	quote   rune   // inside a quoted attribute value
	dashes  int    // consecutive '-' seen in a comment
	skip    string // dropping text until </skip>
	ref     []byte // character reference so far, after '&'
	closing bool   // the tag is an end tag
}

const (
	inText = iota
	inTagName
	inTag
	inComment
	inRef
)

const (
	maxTag = 16
	maxRef = 10
)

// skipped elements: their text is not shown.
var skipped = map[string]bool{"head": true, "title": true, "style": true, "script": true}

// breaking elements separate the words around them.
var breaking = map[string]bool{
	"br": true, "p": true, "div": true, "li": true, "tr": true, "td": true, "th": true,
	"h1": true, "h2": true, "h3": true, "h4": true, "h5": true, "h6": true,
	"table": true, "ul": true, "ol": true, "blockquote": true, "pre": true, "hr": true,
}

var entities = map[string]rune{
	"amp": '&', "lt": '<', "gt": '>', "quot": '"', "apos": '\'', "nbsp": ' ',
}

func (h *htmlFilter) feed(c rune, b *builder) {
	switch h.state {
	case inText:
		switch c {
		case '<':
			h.state, h.tag, h.closing = inTagName, h.tag[:0], false
		case '&':
			h.state, h.ref = inRef, h.ref[:0]
		default:
			if h.skip == "" {
				b.add(c)
			}
		}
	case inRef:
		if c == ';' || len(h.ref) >= maxRef || !(c == '#' || isAlnum(c)) {
			h.state = inText
			r, ok := decodeRef(string(h.ref))
			switch {
			case h.skip != "":
			case ok && c == ';':
				b.add(r)
			default: // not a reference: the text as written
				b.add('&')
				for _, x := range string(h.ref) {
					b.add(x)
				}
				if c == ';' {
					b.add(c)
				}
			}
			if c != ';' {
				h.feed(c, b)
			}
			return
		}
		h.ref = append(h.ref, byte(c))
	case inTagName:
		switch {
		case c == '/' && len(h.tag) == 0 && !h.closing:
			h.closing = true
		case c == '!' && len(h.tag) == 0:
			h.tag = append(h.tag, '!')
		case c == '-' && string(h.tag) == "!" || c == '-' && string(h.tag) == "!-":
			h.tag = append(h.tag, '-')
			if string(h.tag) == "!--" {
				h.state, h.dashes = inComment, 0
			}
		case c == '>':
			h.endTag(b)
		case len(h.tag) == 0 && !h.closing && !isAlnum(c):
			// "a < b": not a tag, text.
			h.state = inText
			if h.skip == "" {
				b.add('<')
			}
			h.feed(c, b)
		case isAlnum(c):
			if len(h.tag) < maxTag {
				h.tag = append(h.tag, byte(c|0x20))
			}
		default:
			h.state = inTag
			h.feed(c, b)
		}
	case inTag:
		switch {
		case h.quote != 0:
			if c == h.quote {
				h.quote = 0
			}
		case c == '"' || c == '\'':
			h.quote = c
		case c == '>':
			h.endTag(b)
		case c == '<': // "x<y</script>": a new tag begins
			h.state, h.tag, h.closing = inTagName, h.tag[:0], false
		}
	case inComment:
		switch {
		case c == '-':
			h.dashes++
		case c == '>' && h.dashes >= 2:
			h.state = inText
		default:
			h.dashes = 0
		}
	}
}

// endTag acts on the tag just closed by '>'.
func (h *htmlFilter) endTag(b *builder) {
	h.state, h.quote = inText, 0
	name := string(h.tag)
	switch {
	case h.closing && name == h.skip:
		h.skip = ""
	case !h.closing && h.skip == "" && skipped[name]:
		h.skip = name
	}
	if breaking[name] {
		b.space()
	}
}

func isAlnum(c rune) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

// decodeRef decodes "amp", "#233" or "#xE9".
func decodeRef(ref string) (rune, bool) {
	if r, ok := entities[ref]; ok {
		return r, true
	}
	num, ok := strings.CutPrefix(ref, "#")
	if !ok || num == "" {
		return 0, false
	}
	base := 10
	if rest, hex := strings.CutPrefix(strings.ToLower(num), "x"); hex {
		num, base = rest, 16
	}
	n, err := strconv.ParseUint(num, base, 32)
	if err != nil || n == 0 || n > 0x10FFFF || n >= 0xD800 && n <= 0xDFFF {
		return 0, false
	}
	return rune(n), true
}
