package wire

import (
	"strconv"
	"strings"

	"github.com/emersion/go-imap/v2"
)

// FetchAttr names a FETCH data item.
type FetchAttr int

const (
	FetchFlags FetchAttr = iota + 1
	FetchUID
	FetchInternalDate
	FetchRFC822Size
	FetchEnvelope
	FetchBody          // BODY: non-extensible body structure
	FetchBodyStructure // BODYSTRUCTURE
	FetchRFC822        // RFC822 = BODY[], answered as "RFC822"
	FetchRFC822Header  // RFC822.HEADER = BODY.PEEK[HEADER]
	FetchRFC822Text    // RFC822.TEXT = BODY[TEXT]
	FetchBodySection   // BODY[section]<partial> and BODY.PEEK[...]
	FetchBinary        // BINARY[part]<partial> and BINARY.PEEK (RFC 3516)
	FetchBinarySize    // BINARY.SIZE[part]
	FetchModSeq        // MODSEQ (RFC 7162)
	FetchEmailID       // EMAILID (RFC 8474)
	FetchThreadID      // THREADID (RFC 8474)
	FetchSaveDate      // SAVEDATE (RFC 8514)
	FetchPreview       // PREVIEW and PREVIEW (LAZY) (RFC 8970; preview.go)
)

var fetchAttrNames = map[string]FetchAttr{
	"FLAGS": FetchFlags, "UID": FetchUID, "INTERNALDATE": FetchInternalDate,
	"RFC822.SIZE": FetchRFC822Size, "ENVELOPE": FetchEnvelope, "BODY": FetchBody,
	"BODYSTRUCTURE": FetchBodyStructure, "RFC822": FetchRFC822,
	"RFC822.HEADER": FetchRFC822Header, "RFC822.TEXT": FetchRFC822Text,
	"MODSEQ": FetchModSeq, "EMAILID": FetchEmailID, "THREADID": FetchThreadID,
	"SAVEDATE": FetchSaveDate, "PREVIEW": FetchPreview,
}

// Section is the part of a message a BODY[...] or BINARY[...] item names.
type Section struct {
	Part      []int              // "1.2" -> [1 2]; empty for the whole message
	Specifier imap.PartSpecifier // "", HEADER, TEXT, MIME
	Fields    []string           // HEADER.FIELDS list, as sent
	NotFields bool               // HEADER.FIELDS.NOT
}

// String renders the section as it appears between the brackets in a FETCH
// response ("1.2.HEADER.FIELDS (FROM TO)").
func (s Section) String() string {
	var b strings.Builder
	for i, p := range s.Part {
		if i > 0 {
			b.WriteByte('.')
		}
		b.WriteString(strconv.Itoa(p))
	}
	if s.Specifier != imap.PartSpecifierNone {
		if len(s.Part) > 0 {
			b.WriteByte('.')
		}
		b.WriteString(string(s.Specifier))
		if s.Specifier == imap.PartSpecifierHeader && s.Fields != nil {
			b.WriteString(".FIELDS")
			if s.NotFields {
				b.WriteString(".NOT")
			}
			b.WriteString(" (")
			for i, f := range s.Fields {
				if i > 0 {
					b.WriteByte(' ')
				}
				b.WriteString(encodeAString(f))
			}
			b.WriteByte(')')
		}
	}
	return b.String()
}

// FetchItem is one requested data item, in request order.
type FetchItem struct {
	Attr    FetchAttr
	Section Section              // FetchBodySection, FetchBinary, FetchBinarySize
	Partial *imap.SectionPartial // <offset.size>, nil for the whole section
	Peek    bool                 // BODY.PEEK / BINARY.PEEK: do not set \Seen
}

// ResponseName is the item's name in the FETCH response: "BODY[1.TEXT]<0>"
// for a partial request (RFC 3501 gives only the origin), "RFC822.HEADER"
// for its request, and so on.
func (it FetchItem) ResponseName() string {
	switch it.Attr {
	case FetchBodySection, FetchBinary, FetchBinarySize:
		name := "BODY"
		if it.Attr == FetchBinary {
			name = "BINARY"
		} else if it.Attr == FetchBinarySize {
			name = "BINARY.SIZE"
		}
		s := name + "[" + it.Section.String() + "]"
		if it.Partial != nil {
			s += "<" + strconv.FormatInt(it.Partial.Offset, 10) + ">"
		}
		return s
	}
	for name, a := range fetchAttrNames {
		if a == it.Attr {
			return name
		}
	}
	return ""
}

