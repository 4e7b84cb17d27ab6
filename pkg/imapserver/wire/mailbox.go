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
	r.sp()
	c.Mailbox = r.astring()
	if !r.Consume(' ') {
		return end(r, c)
	}
	r.list(func() {
		switch p := r.keyword(); p {
		case "CONDSTORE":
			c.CondStore = true
		case "QRESYNC":
			r.sp()
			c.QResync = parseQResync(r)
		default:
			r.fail(syntaxErr("unknown SELECT parameter %s", p))
		}
	})
	return end(r, c)
}

func parseQResync(r *Reader) *QResync {
	q := &QResync{}
	step := 0
	r.list(func() {
		switch step {
		case 0:
			q.UIDValidity = r.nzNumber()
		case 1:
			q.ModSeq = r.number64()
			if r.err == nil && q.ModSeq == 0 {
				r.fail(syntaxErr("QRESYNC mod-sequence must not be zero"))
			}
		case 2, 3:
			if r.peek() == '(' {
				step = 3
				parseSeqMatch(r, q)
				return
			}
			if step == 3 {
				r.fail(syntaxErr("invalid QRESYNC parameter"))
				return
			}
			q.KnownUIDs = uidSetNoRes(r)
		default:
			r.fail(syntaxErr("too many QRESYNC parameters"))
			return
		}
		step++
	})
	if step < 2 {
		r.fail(syntaxErr("QRESYNC needs uidvalidity and modseq"))
	}
	return q
}

func parseSeqMatch(r *Reader, q *QResync) {
	r.pos++ // '('
	var seqs imap.NumSet
	if r.failed(func() { seqs = r.numSet(false) }) || r.err == nil && imap.IsSearchRes(seqs) {
		r.fail(syntaxErr("invalid QRESYNC sequence match data"))
		return
	}
	r.sp()
	uids := uidSetNoRes(r)
	if r.err == nil {
		q.SeqMatchSeqs, q.SeqMatchUIDs = seqs.(imap.SeqSet), uids
	}
	r.expect(')', "')'")
}

func uidSetNoRes(r *Reader) imap.UIDSet {
	set := r.numSet(true)
	if r.err == nil && imap.IsSearchRes(set) {
		r.fail(syntaxErr("$ not allowed here"))
	}
	if r.err != nil {
		return nil
	}
	return set.(imap.UIDSet)
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
	r.sp()
	c.Mailbox = r.astring()
	if !r.Consume(' ') {
		return end(r, c)
	}
	if r.peek() != '(' {
		c.Partition = r.astring()
		if !r.Consume(' ') {
			return end(r, c)
		}
	}
	r.list(func() {
		if p := r.keyword(); r.err == nil && p != "USE" {
			r.fail(syntaxErr("unknown CREATE parameter %s", p))
		}
		r.sp()
		r.list(func() {
			r.expect('\\', "special-use attribute")
			a := r.atom()
			c.SpecialUse = append(c.SpecialUse, imap.MailboxAttr(canonicalSpecialUse("\\"+a)))
		})
	})
	return end(r, c)
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
