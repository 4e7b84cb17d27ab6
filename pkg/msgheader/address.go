package msgheader

import (
	"errors"
	"fmt"
	"strings"
)

// Kind tells what an element of an address list is.
type Kind uint8

const (
	KindMailbox    Kind = iota // a mailbox: Name, Route, Mailbox, Host
	KindGroupStart             // a group starts: Mailbox is its name
	KindGroupEnd               // the group ends
)

// Address is one element of an address list (see the package comment).
type Address struct {
	Kind    Kind
	Name    string // display name, decoded; "" if none
	Route   string // obsolete source route, e.g. "@a.example,@b.example"
	Mailbox string // local part, unquoted; the group name for KindGroupStart
	Host    string // domain; "" when the address has none
}

// Addr returns the addr-spec of a mailbox: "local@host", or the local
// part alone when there is no domain.
func (a Address) Addr() string {
	if a.Host == "" {
		return a.Mailbox
	}
	return a.Mailbox + "@" + a.Host
}

// Mailboxes returns the addr-specs of the mailboxes of an address list,
// group members included, groups themselves left out.
func Mailboxes(list []Address) []string {
	var out []string
	for _, a := range list {
		if a.Kind == KindMailbox && a.Addr() != "" {
			out = append(out, a.Addr())
		}
	}
	return out
}

// ParseAddressList parses an address-list field value (raw or unfolded).
// It never fails: what is not an address is skipped, and an element that
// is only partly well formed yields the parts that could be read (an
// addr-spec without a domain has Host ""). An unterminated group is ended
// at the end of the value.
func ParseAddressList(v string) []Address {
	list, _ := parseList(v)
	return list
}

// ErrMalformed is wrapped by the errors of the strict parsers.
var ErrMalformed = errors.New("malformed address")

// ParseMailbox parses a value that must be exactly one mailbox with a local
// part and a domain (a display name and comments allowed): for addresses a
// user or a script gives, where anything the tolerant parser would skip is
// an error.
func ParseMailbox(v string) (Address, error) {
	list, err := ParseMailboxList(v)
	if err != nil {
		return Address{}, err
	}
	if len(list) != 1 {
		return Address{}, fmt.Errorf("%w: %q is not one address", ErrMalformed, v)
	}
	return list[0], nil
}

// ParseMailboxList parses strictly a list of mailboxes, each with a local
// part and a domain; no groups.
func ParseMailboxList(v string) ([]Address, error) {
	list, clean := parseList(v)
	if !clean {
		return nil, fmt.Errorf("%w: %q", ErrMalformed, v)
	}
	for _, a := range list {
		if a.Kind != KindMailbox || a.Mailbox == "" || a.Host == "" {
			return nil, fmt.Errorf("%w: %q", ErrMalformed, v)
		}
	}
	return list, nil
}

// parseList is ParseAddressList; clean is false when anything had to be
// skipped or repaired.
func parseList(v string) (list []Address, clean bool) {
	p := addrParser{src: v}
	var out []Address
	inGroup := false
	for !p.done() {
		phrase, stop := p.phrase()
		switch {
		case stop == ':' && !inGroup:
			p.advance()
			out = append(out, Address{Kind: KindGroupStart, Mailbox: phrase.text()})
			inGroup = true
		case stop == ':':
			p.advance() // a group inside a group: not allowed, ignore its name
			p.bad = true
		case stop == ';':
			p.advance()
			if a, ok := p.bareAddress(phrase); ok {
				out = append(out, a)
			}
			if inGroup {
				out = append(out, Address{Kind: KindGroupEnd})
				inGroup = false
			} else {
				p.bad = true
			}
		case stop == ',':
			p.advance()
			if a, ok := p.bareAddress(phrase); ok {
				out = append(out, a)
			}
		case stop == '<':
			p.advance()
			a := p.angle()
			a.Name = Decode(phrase.text())
			if a.Name == "" {
				a.Name = p.trailingComment()
			}
			p.skipElement()
			// "<>" (the null path) is kept as an empty address, as Cyrus
			// keeps it; it is still not a usable mailbox.
			out = append(out, a)
			if a.Mailbox == "" && a.Host == "" && a.Name == "" {
				p.bad = true
			}
		case stop == '@':
			p.advance()
			host, trail := p.domain()
			a := Address{Mailbox: p.local(phrase), Host: host, Name: Decode(trail)}
			if a.Name == "" {
				a.Name = Decode(phrase.comment)
			}
			p.skipElement()
			out = append(out, a)
		default: // end of input
			if a, ok := p.bareAddress(phrase); ok {
				out = append(out, a)
			}
		}
	}
	if inGroup {
		out = append(out, Address{Kind: KindGroupEnd})
		p.bad = true
	}
	return out, !p.bad
}

// tokKind is the kind of a lexical token of an address list.
type tokKind uint8

const (
	tokAtom    tokKind = iota // a run of atext (UTF-8 allowed, RFC 6532)
	tokQuoted                 // a quoted string, unescaped
	tokLiteral                // a domain literal, brackets included
	tokComment                // a comment, unescaped, parentheses removed
	tokSpecial                // one of < > : ; @ , .
	tokEOF                    // the end of the value
)

