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

	// RFC 8514 SAVEDATE and RFC 8474 OBJECTID (searchobj.go).
	SearchSavedBefore       // save date < Date
	SearchSavedOn           // save date on Date
	SearchSavedSince        // save date >= Date
	SearchSaveDateSupported // every message: the save date is kept in every mailbox
	SearchEmailID           // EMAILID Value
	SearchThreadID          // THREADID Value
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

// SearchReturn holds ESEARCH return options (RFC 4731, RFC 5182 SAVE,
// RFC 9394 PARTIAL, RFC 5267 §4 CONTEXT and UPDATE).
type SearchReturn struct {
	Min, Max, All, Count, Save bool
	Partial                    *PartialRange `json:",omitempty"` // nil when not asked
	// Update asks for ADDTO/REMOVEFROM notifications (RFC 5267 §4.3);
	// Context is only a hint that the search will be reused (§4.2).
	Update, Context bool `json:",omitempty"`
}

// Reports reports whether the options ask for anything sent in ESEARCH
// (SAVE alone sends nothing).
func (ret SearchReturn) Reports() bool {
	return ret.Min || ret.Max || ret.All || ret.Count || ret.Partial != nil
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
	r.sp()
	c.Return = parseReturnOption(r)
	c.Charset = parseCharset(r, false)
	c.Key = parseSearchProgram(r)
	return end(r, c)
}

// parseReturnOption reads ESEARCH's "RETURN (...) SP" when present.
func parseReturnOption(r *Reader) *SearchReturn {
	if kw, ok := r.peekKeyword(); !ok || kw != "RETURN" {
		return nil
	}
	r.keyword()
	ret := parseSearchReturn(r)
	r.sp()
	return ret
}

// parseSearchReturn reads "(" [opt *(SP opt)] ")"; "()" means ALL.
func parseSearchReturn(r *Reader) *SearchReturn {
	ret := &SearchReturn{}
	r.sp()
	r.list(func() {
		switch opt := r.keyword(); opt {
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
		case "UPDATE":
			ret.Update = true
		case "CONTEXT":
			ret.Context = true
		case "PARTIAL":
			if ret.Partial != nil {
				r.fail(syntaxErr("PARTIAL given twice"))
			}
			r.sp()
			ret.Partial = r.partialRange()
		default:
			r.fail(syntaxErr("unknown RETURN option %s", opt))
		}
	})
	if ret.Partial != nil && ret.All {
		// RFC 9394 §3.1: ALL and PARTIAL exclude each other.
		r.fail(syntaxErr("PARTIAL conflicts with ALL"))
	}
	if *ret == (SearchReturn{}) {
		ret.All = true
	}
	return ret
}

// parseCharset reads "CHARSET astring SP" when present (required for SORT
// and THREAD, where the keyword is absent and only the name is sent).
func parseCharset(r *Reader, bare bool) string {
	if !bare {
		if kw, ok := r.peekKeyword(); !ok || kw != "CHARSET" {
			return ""
		}
		r.keyword()
		r.sp()
	}
	cs := r.astring()
	r.sp()
	return cs
}

// parseSearchProgram reads search-key *(SP search-key) to the end of the
// command.
func parseSearchProgram(r *Reader) SearchKey {
	var keys []SearchKey
	for {
		keys = append(keys, parseSearchKey(r))
		if !r.Consume(' ') {
			break
		}
	}
	if len(keys) == 1 {
		return keys[0]
	}
	return SearchKey{Op: SearchAnd, Children: keys}
}

