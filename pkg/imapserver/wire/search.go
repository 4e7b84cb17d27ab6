package wire

import (
	"strings"
	"time"

	"github.com/emersion/go-imap/v2"
)

// SearchOp is the kind of a SearchKey node.
type SearchOp int

const (
	SearchAll        SearchOp = iota + 1
	SearchAnd                 // Children, all must match
	SearchOr                  // Children[0] or Children[1]
	SearchNot                 // not Children[0]
	SearchFlag                // Flag set (ANSWERED, SEEN, KEYWORD x, RECENT, ...)
	SearchNoFlag              // Flag not set (UNSEEN, UNKEYWORD x, ...)
	SearchHeader              // Field contains Value; FROM/TO/CC/BCC/SUBJECT map here
	SearchBody                // Value in the body
	SearchText                // Value in header or body
	SearchBefore              // internal date < Date
	SearchOn                  // internal date on Date
	SearchSince               // internal date >= Date
	SearchSentBefore          // Date: header likewise
	SearchSentOn
	SearchSentSince
	SearchLarger  // RFC822.SIZE > Number
	SearchSmaller // RFC822.SIZE < Number
	SearchSeq     // message number in Set
	SearchUID     // UID in Set
	SearchModSeq  // MODSEQ >= Number (RFC 7162), optional Entry/EntryType
	SearchOlder   // internal date older than Number seconds (RFC 5032)
	SearchYounger // internal date younger than Number seconds
)

// SearchKey is a node of a parsed search program. Keys that are plain
// combinations in RFC 3501 are normalised: NEW is RECENT and UNSEEN, OLD is
// NOT RECENT, FROM x is HEADER FROM x.
type SearchKey struct {
	Op       SearchOp
	Children []SearchKey
	Flag     imap.Flag
	Field    string // header field name for SearchHeader, as sent
	Value    string
	Date     time.Time // a day at 00:00 UTC
	Number   uint64
	Set      imap.NumSet // SeqSet, UIDSet, or imap.SearchRes()
	// MODSEQ's optional metadata entry ("/flags/\\seen") and its type
	// ("priv", "shared", "all").
	Entry, EntryType string
}

// SearchReturn holds ESEARCH return options (RFC 4731, RFC 5182).
type SearchReturn struct {
	Min, Max, All, Count, Save bool
}

// SearchCommand is SEARCH / UID SEARCH.
type SearchCommand struct {
	Charset string        // "" when absent
	Return  *SearchReturn // nil: plain SEARCH; non-nil: ESEARCH response
	Key     SearchKey     // an AND of all top-level keys
}

// ParseSearch parses the arguments of SEARCH; uid marks UID SEARCH (the
// sets of the UID key are imap.UIDSet either way).
func ParseSearch(r *Reader, uid bool) (*SearchCommand, error) {
	c := &SearchCommand{}
	if err := r.SP(); err != nil {
		return nil, err
	}
	if kw, ok := r.peekKeyword(); ok && kw == "RETURN" {
		r.Keyword()
		ret, err := parseSearchReturn(r)
		if err != nil {
			return nil, err
		}
		c.Return = ret
		if err := r.SP(); err != nil {
			return nil, err
		}
	}
	charset, err := parseCharset(r, false)
	if err != nil {
		return nil, err
	}
	c.Charset = charset
	if c.Key, err = parseSearchProgram(r); err != nil {
		return nil, err
	}
	return c, r.EOL()
}