// SetsSeen reports whether serving the item sets \Seen (RFC 3501 §6.4.5).
func (it FetchItem) SetsSeen() bool {
	switch it.Attr {
	case FetchRFC822, FetchRFC822Text:
		return true
	case FetchBodySection, FetchBinary:
		return !it.Peek
	}
	return false
}

// FetchCommand is FETCH / UID FETCH (RFC 3501 §6.4.5, RFC 3516, RFC 7162).
type FetchCommand struct {
	Set   imap.NumSet // imap.UIDSet for UID FETCH
	Items []FetchItem
	// ChangedSince is the CHANGEDSINCE modifier; HasChangedSince tells
	// whether it was given.
	ChangedSince    uint64
	HasChangedSince bool
	Vanished        bool // VANISHED modifier (QRESYNC, UID FETCH only)
}

// Has reports whether an item with the attribute was requested.
func (c *FetchCommand) Has(a FetchAttr) bool {
	for _, it := range c.Items {
		if it.Attr == a {
			return true
		}
	}
	return false
}

// ParseFetch parses the arguments of FETCH; uid marks UID FETCH. The
// session adds the implied UID item for UID FETCH (and MODSEQ when
// CHANGEDSINCE is given).
func ParseFetch(r *Reader, uid bool) (*FetchCommand, error) {
	c := &FetchCommand{}
	r.sp()
	c.Set = r.numSet(uid)
	r.sp()
	if r.peek() == '(' {
		r.list(func() { c.Items = append(c.Items, parseFetchItem(r)) })
	} else {
		parseFetchMacroOrItem(r, c)
	}
	if len(c.Items) == 0 {
		r.fail(syntaxErr("no FETCH items"))
	}
	if r.Consume(' ') {
		parseFetchModifiers(r, c, uid)
	}
	return end(r, c)
}

// ParseFetchAtts reads a parenthesised list of fetch-att, as NOTIFY's
// MessageNew takes them (RFC 5465 §8).
func ParseFetchAtts(r *Reader) ([]FetchItem, error) {
	var items []FetchItem
	r.list(func() { items = append(items, parseFetchItem(r)) })
	if r.err == nil && len(items) == 0 {
		r.fail(syntaxErr("no FETCH items"))
	}
	return take(r, items)
}

func parseFetchMacroOrItem(r *Reader, c *FetchCommand) {
	save := r.pos
	var name string
	r.failed(func() { name = r.keyword() }) // not a macro: an item, read again
	fast := []FetchItem{{Attr: FetchFlags}, {Attr: FetchInternalDate}, {Attr: FetchRFC822Size}}
	switch name {
	case "FAST":
		c.Items = fast
	case "ALL":
		c.Items = append(fast, FetchItem{Attr: FetchEnvelope})
	case "FULL":
		c.Items = append(fast, FetchItem{Attr: FetchEnvelope}, FetchItem{Attr: FetchBody})
	default:
		r.pos = save
		c.Items = []FetchItem{parseFetchItem(r)}
	}
}

func parseFetchModifiers(r *Reader, c *FetchCommand, uid bool) {
	r.list(func() {
		switch mod := r.keyword(); {
		case r.err != nil:
		case mod == "CHANGEDSINCE":
			r.sp()
			c.ChangedSince = r.number64()
			c.HasChangedSince = true
		case mod == "VANISHED" && !uid:
			r.fail(syntaxErr("VANISHED requires UID FETCH"))
		case mod == "VANISHED":
			c.Vanished = true
		default:
			r.fail(syntaxErr("unknown FETCH modifier %s", mod))
		}
	})
}

// fetchAttName reads a fetch-att name: atom characters up to "[", which
// ATOM-CHAR does not exclude but which starts a section.
func (r *Reader) fetchAttName() string {
	return strings.ToUpper(r.span(func(c byte) bool { return isAtomChar(c) && c != '[' }))
}