type token struct {
	kind tokKind
	text string
	c    byte // tokSpecial: the character
	ws   bool // white space came before it
	bad  bool // unterminated, or a character no token may hold
}

// lex reads the token at v[i:] after any white space; n is the offset
// just past it. At the end of v the token is tokEOF. An unterminated
// quoted string, comment or literal runs to the end of v; a stray ')', ']'
// or '\' is an atom.
func lex(v string, i int) (t token, n int) {
	for i < len(v) && isWordSpace(v[i]) {
		t.ws = true
		i++
	}
	if i >= len(v) {
		t.kind = tokEOF
		return t, i
	}
	switch c := v[i]; {
	case c == '"':
		text, m, closed := quoted(v[i+1:], '"')
		t.kind, t.text, t.bad = tokQuoted, text, !closed
		return t, i + 1 + m
	case c == '(':
		text, m, closed := comment(v[i+1:])
		t.kind, t.text, t.bad = tokComment, text, !closed
		return t, i + 1 + m
	case c == '[':
		end := strings.IndexByte(v[i:], ']')
		if end < 0 {
			end = len(v) - i - 1
			t.bad = true
		}
		t.kind, t.text = tokLiteral, v[i:i+end+1]
		return t, i + end + 1
	case strings.IndexByte("<>:;@,.", c) >= 0:
		t.kind, t.c = tokSpecial, c
		return t, i + 1
	default:
		j := i + 1
		for j < len(v) && !isAtomEnd(v[j]) {
			j++
		}
		t.kind, t.text = tokAtom, v[i:j]
		t.bad = strings.ContainsAny(t.text, ")]\\") || strings.IndexFunc(t.text, func(r rune) bool { return r < ' ' || r == 0x7f }) >= 0
		return t, j
	}
}

func isAtomEnd(c byte) bool {
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || strings.IndexByte(`"(<>:;@,.[`, c) >= 0
}

// quoted reads a quoted string's content up to the closing quote,
// undoing quoted-pairs; n counts the bytes consumed, the quote included.
func quoted(s string, end byte) (text string, n int, closed bool) {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '\\' && i+1 < len(s):
			i++
			b.WriteByte(s[i])
		case c == end:
			return b.String(), i + 1, true
		case c == '\r' || c == '\n':
			// folding inside a quoted string
		default:
			b.WriteByte(c)
		}
	}
	return b.String(), len(s), false
}

// comment reads a comment's content, nested comments included, up to its
// closing parenthesis.
func comment(s string) (text string, n int, closed bool) {
	var b strings.Builder
	depth := 1
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '\\' && i+1 < len(s):
			i++
			b.WriteByte(s[i])
		case c == '(':
			depth++
			b.WriteByte(c)
		case c == ')':
			if depth--; depth == 0 {
				return strings.TrimSpace(b.String()), i + 1, true
			}
			b.WriteByte(c)
		case c == '\r' || c == '\n':
		default:
			b.WriteByte(c)
		}
	}
	return strings.TrimSpace(b.String()), len(s), false
}

// addrParser reads tokens one at a time, so memory does not grow with
// the value beyond the addresses returned.
type addrParser struct {
	src  string
	off  int   // where the next token starts
	cur  token // the token at off, when have
	end  int   // where cur ends
	have bool
	bad  bool // something was skipped or repaired (see parseList)
}

func (p *addrParser) peek() token {
	if !p.have {
		p.cur, p.end = lex(p.src, p.off)
		p.have = true
		p.bad = p.bad || p.cur.bad
	}
	return p.cur
}

func (p *addrParser) advance() {
	p.peek()
	p.off, p.have = p.end, false
}

func (p *addrParser) done() bool { return p.peek().kind == tokEOF }

// phraseToks is a run of words (atoms, quoted strings, dots, literals)
// read before a special that decides what they were.
type phraseToks struct {
	toks    []token
	comment string // the last comment among them
}

// phrase reads words up to one of < : ; @ , (or the end, returned as 0).
// A stray '>' is skipped.
func (p *addrParser) phrase() (phraseToks, byte) {
	var ph phraseToks
	for ; !p.done(); p.advance() {
		t := p.peek()
		switch {
		case t.kind == tokComment:
			ph.comment = t.text
		case t.kind == tokSpecial && t.c == '>':
			p.bad = true
		case t.kind == tokSpecial && t.c != '.':
			return ph, t.c
		default:
			ph.toks = append(ph.toks, t)
		}
	}
	return ph, 0
}

// text is the phrase as a display name: words joined by one space, a dot
// kept as written (obs-phrase).
func (ph phraseToks) text() string {
	var b strings.Builder
	for i, t := range ph.toks {
		if i > 0 && t.ws {
			b.WriteByte(' ')
		}
		b.WriteString(tokText(t))
	}
	return b.String()
}