// parseSearchReturn reads "(" [opt *(SP opt)] ")"; "()" means ALL.
func parseSearchReturn(r *Reader) (*SearchReturn, error) {
	ret := &SearchReturn{}
	if err := r.SP(); err != nil {
		return nil, err
	}
	err := r.List(func() error {
		opt, err := r.Keyword()
		switch opt {
		case "MIN":
			ret.Min = true
		case "MAX":
			ret.Max = true
		case "ALL":
			ret.All = true
		case "COUNT":
			ret.Count = true
		case "SAVE":
			ret.Save = true
		default:
			if err == nil {
				err = syntaxErr("unknown RETURN option %s", opt)
			}
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	if *ret == (SearchReturn{}) {
		ret.All = true
	}
	return ret, nil
}

// parseCharset reads "CHARSET astring SP" when present (required for SORT
// and THREAD, where the keyword is absent and only the name is sent).
func parseCharset(r *Reader, bare bool) (string, error) {
	if !bare {
		kw, ok := r.peekKeyword()
		if !ok || kw != "CHARSET" {
			return "", nil
		}
		r.Keyword()
		if err := r.SP(); err != nil {
			return "", err
		}
	}
	cs, err := r.AString()
	if err != nil {
		return "", err
	}
	return cs, r.SP()
}

// parseSearchProgram reads search-key *(SP search-key) to the end of the
// command.
func parseSearchProgram(r *Reader) (SearchKey, error) {
	var keys []SearchKey
	for {
		k, err := parseSearchKey(r)
		if err != nil {
			return SearchKey{}, err
		}
		keys = append(keys, k)
		if !r.Consume(' ') {
			break
		}
	}
	if len(keys) == 1 {
		return keys[0], nil
	}
	return SearchKey{Op: SearchAnd, Children: keys}, nil
}

// peekKeyword returns the upper-cased atom ahead without consuming it.
func (r *Reader) peekKeyword() (string, bool) {
	if r.ensureLine() != nil {
		return "", false
	}
	i := r.pos
	for i < len(r.line) && isAtomChar(r.line[i]) {
		i++
	}
	return strings.ToUpper(string(r.line[r.pos:i])), i > r.pos
}

var searchFlagKeys = map[string]struct {
	flag imap.Flag
	set  bool
}{
	"ANSWERED": {imap.FlagAnswered, true}, "UNANSWERED": {imap.FlagAnswered, false},
	"DELETED": {imap.FlagDeleted, true}, "UNDELETED": {imap.FlagDeleted, false},
	"DRAFT": {imap.FlagDraft, true}, "UNDRAFT": {imap.FlagDraft, false},
	"FLAGGED": {imap.FlagFlagged, true}, "UNFLAGGED": {imap.FlagFlagged, false},
	"SEEN": {imap.FlagSeen, true}, "UNSEEN": {imap.FlagSeen, false},
	"RECENT": {`\Recent`, true},
}

var searchDateKeys = map[string]SearchOp{
	"BEFORE": SearchBefore, "ON": SearchOn, "SINCE": SearchSince,
	"SENTBEFORE": SearchSentBefore, "SENTON": SearchSentOn, "SENTSINCE": SearchSentSince,
}

var searchHeaderKeys = map[string]string{
	"FROM": "From", "TO": "To", "CC": "Cc", "BCC": "Bcc", "SUBJECT": "Subject",
}

func parseSearchKey(r *Reader) (SearchKey, error) {
	if err := r.ensureLine(); err != nil {
		return SearchKey{}, err
	}
	if r.depth >= maxNesting {
		return SearchKey{}, syntaxErr("search keys nested too deeply")
	}
	r.depth++
	defer func() { r.depth-- }()

	switch c := r.peek(); {
	case c == '(':
		var keys []SearchKey
		err := r.List(func() error {
			k, err := parseSearchKey(r)
			keys = append(keys, k)
			return err
		})
		if err != nil {
			return SearchKey{}, err
		}
		if len(keys) == 0 {
			return SearchKey{}, syntaxErr("empty search key list")
		}
		if len(keys) == 1 {
			return keys[0], nil
		}
		return SearchKey{Op: SearchAnd, Children: keys}, nil
	case isDigit(c) || c == '*' || c == '$':
		set, err := r.NumSet(false)
		return SearchKey{Op: SearchSeq, Set: set}, err
	}

	name, err := r.Keyword()
	if err != nil {
		return SearchKey{}, syntaxErr("expected search key at %q", r.rest(16))
	}
	if fk, ok := searchFlagKeys[name]; ok {
		op := SearchNoFlag
		if fk.set {
			op = SearchFlag
		}
		return SearchKey{Op: op, Flag: fk.flag}, nil
	}
	switch name {
	case "ALL":
		return SearchKey{Op: SearchAll}, nil
	case "NEW":
		return SearchKey{Op: SearchAnd, Children: []SearchKey{
			{Op: SearchFlag, Flag: `\Recent`}, {Op: SearchNoFlag, Flag: imap.FlagSeen}}}, nil
	case "OLD":
		return SearchKey{Op: SearchNoFlag, Flag: `\Recent`}, nil
	}
	// Every other key has an argument.
	if err := r.SP(); err != nil {
		return SearchKey{}, syntaxErr("%s needs an argument", name)
	}
	if op, ok := searchDateKeys[name]; ok {
		d, err := r.Date()
		return SearchKey{Op: op, Date: d}, err
	}
	if field, ok := searchHeaderKeys[name]; ok {
		v, err := r.AString()
		return SearchKey{Op: SearchHeader, Field: field, Value: v}, err
	}
	switch name {
	case "KEYWORD", "UNKEYWORD":
		f, err := r.Flag()
		op := SearchFlag
		if name == "UNKEYWORD" {
			op = SearchNoFlag
		}
		return SearchKey{Op: op, Flag: f}, err
	case "BODY", "TEXT":
		v, err := r.AString()
		op := SearchBody
		if name == "TEXT" {
			op = SearchText
		}
		return SearchKey{Op: op, Value: v}, err
	case "HEADER":
		field, err := r.AString()
		if err != nil {
			return SearchKey{}, err
		}
		if err := r.SP(); err != nil {
			return SearchKey{}, err
		}
		v, err := r.AString()
		return SearchKey{Op: SearchHeader, Field: field, Value: v}, err
	case "LARGER", "SMALLER":
		n, err := r.Number64()
		op := SearchLarger
		if name == "SMALLER" {
			op = SearchSmaller
		}
		return SearchKey{Op: op, Number: n}, err
	case "OLDER", "YOUNGER":
		n, err := r.NZNumber()
		op := SearchOlder
		if name == "YOUNGER" {
			op = SearchYounger
		}
		return SearchKey{Op: op, Number: uint64(n)}, err
	case "UID":
		set, err := r.NumSet(true)
		return SearchKey{Op: SearchUID, Set: set}, err
	case "NOT":
		k, err := parseSearchKey(r)
		return SearchKey{Op: SearchNot, Children: []SearchKey{k}}, err
	case "OR":
		a, err := parseSearchKey(r)
		if err != nil {
			return SearchKey{}, err
		}
		if err := r.SP(); err != nil {
			return SearchKey{}, err
		}
		b, err := parseSearchKey(r)
		return SearchKey{Op: SearchOr, Children: []SearchKey{a, b}}, err
	case "MODSEQ":
		return parseSearchModSeq(r)
	}
	return SearchKey{}, syntaxErr("unknown search key %s", name)
}

// parseSearchModSeq reads [entry-name SP entry-type-req SP] mod-sequence-valzer.
func parseSearchModSeq(r *Reader) (SearchKey, error) {
	k := SearchKey{Op: SearchModSeq}
	if r.peek() == '"' || r.peek() == '{' {
		entry, err := r.String()
		if err != nil {
			return k, err
		}
		if err := r.SP(); err != nil {
			return k, err
		}
		typ, err := r.Keyword()
		if err != nil {
			return k, err
		}
		switch typ = strings.ToLower(typ); typ {
		case "priv", "shared", "all":
		default:
			return k, syntaxErr("invalid MODSEQ entry type %s", typ)
		}
		if err := r.SP(); err != nil {
			return k, err
		}
		k.Entry, k.EntryType = entry, typ
	}
	n, err := r.Number64()
	k.Number = n
	return k, err
}
