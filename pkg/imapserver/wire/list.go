package wire

import "github.com/emersion/go-imap/v2"

// ListCommand is LIST with the LIST-EXTENDED (RFC 5258), SPECIAL-USE
// (RFC 6154), LIST-STATUS (RFC 5819) and LIST-METADATA (RFC 9590) options.
type ListCommand struct {
	Reference string
	Patterns  []string // one unless the list form "(p1 p2)" was used
	// Extended is set when any RFC 5258 syntax was used; the response then
	// carries extended data (CHILDINFO) as the RFC describes.
	Extended bool

	SelectSubscribed, SelectRemote, SelectRecursiveMatch, SelectSpecialUse bool

	ReturnSubscribed, ReturnChildren, ReturnSpecialUse bool
	ReturnStatus                                       *StatusItems
	// ReturnMetadata holds the entry names of RETURN (METADATA ...), as
	// sent (the server checks them); nil when not asked.
	ReturnMetadata []string `json:",omitempty"`
}

// ParseList parses the arguments of LIST.
func ParseList(r *Reader) (*ListCommand, error) {
	c := &ListCommand{}
	r.sp()
	if r.peek() == '(' {
		c.Extended = true
		parseListSelect(r, c)
		r.sp()
	}
	c.Reference = r.astring()
	r.sp()
	if r.peek() == '(' {
		c.Extended = true
	}
	c.Patterns = oneOrList(r, r.listMailbox, "pattern")
	if r.Consume(' ') {
		c.Extended = true
		parseListReturn(r, c)
	}
	return end(r, c)
}

func parseListSelect(r *Reader, c *ListCommand) {
	r.list(func() {
		switch opt := r.keyword(); opt {
		case "SUBSCRIBED":
			c.SelectSubscribed = true
		case "REMOTE":
			c.SelectRemote = true
		case "RECURSIVEMATCH":
			c.SelectRecursiveMatch = true
		case "SPECIAL-USE":
			c.SelectSpecialUse = true
		default:
			r.fail(syntaxErr("unknown LIST selection option %s", opt))
		}
	})
	if c.SelectRecursiveMatch && !c.SelectSubscribed && !c.SelectSpecialUse {
		// RFC 5258 §3.1: RECURSIVEMATCH must come with an option it modifies.
		r.fail(syntaxErr("RECURSIVEMATCH needs another selection option"))
	}
}

func parseListReturn(r *Reader, c *ListCommand) {
	if r.failed(func() { r.fail(r.keywordIs("RETURN")) }) {
		r.fail(syntaxErr("expected RETURN options"))
	}
	r.sp()
	r.list(func() {
		switch opt := r.keyword(); opt {
		case "SUBSCRIBED":
			c.ReturnSubscribed = true
		case "CHILDREN":
			c.ReturnChildren = true
		case "SPECIAL-USE":
			c.ReturnSpecialUse = true
		case "STATUS":
			r.sp()
			c.ReturnStatus = parseStatusItems(r)
		case "METADATA":
			// Cyrus's form: one entry or a list of them (no options).
			r.sp()
			c.ReturnMetadata = oneOrList(r, r.astring, "metadata entry")
		default:
			r.fail(syntaxErr("unknown LIST return option %s", opt))
		}
	})
}

// LsubCommand is LSUB (RFC 3501 §6.3.9).
type LsubCommand struct {
	Reference, Pattern string
}

// ParseLsub parses the arguments of LSUB.
func ParseLsub(r *Reader) (*LsubCommand, error) {
	c := &LsubCommand{}
	r.sp()
	c.Reference = r.astring()
	r.sp()
	c.Pattern = r.listMailbox()
	return end(r, c)
}

// StatusCommand is STATUS (RFC 3501 §6.3.10 and extensions).
type StatusCommand struct {
	Mailbox string
	Items   StatusItems
}

// StatusItems are the STATUS data items asked for: go-imap's set plus
// MAILBOXID (RFC 8474 §4.2), which it does not know.
type StatusItems struct {
	imap.StatusOptions
	MailboxID bool
}

// ParseStatus parses the arguments of STATUS.
func ParseStatus(r *Reader) (*StatusCommand, error) {
	c := &StatusCommand{}
	r.sp()
	c.Mailbox = r.astring()
	r.sp()
	c.Items = *parseStatusItems(r)
	return end(r, c)
}

func parseStatusItems(r *Reader) *StatusItems {
	st := &StatusItems{}
	n := 0
	r.list(func() {
		item := r.keyword()
		if r.err != nil {
			return
		}
		n++
		switch item {
		case "MESSAGES":
			st.NumMessages = true
		case "RECENT":
			st.NumRecent = true
		case "UIDNEXT":
			st.UIDNext = true
		case "UIDVALIDITY":
			st.UIDValidity = true
		case "UNSEEN":
			st.NumUnseen = true
		case "DELETED":
			st.NumDeleted = true
		case "SIZE":
			st.Size = true
		case "APPENDLIMIT":
			st.AppendLimit = true
		case "DELETED-STORAGE":
			st.DeletedStorage = true
		case "HIGHESTMODSEQ":
			st.HighestModSeq = true
		case "MAILBOXID":
			st.MailboxID = true
		default:
			r.fail(syntaxErr("unknown STATUS item %s", item))
		}
	})
	if n == 0 {
		r.fail(syntaxErr("empty STATUS item list"))
	}
	return st
}
