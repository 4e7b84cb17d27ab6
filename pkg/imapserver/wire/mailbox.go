package wire

import (
	"strings"

	"github.com/emersion/go-imap/v2"
)

// SelectCommand is SELECT or EXAMINE with RFC 7162 parameters.
type SelectCommand struct {
	Mailbox   string
	CondStore bool
	QResync   *QResync
}

// QResync is the QRESYNC select parameter (RFC 7162 §3.2.5):
// (uidvalidity modseq [known-uids [(known-seqs known-seq-uids)]]).
type QResync struct {
	UIDValidity uint32
	ModSeq      uint64
	KnownUIDs   imap.UIDSet // nil when absent
	// SeqMatch pairs message numbers with the UIDs the client knows for
	// them; both nil when absent.
	SeqMatchSeqs imap.SeqSet
	SeqMatchUIDs imap.UIDSet
}

// ParseSelect parses the arguments of SELECT and EXAMINE.
func ParseSelect(r *Reader) (*SelectCommand, error) {
	c := &SelectCommand{}
	var err error
	if err = r.SP(); err != nil {
		return nil, err
	}
	if c.Mailbox, err = r.AString(); err != nil {
		return nil, err
	}
	if !r.Consume(' ') {
		return c, r.EOL()
	}
	err = r.List(func() error {
		p, err := r.Keyword()
		if err != nil {
			return err
		}
		switch p {
		case "CONDSTORE":
			c.CondStore = true
			return nil
		case "QRESYNC":
			if err := r.SP(); err != nil {
				return err
			}
			c.QResync, err = parseQResync(r)
			return err
		}
		return syntaxErr("unknown SELECT parameter %s", p)
	})
	if err != nil {
		return nil, err
	}
	return c, r.EOL()
}

func parseQResync(r *Reader) (*QResync, error) {
	q := &QResync{}
	step := 0
	err := r.List(func() error {
		var err error
		switch step {
		case 0:
			q.UIDValidity, err = r.NZNumber()
		case 1:
			q.ModSeq, err = r.Number64()
			if err == nil && q.ModSeq == 0 {
				err = syntaxErr("QRESYNC mod-sequence must not be zero")
			}
		case 2, 3:
			if r.peek() == '(' {
				step = 3
				return parseSeqMatch(r, q)
			}
			if step == 3 {
				return syntaxErr("invalid QRESYNC parameter")
			}
			q.KnownUIDs, err = uidSetNoRes(r)
		default:
			return syntaxErr("too many QRESYNC parameters")
		}
		step++
		return err
	})
	if err == nil && step < 2 {
		err = syntaxErr("QRESYNC needs uidvalidity and modseq")
	}
	return q, err
}

func parseSeqMatch(r *Reader, q *QResync) error {
	r.pos++ // '('
	seqs, err := r.NumSet(false)
	if err != nil || imap.IsSearchRes(seqs) {
		return syntaxErr("invalid QRESYNC sequence match data")
	}
	if err := r.SP(); err != nil {
		return err
	}
	uids, err := uidSetNoRes(r)
	if err != nil {
		return err
	}
	q.SeqMatchSeqs, q.SeqMatchUIDs = seqs.(imap.SeqSet), uids
	return r.Expect(')', "')'")
}

func uidSetNoRes(r *Reader) (imap.UIDSet, error) {
	set, err := r.NumSet(true)
	if err != nil {
		return nil, err
	}
	if imap.IsSearchRes(set) {
		return nil, syntaxErr("$ not allowed here")
	}
	return set.(imap.UIDSet), nil
}

// CreateCommand is CREATE with RFC 6154's USE parameter and Cyrus's
// optional partition argument (admins only: CREATE name partition).
type CreateCommand struct {
	Mailbox    string
	Partition  string
	SpecialUse []imap.MailboxAttr
}

// ParseCreate parses the arguments of CREATE.
func ParseCreate(r *Reader) (*CreateCommand, error) {
	c := &CreateCommand{}
	var err error
	if err = r.SP(); err != nil {
		return nil, err
	}
	if c.Mailbox, err = r.AString(); err != nil {
		return nil, err
	}
	if !r.Consume(' ') {
		return c, r.EOL()
	}
	if r.Peek() != '(' {
		if c.Partition, err = r.AString(); err != nil {
			return nil, err
		}
		if !r.Consume(' ') {
			return c, r.EOL()
		}
	}
	err = r.List(func() error {
		p, err := r.Keyword()
		if err != nil {
			return err
		}
		if p != "USE" {
			return syntaxErr("unknown CREATE parameter %s", p)
		}
		if err := r.SP(); err != nil {
			return err
		}
		return r.List(func() error {
			if err := r.Expect('\\', "special-use attribute"); err != nil {
				return err
			}
			a, err := r.Atom()
			c.SpecialUse = append(c.SpecialUse, imap.MailboxAttr(canonicalSpecialUse("\\"+a)))
			return err
		})
	})
	if err != nil {
		return nil, err
	}
	return c, r.EOL()
}

func canonicalSpecialUse(a string) string {
	for _, s := range [...]imap.MailboxAttr{imap.MailboxAttrAll, imap.MailboxAttrArchive,
		imap.MailboxAttrDrafts, imap.MailboxAttrFlagged, imap.MailboxAttrJunk,
		imap.MailboxAttrSent, imap.MailboxAttrTrash, imap.MailboxAttrImportant} {
		if strings.EqualFold(a, string(s)) {
			return string(s)
		}
	}
	return a
}