// local is the phrase as a local part: words and dots joined without the
// white space or comments between them (obs-local-part).
func (p *addrParser) local(ph phraseToks) string {
	var b strings.Builder
	p.checkDots(ph.toks)
	for i, t := range ph.toks {
		if t.kind == tokLiteral {
			p.bad = true
		}
		if i > 0 && t.ws && t.kind != tokSpecial && ph.toks[i-1].kind != tokSpecial {
			b.WriteByte(' ') // two words in a row: not a local part, keep them apart
			p.bad = true
		}
		b.WriteString(tokText(t))
	}
	return b.String()
}

// bareAddress is an element with neither '@' nor '<': an addr-spec
// without a domain, as Cyrus reads it. A lone comment is nothing.
func (p *addrParser) bareAddress(ph phraseToks) (Address, bool) {
	if len(ph.toks) == 0 {
		return Address{}, false
	}
	return Address{Mailbox: p.local(ph), Name: Decode(ph.comment)}, true
}

func tokText(t token) string {
	if t.kind == tokSpecial {
		return string(t.c)
	}
	return t.text
}

// angle reads what follows '<': an optional route, the addr-spec and '>'.
func (p *addrParser) angle() Address {
	var a Address
	if !p.done() && p.isSpecial('@') {
		a.Route = p.route()
	}
	ph, stop := p.phraseUntil(">@,;")
	a.Mailbox = p.local(ph)
	if stop == '@' {
		p.advance()
		a.Host, _ = p.domain()
	}
	if !p.done() && p.isSpecial('>') {
		p.advance()
	} else {
		p.bad = true
	}
	return a
}

// phraseUntil reads words up to one of the specials in stops (not '.'),
// skipping comments and other specials.
func (p *addrParser) phraseUntil(stops string) (phraseToks, byte) {
	var ph phraseToks
	for ; !p.done(); p.advance() {
		t := p.peek()
		switch {
		case t.kind == tokComment:
			ph.comment = t.text
		case t.kind == tokSpecial && strings.IndexByte(stops, t.c) >= 0:
			return ph, t.c
		case t.kind == tokSpecial && t.c != '.':
			p.bad = true
		default:
			ph.toks = append(ph.toks, t)
		}
	}
	return ph, 0
}

// route reads an obs-route "@a,@b:" and returns it without the colon. If
// there is no colon, what was read was not a route: nothing is consumed.
func (p *addrParser) route() string {
	start := p.off
	var b strings.Builder
	for ; !p.done(); p.advance() {
		t := p.peek()
		switch {
		case t.kind == tokComment:
		case t.kind == tokSpecial && t.c == ':':
			p.advance()
			return b.String()
		case t.kind == tokSpecial && (t.c == '>' || t.c == ';' || t.c == '<'):
			p.off, p.have = start, false
			return ""
		default:
			b.WriteString(tokText(t))
		}
	}
	p.off, p.have = start, false
	return ""
}

// domain reads a domain (dot-atom, literal or obs-domain) up to the next
// special other than '.', and returns the comment that follows it, if any
// (the display name of "addr@host (Name)").
func (p *addrParser) domain() (host, trail string) {
	var b strings.Builder
	words, dot := 0, false // for the dot rule of checkDots
	defer func() {
		if dot {
			p.bad = true
		}
	}()
	for ; !p.done(); p.advance() {
		t := p.peek()
		switch {
		case t.kind == tokComment:
			if trail == "" {
				trail = t.text
			}
		case t.kind == tokSpecial && t.c != '.':
			return b.String(), trail
		default:
			if t.kind == tokSpecial { // a dot
				if words == 0 || dot {
					p.bad = true
				}
				dot = true
			} else {
				words, dot = words+1, false
			}
			if t.kind == tokQuoted {
				p.bad = true
			}
			b.WriteString(tokText(t))
			trail = ""
		}
	}
	return b.String(), trail
}

// checkDots marks the parse unclean unless the dots of a local part or
// domain each stand between two words (RFC 5322 dot-atom and its obsolete
// forms).
func (p *addrParser) checkDots(toks []token) {
	for i, t := range toks {
		if t.kind == tokSpecial && t.c == '.' &&
			(i == 0 || i == len(toks)-1 || toks[i-1].kind == tokSpecial) {
			p.bad = true
		}
	}
}

// trailingComment returns the text of a comment that follows directly,
// decoded, consuming it; "" if none.
func (p *addrParser) trailingComment() string {
	name := ""
	for p.peek().kind == tokComment {
		if name == "" {
			name = Decode(p.peek().text)
		}
		p.advance()
	}
	return name
}

// skipElement skips to the end of the current list element: past the
// next ',', or up to a ';' ending a group.
func (p *addrParser) skipElement() {
	for ; !p.done(); p.advance() {
		t := p.peek()
		if t.kind == tokSpecial && t.c == ';' {
			return
		}
		if t.kind == tokSpecial && t.c == ',' {
			p.advance()
			return
		}
		if t.kind != tokComment {
			p.bad = true
		}
	}
}

func (p *addrParser) isSpecial(c byte) bool {
	t := p.peek()
	return t.kind == tokSpecial && t.c == c
}
