package acl

import (
	"errors"
	"strings"
)

// Rights is a set of ACL rights.
type Rights uint32

// The RFC 4314 rights, as Cyrus uses them.
const (
	Lookup         Rights = 1 << iota // l: visible in LIST, may SUBSCRIBE
	Read                              // r: SELECT, FETCH, SEARCH, COPY from
	Seen                              // s: keep \Seen
	Write                             // w: flags other than \Seen and \Deleted
	Insert                            // i: APPEND, COPY into
	Post                              // p: LMTP delivery
	Create                            // k: CREATE children
	DeleteMailbox                     // x: DELETE, RENAME from
	DeleteMessages                    // t: set or clear \Deleted
	Expunge                           // e: EXPUNGE
	Administer                        // a: SETACL, GETACL, LISTRIGHTS
	Annotate                          // n: ANNOTATE
	User0                             // 0: user-defined rights 0-9 follow
)

const (
	// All is every right with a server meaning; a new user INBOX's owner gets it.
	All Rights = User0 - 1
	// UserDefined is the rights 0-9.
	UserDefined Rights = (User0 << 10) - User0
	// ReadWrite is what acl_admin_implies_write adds to a, and what makes a
	// SELECT [READ-WRITE] and EXAMINE masks off: s w i t e n.
	ReadWrite = Seen | Write | Insert | DeleteMessages | Expunge | Annotate
	// MyRightsVisible: holding any of l r i k x a lets MYRIGHTS answer rather
	// than pretend the mailbox does not exist.
	MyRightsVisible = Lookup | Read | Insert | Create | DeleteMailbox | Administer
)

// DefaultDeleteRight is the deleteright setting's default.
const DefaultDeleteRight = 'c'

// ErrInvalidRights is wrapped by every rights parsing error (IMAP: "NO
// Invalid rights").
var ErrInvalidRights = errors.New("invalid rights")

// UnsupportedRightError reports a letter that is not a right.
type UnsupportedRightError struct{ Letter rune }

func (e *UnsupportedRightError) Error() string {
	return "The " + string(e.Letter) + " right is not supported"
}

func (e *UnsupportedRightError) Unwrap() error { return ErrInvalidRights }

// letterRights maps each right letter (not the macros c and d) to its bit.
var letterRights = func() (t [128]Rights) {
	for i, ch := range []byte("lrswipkxtean0123456789") {
		t[ch] = 1 << i
	}
	return t
}()

// legacyC and legacyD return the members of the c and d macros.
func legacyC(deleteRight byte) Rights {
	if deleteRight == 'd' {
		return Create
	}
	return Create | DeleteMailbox
}

func legacyD(deleteRight byte) Rights {
	if deleteRight == 'd' {
		return DeleteMessages | Expunge | DeleteMailbox
	}
	return DeleteMessages | Expunge
}

// ParseRights parses a rights string such as "lrswipkxtecdan". deleteRight is
// the deleteright setting, 'c' or 'd' (0 means 'c'). The letters are
// case-sensitive; an unknown one gives an *UnsupportedRightError.
func ParseRights(s string, deleteRight byte) (Rights, error) {
	var r Rights
	var hasC, hasD bool
	for _, ch := range s {
		switch {
		case ch == 'c':
			hasC = true
		case ch == 'd':
			hasD = true
		case ch < 0x80 && letterRights[ch] != 0:
			r |= letterRights[ch]
		default:
			return 0, &UnsupportedRightError{Letter: ch}
		}
	}
	if hasC && r&legacyC(deleteRight) == 0 {
		r |= legacyC(deleteRight)
	}
	if hasD && r&legacyD(deleteRight) == 0 {
		r |= legacyD(deleteRight)
	}
	return r, nil
}

// String formats r as Cyrus prints it, with deleteright 'c'.
func (r Rights) String() string { return r.Format(DefaultDeleteRight) }

// Format prints r in the order l r s w i p k x t e c d a n 0-9, adding c when
// any member of the c macro is held and d likewise.
func (r Rights) Format(deleteRight byte) string {
	var b strings.Builder
	for _, ch := range []byte("lrswipkxte") {
		if r&letterRights[ch] != 0 {
			b.WriteByte(ch)
		}
	}
	if r&legacyC(deleteRight) != 0 {
		b.WriteByte('c')
	}
	if r&legacyD(deleteRight) != 0 {
		b.WriteByte('d')
	}
	for _, ch := range []byte("an0123456789") {
		if r&letterRights[ch] != 0 {
			b.WriteByte(ch)
		}
	}
	return b.String()
}

// Has reports whether r holds every right in want.
func (r Rights) Has(want Rights) bool { return r&want == want }

// Any reports whether r holds at least one right in want.
func (r Rights) Any(want Rights) bool { return r&want != 0 }
