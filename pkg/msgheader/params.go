package msgheader

import (
	"io"
	"net/url"
	"sort"
	"strconv"
	"strings"

	"github.com/emersion/go-message/charset"
)

// Param is one MIME parameter: the name in lower case (without RFC 2231's
// "*" and section number), the value unquoted and, for RFC 2231 extended
// values, decoded to UTF-8.
type Param struct {
	Name  string
	Value string
}

// ParamValue returns the value of the parameter name (lower case) in
// params, "" when there is none.
func ParamValue(params []Param, name string) string {
	for _, p := range params {
		if p.Name == name {
			return p.Value
		}
	}
	return ""
}

// ParseValue reads a MIME structured field value of the form
// `value *(";" attribute "=" value)` (Content-Type, Content-Disposition;
// RFC 2045 §5.1, RFC 2183 §2): the leading value in lower case and the
// parameters in the order they are written. Comments and white space
// (RFC 822 CFWS) may stand between any two tokens. A parameter that does
// not parse is skipped up to the next ';', the others are kept; the first
// of two parameters of the same name wins. RFC 2231 continuations
// (name*0, name*1*) are joined and extended values (name*=charset'lang'%XX)
// decoded; one in a charset that cannot be decoded keeps its text as
// written. ok is false when there is no leading value.
func ParseValue(v string) (value string, params []Param, ok bool) {
	value, params, _, ok = parseValue(v)
	return value, params, ok
}

// parseValue is ParseValue that also tells whether the leading value
// stands alone: followed only by CFWS up to the first ';' or the end. A
// value with anything else after it ("text/plain\"", "text/html x", an
// unterminated comment "text/html (x") is not RFC 2045 syntax.
func parseValue(v string) (value string, params []Param, alone, ok bool) {
	s := valueScanner{src: v}
	value = s.leading()
	if value == "" {
		return "", nil, false, false
	}
	alone = s.skipCFWSClosed() && (s.pos == len(s.src) || s.src[s.pos] == ';')
	var raw []rawParam
	for s.skipTo(';') {
		s.pos++ // ';'
		name := s.token()
		if name == "" || !s.skipTo('=') || s.src[s.pos] != '=' {
			continue
		}
		s.pos++ // '='
		val, valid := s.value()
		if !valid {
			continue
		}
		raw = append(raw, rawParam{name: strings.ToLower(name), value: val})
	}
	return strings.ToLower(value), joinParams(raw), alone, true
}

// TransferEncoding reads a Content-Transfer-Encoding field value: the
// mechanism token in lower case, comments and white space removed (RFC 2045
// §6.1: "Quoted-Printable (comment)" is quoted-printable); "" when the
// value holds none.
func TransferEncoding(v string) string {
	s := valueScanner{src: v}
	return strings.ToLower(s.token())
}

// rawParam is a parameter as written, before RFC 2231 joining.
type rawParam struct{ name, value string }

// paramSection is one RFC 2231 section of a parameter: its number, whether
// it is extended (percent-encoded), and its text as written.
type paramSection struct {
	n        int
	extended bool
	value    string
}

// joinParams applies RFC 2231 to the parameters as written: sections of
// one name are joined in section order at the place of the first one
// written, and extended values are decoded.
func joinParams(raw []rawParam) []Param {
	var order []string
	sections := map[string][]paramSection{}
	for _, p := range raw {
		base, sec := p.name, paramSection{value: p.value}
		if b, ok := strings.CutSuffix(base, "*"); ok {
			base, sec.extended = b, true
		}
		if i := strings.LastIndexByte(base, '*'); i > 0 {
			n, err := strconv.Atoi(base[i+1:])
			if err == nil && n >= 0 && base[i+1:] == strconv.Itoa(n) {
				base, sec.n = base[:i], n
			} else if sec.extended {
				continue // "a*b*": not RFC 2231
			}
		}
		if _, seen := sections[base]; !seen {
			order = append(order, base)
		}
		sections[base] = append(sections[base], sec)
	}
	if len(order) == 0 {
		return nil
	}
	out := make([]Param, 0, len(order))
	for _, name := range order {
		secs := sections[name]
		sort.SliceStable(secs, func(i, j int) bool { return secs[i].n < secs[j].n })
		if len(secs) > 1 && secs[0].n == secs[1].n {
			secs = secs[:1] // the same name twice: the first wins
		}
		var cs string
		var b strings.Builder
		decodable := true
		for i, sec := range secs {
			if !sec.extended {
				b.WriteString(sec.value)
				continue
			}
			text := sec.value
			if i == 0 {
				var lang string
				var found bool
				if cs, lang, found = strings.Cut(text, "'"); found {
					_, text, found = strings.Cut(lang, "'")
				}
				if !found {
					cs, text = "", sec.value
				}
			}
			dec, err := url.PathUnescape(text)
			if err != nil {
				decodable = false
				dec = text
			}
			b.WriteString(dec)
		}
		value := b.String()
		if u, ok := toUTF8(cs, value); ok && decodable {
			value = u
		} else if cs != "" || !decodable {
			value = rawJoined(secs)
		}
		out = append(out, Param{Name: name, Value: value})
	}
	return out
}

