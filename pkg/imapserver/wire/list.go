package wire

import "github.com/emersion/go-imap/v2"

// ListCommand is LIST with the LIST-EXTENDED (RFC 5258), SPECIAL-USE
// (RFC 6154) and LIST-STATUS (RFC 5819) options.
type ListCommand struct {
	Reference string
	Patterns  []string // one unless the list form "(p1 p2)" was used
	// Extended is set when any RFC 5258 syntax was used; the response then
	// carries extended data (CHILDINFO) as the RFC describes.
	Extended bool

	SelectSubscribed, SelectRemote, SelectRecursiveMatch, SelectSpecialUse bool

	ReturnSubscribed, ReturnChildren, ReturnSpecialUse bool
	ReturnStatus                                       *imap.StatusOptions
}

// ParseList parses the arguments of LIST.
func ParseList(r *Reader) (*ListCommand, error) {
	c := &ListCommand{}
	var err error
	if err = r.SP(); err != nil {
		return nil, err
	}
	if r.peek() == '(' {
		c.Extended = true
		if err = parseListSelect(r, c); err != nil {
			return nil, err
		}
		if err = r.SP(); err != nil {
			return nil, err
		}
	}
	if c.Reference, err = r.AString(); err != nil {
		return nil, err
	}
	if err = r.SP(); err != nil {
		return nil, err
	}
	if r.peek() == '(' {
		c.Extended = true
	}
	if c.Patterns, err = oneOrList(r, r.ListMailbox, "pattern"); err != nil {
		return nil, err
	}
	if r.Consume(' ') {
		c.Extended = true
		if err := parseListReturn(r, c); err != nil {
			return nil, err
		}
	}
	return c, r.EOL()
}

func parseListSelect(r *Reader, c *ListCommand) error {
	err := r.List(func() error {
		opt, err := r.Keyword()
		switch opt {
		case "SUBSCRIBED":
			c.SelectSubscribed = true
		case "REMOTE":
			c.SelectRemote = true
		case "RECURSIVEMATCH":
			c.SelectRecursiveMatch = true
		case "SPECIAL-USE":
			c.SelectSpecialUse = true
		default:
			if err == nil {
				err = syntaxErr("unknown LIST selection option %s", opt)
			}
		}
		return err
	})
	if err == nil && c.SelectRecursiveMatch && !c.SelectSubscribed && !c.SelectSpecialUse {
		// RFC 5258 §3.1: RECURSIVEMATCH must come with an option it modifies.
		err = syntaxErr("RECURSIVEMATCH needs another selection option")
	}
	return err
}

func parseListReturn(r *Reader, c *ListCommand) error {
	kw, err := r.Keyword()
	if err != nil || kw != "RETURN" {
		return syntaxErr("expected RETURN options")
	}
	if err := r.SP(); err != nil {
		return err
	}
	return r.List(func() error {
		opt, err := r.Keyword()
		if err != nil {
			return err
		}
		switch opt {
		case "SUBSCRIBED":
			c.ReturnSubscribed = true
		case "CHILDREN":
			c.ReturnChildren = true
		case "SPECIAL-USE":
			c.ReturnSpecialUse = true
		case "STATUS":
			if err := r.SP(); err != nil {
				return err
			}
			st, err := parseStatusItems(r)
			c.ReturnStatus = st
			return err
		default:
			return syntaxErr("unknown LIST return option %s", opt)
		}
		return nil
	})
}

// LsubCommand is LSUB (RFC 3501 §6.3.9).
type LsubCommand struct {
	Reference, Pattern string
}

// ParseLsub parses the arguments of LSUB.
func ParseLsub(r *Reader) (*LsubCommand, error) {
	c := &LsubCommand{}
	var err error
	if err = r.SP(); err != nil {
		return nil, err
	}
	if c.Reference, err = r.AString(); err != nil {
		return nil, err
	}
	if err = r.SP(); err != nil {
		return nil, err
	}
	if c.Pattern, err = r.ListMailbox(); err != nil {
		return nil, err
	}
	return c, r.EOL()
}

// StatusCommand is STATUS (RFC 3501 §6.3.10 and extensions).
type StatusCommand struct {
	Mailbox string
	Items   imap.StatusOptions
}

// ParseStatus parses the arguments of STATUS.
func ParseStatus(r *Reader) (*StatusCommand, error) {
	c := &StatusCommand{}
	var err error
	if err = r.SP(); err != nil {
		return nil, err
	}
	if c.Mailbox, err = r.AString(); err != nil {
		return nil, err
	}
	if err = r.SP(); err != nil {
		return nil, err
	}
	st, err := parseStatusItems(r)
	if err != nil {
		return nil, err
	}
	c.Items = *st
	return c, r.EOL()
}

func parseStatusItems(r *Reader) (*imap.StatusOptions, error) {
	st := &imap.StatusOptions{}
	n := 0
	err := r.List(func() error {
		item, err := r.Keyword()
		if err != nil {
			return err
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
		default:
			return syntaxErr("unknown STATUS item %s", item)
		}
		return nil
	})
	if err == nil && n == 0 {
		err = syntaxErr("empty STATUS item list")
	}
	return st, err
}