// peekKeyword returns the upper-cased atom ahead without consuming it.
func (r *Reader) peekKeyword() (string, bool) {
	if !r.ok() {
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
	"SAVEDBEFORE": SearchSavedBefore, "SAVEDON": SearchSavedOn, "SAVEDSINCE": SearchSavedSince,
}

var searchHeaderKeys = map[string]string{
	"FROM": "From", "TO": "To", "CC": "Cc", "BCC": "Bcc", "SUBJECT": "Subject",
}

// parseSearchKey reads one search key; after a failure it returns a zero
// key without reading.
func parseSearchKey(r *Reader) SearchKey {
	if !r.ok() {
		return SearchKey{}
	}
	if r.depth >= maxNesting {
		r.fail(syntaxErr("search keys nested too deeply"))
		return SearchKey{}
	}
	r.depth++
	defer func() { r.depth-- }()

	switch c := r.peek(); {
	case c == '(':
		var keys []SearchKey
		r.list(func() { keys = append(keys, parseSearchKey(r)) })
		if len(keys) == 0 {
			r.fail(syntaxErr("empty search key list"))
			return SearchKey{}
		}
		if len(keys) == 1 {
			return keys[0]
		}
		return SearchKey{Op: SearchAnd, Children: keys}
	case isDigit(c) || c == '*' || c == '$':
		return SearchKey{Op: SearchSeq, Set: r.numSet(false)}
	}

	var name string
	if r.failed(func() { name = r.keyword() }) {
		r.fail(syntaxErr("expected search key at %q", r.rest(16)))
		return SearchKey{}
	}
	if fk, ok := searchFlagKeys[name]; ok {
		op := SearchNoFlag
		if fk.set {
			op = SearchFlag
		}
		return SearchKey{Op: op, Flag: fk.flag}
	}
	switch name {
	case "ALL":
		return SearchKey{Op: SearchAll}
	case "NEW":
		return SearchKey{Op: SearchAnd, Children: []SearchKey{
			{Op: SearchFlag, Flag: `\Recent`}, {Op: SearchNoFlag, Flag: imap.FlagSeen}}}
	case "OLD":
		return SearchKey{Op: SearchNoFlag, Flag: `\Recent`}
	case "SAVEDATESUPPORTED":
		return SearchKey{Op: SearchSaveDateSupported}
	}
	// Every other key has an argument.
	if r.failed(r.sp) {
		r.fail(syntaxErr("%s needs an argument", name))
		return SearchKey{}
	}
	if op, ok := searchDateKeys[name]; ok {
		return SearchKey{Op: op, Date: r.date()}
	}
	if field, ok := searchHeaderKeys[name]; ok {
		return SearchKey{Op: SearchHeader, Field: field, Value: r.astring()}
	}
	switch name {
	case "KEYWORD":
		return SearchKey{Op: SearchFlag, Flag: r.flag()}
	case "UNKEYWORD":
		return SearchKey{Op: SearchNoFlag, Flag: r.flag()}
	case "BODY":
		return SearchKey{Op: SearchBody, Value: r.astring()}
	case "TEXT":
		return SearchKey{Op: SearchText, Value: r.astring()}
	case "HEADER":
		k := SearchKey{Op: SearchHeader, Field: r.astring()}
		r.sp()
		k.Value = r.astring()
		return k
	case "LARGER":
		return SearchKey{Op: SearchLarger, Number: r.number64()}
	case "SMALLER":
		return SearchKey{Op: SearchSmaller, Number: r.number64()}
	case "OLDER": // a number, not RFC 5032's nz-number: Cyrus takes 0
		return SearchKey{Op: SearchOlder, Number: uint64(r.number())}
	case "YOUNGER":
		return SearchKey{Op: SearchYounger, Number: uint64(r.number())}
	case "UID":
		return SearchKey{Op: SearchUID, Set: r.numSet(true)}
	case "NOT":
		return SearchKey{Op: SearchNot, Children: []SearchKey{parseSearchKey(r)}}
	case "OR":
		a := parseSearchKey(r)
		r.sp()
		return SearchKey{Op: SearchOr, Children: []SearchKey{a, parseSearchKey(r)}}
	case "MODSEQ":
		return parseSearchModSeq(r)
	case "EMAILID":
		return SearchKey{Op: SearchEmailID, Value: r.astring()}
	case "THREADID":
		return SearchKey{Op: SearchThreadID, Value: r.astring()}
	}
	r.fail(syntaxErr("unknown search key %s", name))
	return SearchKey{}
}

// parseSearchModSeq reads [entry-name SP entry-type-req SP] mod-sequence-valzer.
func parseSearchModSeq(r *Reader) SearchKey {
	k := SearchKey{Op: SearchModSeq}
	if c := r.peek(); c == '"' || c == '{' {
		entry := r.str()
		r.sp()
		switch typ := strings.ToLower(r.keyword()); {
		case r.err != nil:
		case typ == "priv" || typ == "shared" || typ == "all":
			k.Entry, k.EntryType = entry, typ
		default:
			r.fail(syntaxErr("invalid MODSEQ entry type %s", typ))
		}
		r.sp()
	}
	k.Number = r.number64()
	return k
}