// rawJoined is the sections' text as written, for a value that does not
// decode.
func rawJoined(secs []paramSection) string {
	var b strings.Builder
	for _, s := range secs {
		b.WriteString(s.value)
	}
	return b.String()
}

// toUTF8 converts s from charset cs ("" or US-ASCII or UTF-8: as it is).
func toUTF8(cs, s string) (string, bool) {
	switch strings.ToLower(cs) {
	case "", "us-ascii", "utf-8", "utf8":
		return s, true
	}
	r, err := charset.Reader(cs, strings.NewReader(s))
	if err != nil {
		return "", false
	}
	out, err := io.ReadAll(io.LimitReader(r, int64(4*len(s)+16)))
	if err != nil {
		return "", false
	}
	return string(out), true
}

// valueScanner walks a structured field value, skipping CFWS.
type valueScanner struct {
	src string
	pos int
}

// skipCFWS skips white space and comments (nested, with quoted pairs; an
// unterminated one runs to the end).
func (s *valueScanner) skipCFWS() { s.skipCFWSClosed() }

// skipCFWSClosed is skipCFWS reporting whether every comment it skipped
// was closed.
func (s *valueScanner) skipCFWSClosed() bool {
	for s.pos < len(s.src) {
		switch c := s.src[s.pos]; {
		case c == ' ' || c == '\t' || c == '\r' || c == '\n':
			s.pos++
		case c == '(':
			_, n, closed := comment(s.src[s.pos+1:])
			s.pos += 1 + n
			if !closed {
				return false
			}
		default:
			return true
		}
	}
	return true
}

// isTSpecial reports the characters that end a token (RFC 2045 §5.1).
func isTSpecial(c byte) bool {
	return c <= ' ' || c >= 0x7f || strings.IndexByte(`()<>@,;:\"/[]?=`, c) >= 0
}

// token reads one token after CFWS; "" if there is none there.
func (s *valueScanner) token() string {
	s.skipCFWS()
	start := s.pos
	for s.pos < len(s.src) && !isTSpecial(s.src[s.pos]) {
		s.pos++
	}
	return s.src[start:s.pos]
}

// leading reads "type/subtype" or a lone token (a disposition type), with
// CFWS allowed around the '/'.
func (s *valueScanner) leading() string {
	t := s.token()
	if t == "" {
		return ""
	}
	save := s.pos
	s.skipCFWS()
	if s.pos < len(s.src) && s.src[s.pos] == '/' {
		s.pos++
		return t + "/" + s.token()
	}
	s.pos = save
	return t
}

// skipTo skips CFWS and reports whether c or anything else is next: it
// stops at the next c, past any stray text, unless that text is a quoted
// string holding c. It returns false at the end of the value.
func (s *valueScanner) skipTo(c byte) bool {
	for {
		s.skipCFWS()
		if s.pos >= len(s.src) {
			return false
		}
		switch s.src[s.pos] {
		case c, ';':
			return true
		case '"':
			_, n, _ := quoted(s.src[s.pos+1:], '"')
			s.pos += 1 + n
		default:
			s.pos++
		}
	}
}

// value reads a parameter value: a quoted string (unescaped) or a run of
// anything up to white space, ';' or a comment (lenient: '/' and '@' are
// common unquoted). valid is false when there is no value.
func (s *valueScanner) value() (v string, valid bool) {
	s.skipCFWS()
	if s.pos < len(s.src) && s.src[s.pos] == '"' {
		text, n, closed := quoted(s.src[s.pos+1:], '"')
		s.pos += 1 + n
		return text, closed
	}
	start := s.pos
	for s.pos < len(s.src) && strings.IndexByte(" \t\r\n;(\"", s.src[s.pos]) < 0 {
		s.pos++
	}
	return s.src[start:s.pos], s.pos > start
}