func parseFetchItem(r *Reader) FetchItem {
	name := r.fetchAttName()
	var it FetchItem
	switch name {
	case "BODY", "BODY.PEEK":
		if r.peek() != '[' {
			if name == "BODY.PEEK" {
				r.fail(syntaxErr("BODY.PEEK requires a section"))
				return it
			}
			return FetchItem{Attr: FetchBody}
		}
		it = FetchItem{Attr: FetchBodySection, Peek: name == "BODY.PEEK"}
		it.Section = parseSection(r)
	case "BINARY", "BINARY.PEEK", "BINARY.SIZE":
		it = FetchItem{Attr: FetchBinary, Peek: name == "BINARY.PEEK"}
		if name == "BINARY.SIZE" {
			it.Attr = FetchBinarySize
		}
		it.Section.Part = parseBinarySection(r)
		if it.Attr == FetchBinarySize {
			return it
		}
	case "PREVIEW":
		return parsePreview(r)
	default:
		a, ok := fetchAttrNames[name]
		switch {
		case ok:
			return FetchItem{Attr: a}
		case name == "":
			r.fail(syntaxErr("expected FETCH item at %q", r.rest(16)))
		default:
			r.fail(syntaxErr("unknown FETCH item %s", name))
		}
		return it
	}
	if r.err == nil && r.Consume('<') {
		off := r.number()
		if r.err == nil && !r.Consume('.') {
			r.fail(syntaxErr("invalid partial: expected <offset.size>"))
		}
		size := r.nzNumber()
		if r.err == nil && !r.Consume('>') {
			r.fail(syntaxErr("invalid partial: expected '>'"))
		}
		it.Partial = &imap.SectionPartial{Offset: int64(off), Size: int64(size)}
	}
	return it
}

// parsePart reads section-part: nz-number *("." nz-number), stopping
// before a "." that is followed by a non-digit.
func parsePart(r *Reader) []int {
	var part []int
	for isDigit(r.peek()) {
		n := r.nzNumber()
		if r.err != nil {
			return nil
		}
		part = append(part, int(n))
		if r.peek() != '.' || r.pos+1 >= len(r.line) || !isDigit(r.line[r.pos+1]) {
			break
		}
		r.pos++
	}
	return part
}

func parseBinarySection(r *Reader) []int {
	r.expect('[', "'['")
	part := parsePart(r)
	r.expect(']', "']' after binary section")
	return part
}

func parseSection(r *Reader) Section {
	var s Section
	r.pos++ // '['
	s.Part = parsePart(r)
	if r.err != nil {
		return s
	}
	if len(s.Part) > 0 && !r.Consume('.') {
		r.expect(']', "']' after section")
		return s
	}
	if r.Consume(']') {
		if len(s.Part) > 0 {
			r.fail(syntaxErr("invalid section"))
		}
		return s
	}
	spec := strings.ToUpper(r.span(func(c byte) bool { return isAtomChar(c) && c != '[' }))
	switch spec {
	case "HEADER":
		s.Specifier = imap.PartSpecifierHeader
	case "TEXT":
		s.Specifier = imap.PartSpecifierText
	case "MIME":
		if len(s.Part) == 0 {
			r.fail(syntaxErr("MIME requires a part number"))
			return s
		}
		s.Specifier = imap.PartSpecifierMIME
	case "HEADER.FIELDS", "HEADER.FIELDS.NOT":
		s.Specifier = imap.PartSpecifierHeader
		s.NotFields = spec == "HEADER.FIELDS.NOT"
		r.sp()
		s.Fields = []string{}
		r.list(func() {
			f := r.astring()
			if r.err == nil && f == "" {
				r.fail(syntaxErr("empty header field name"))
			}
			s.Fields = append(s.Fields, f)
		})
		if len(s.Fields) == 0 {
			r.fail(syntaxErr("empty header field list"))
		}
	default:
		r.fail(syntaxErr("invalid section %q", spec))
		return s
	}
	r.expect(']', "']' after section")
	return s
}
