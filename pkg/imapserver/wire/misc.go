package wire

import (
	"strings"

	"github.com/emersion/go-imap/v2"
)

// Parsers for commands whose arguments are a few strings. Each reads from
// the SP after the command name through the end of the command.

// ParseMailbox parses "SP mailbox" (DELETE, SUBSCRIBE, UNSUBSCRIBE, GETACL,
// MYRIGHTS, GETQUOTAROOT, ...). INBOX's case-insensitivity is the
// caller's to apply.
func ParseMailbox(r *Reader) (string, error) {
	r.sp()
	return end(r, r.astring())
}

// ParseRename parses "SP old SP new".
func ParseRename(r *Reader) (from, to string, err error) {
	r.sp()
	from = r.astring()
	r.sp()
	to = r.astring()
	return two(r, from, to)
}

// two ends a command of two string arguments.
func two(r *Reader, a, b string) (string, string, error) {
	if _, err := end(r, 0); err != nil {
		return "", "", err
	}
	return a, b, nil
}

// ParseRenamePartition parses RENAME's arguments with Cyrus's optional
// third one, the target partition (admins only).
func ParseRenamePartition(r *Reader) (from, to, partition string, err error) {
	r.sp()
	from = r.astring()
	r.sp()
	to = r.astring()
	if r.Consume(' ') {
		partition = r.astring()
	}
	_, err = end(r, 0)
	return from, to, partition, err
}

// ParseLogin parses "SP userid SP password".
func ParseLogin(r *Reader) (user, password string, err error) {
	r.sp()
	user = r.astring()
	r.sp()
	password = r.astring()
	return two(r, user, password)
}

// AuthenticateCommand is AUTHENTICATE with SASL-IR's optional initial
// response (RFC 4959).
type AuthenticateCommand struct {
	Mechanism       string // upper case
	InitialResponse string // base64 as sent; "=" means empty
	HasInitial      bool
}

// ParseAuthenticate parses the arguments of AUTHENTICATE.
func ParseAuthenticate(r *Reader) (*AuthenticateCommand, error) {
	c := &AuthenticateCommand{}
	r.sp()
	c.Mechanism = r.keyword()
	if r.Consume(' ') {
		c.HasInitial = true
		c.InitialResponse = r.span(func(b byte) bool {
			return b == '=' || b == '+' || b == '/' || isDigit(b) || (b|0x20 >= 'a' && b|0x20 <= 'z')
		})
		if c.InitialResponse == "" {
			r.fail(syntaxErr("invalid initial response"))
		}
	}
	return end(r, c)
}

// CopyCommand is COPY, MOVE (RFC 6851) and their UID forms.
type CopyCommand struct {
	Set     imap.NumSet
	Mailbox string
}

// ParseCopy parses "SP sequence-set SP mailbox".
func ParseCopy(r *Reader, uid bool) (*CopyCommand, error) {
	c := &CopyCommand{}
	r.sp()
	c.Set = r.numSet(uid)
	r.sp()
	c.Mailbox = r.astring()
	return end(r, c)
}

// ParseUIDExpunge parses UID EXPUNGE's "SP uid-set" (RFC 4315).
func ParseUIDExpunge(r *Reader) (imap.NumSet, error) {
	r.sp()
	return end(r, r.numSet(true))
}

// ParseEnable parses ENABLE's capability names (RFC 5161), upper-cased.
func ParseEnable(r *Reader) ([]string, error) {
	var caps []string
	for r.Consume(' ') {
		caps = append(caps, r.keyword())
	}
	if len(caps) == 0 {
		r.fail(syntaxErr("ENABLE needs a capability"))
	}
	return end(r, caps)
}

// maxCancelTags bounds CANCELUPDATE's arguments: a session has far
// fewer contexts, so a longer list is hostile.
const maxCancelTags = 100

// ParseCancelUpdate parses CANCELUPDATE's "1*(SP quoted)" (RFC 5267 §5):
// the tags of the searching commands whose updates stop.
func ParseCancelUpdate(r *Reader) ([]string, error) {
	var tags []string
	for r.Consume(' ') {
		if r.peek() != '"' {
			r.fail(syntaxErr("CANCELUPDATE takes quoted tags"))
			break
		}
		if len(tags) == maxCancelTags {
			r.fail(syntaxErr("too many tags in CANCELUPDATE"))
			break
		}
		tags = append(tags, r.quoted())
	}
	if len(tags) == 0 && r.err == nil {
		r.fail(syntaxErr("CANCELUPDATE needs a tag"))
	}
	return end(r, tags)
}

// IDField is one field/value pair of ID (RFC 2971); HasValue is false for
// NIL.
type IDField struct {
	Name, Value string
	HasValue    bool
}

// maxIDFields is RFC 2971's limit on field/value pairs.
const maxIDFields = 30

// ParseID parses ID's argument: NIL (nil result) or a list of pairs.
func ParseID(r *Reader) ([]IDField, error) {
	r.sp()
	if r.err == nil && r.peek() != '(' {
		if r.failed(func() { r.fail(r.keywordIs("NIL")) }) {
			r.fail(syntaxErr("expected ID list or NIL"))
		}
		return end[[]IDField](r, nil)
	}
	fields := []IDField{}
	r.list(func() {
		if len(fields) == maxIDFields {
			r.fail(syntaxErr("too many ID fields"))
			return
		}
		name := r.str()
		r.sp()
		v, ok := r.nstring()
		fields = append(fields, IDField{Name: name, Value: v, HasValue: ok})
	})
	return end(r, fields)
}

// keywordIs reads a keyword and fails unless it is want; the caller
// states the complaint (failed).
func (r *Reader) keywordIs(want string) error {
	if kw := r.keyword(); r.err == nil && kw != want {
		return syntaxErr("expected %s", want)
	}
	return nil
}

// SetACLCommand is SETACL (RFC 4314 §3.1); Rights keeps a leading "+" or
// "-" for pkg/acl's Apply.
type SetACLCommand struct {
	Mailbox, Identifier, Rights string
}

// ParseSetACL parses the arguments of SETACL.
func ParseSetACL(r *Reader) (*SetACLCommand, error) {
	c := &SetACLCommand{}
	r.sp()
	c.Mailbox = r.astring()
	r.sp()
	c.Identifier = r.astring()
	r.sp()
	c.Rights = r.astring()
	return end(r, c)
}

// ParseMailboxIdentifier parses "SP mailbox SP identifier" (DELETEACL,
// LISTRIGHTS).
func ParseMailboxIdentifier(r *Reader) (mailbox, identifier string, err error) {
	return ParseLogin(r) // the same grammar: two astrings
}

// QuotaLimit is one resource limit of SETQUOTA (RFC 9208).
type QuotaLimit struct {
	Resource string // upper case: STORAGE, MESSAGE, MAILBOX, ANNOTATION-STORAGE
	Limit    uint64
}

// SetQuotaCommand is SETQUOTA; an empty Limits removes all limits.
type SetQuotaCommand struct {
	Root   string
	Limits []QuotaLimit
}

// ParseSetQuota parses the arguments of SETQUOTA.
func ParseSetQuota(r *Reader) (*SetQuotaCommand, error) {
	c := &SetQuotaCommand{Limits: []QuotaLimit{}}
	r.sp()
	c.Root = r.astring()
	r.sp()
	r.list(func() {
		res := r.keyword()
		r.sp()
		c.Limits = append(c.Limits, QuotaLimit{Resource: res, Limit: r.number64()})
	})
	return end(r, c)
}

// GetMetadataCommand is GETMETADATA (RFC 5464 §4.2).
type GetMetadataCommand struct {
	Mailbox string
	Entries []string
	MaxSize int64  // -1 when absent
	Depth   string // "0" (default), "1" or "infinity"
}

// ParseGetMetadata parses the arguments of GETMETADATA.
func ParseGetMetadata(r *Reader) (*GetMetadataCommand, error) {
	c := &GetMetadataCommand{MaxSize: -1, Depth: "0"}
	r.sp()
	if r.peek() == '(' {
		r.list(func() {
			opt := r.keyword()
			r.sp()
			switch opt {
			case "MAXSIZE":
				c.MaxSize = int64(r.number())
			case "DEPTH":
				c.Depth = strings.ToLower(r.atom())
				if d := c.Depth; r.err == nil && d != "0" && d != "1" && d != "infinity" {
					r.fail(syntaxErr("invalid DEPTH %s", d))
				}
			default:
				r.fail(syntaxErr("unknown GETMETADATA option %s", opt))
			}
		})
		r.sp()
	}
	c.Mailbox = r.astring()
	r.sp()
	c.Entries = oneOrList(r, r.astring, "entry")
	return end(r, c)
}

// MetadataEntry is one entry of SETMETADATA; Value nil means NIL (remove).
type MetadataEntry struct {
	Name  string
	Value []byte
}

// SetMetadataCommand is SETMETADATA (RFC 5464 §4.3).
type SetMetadataCommand struct {
	Mailbox string
	Entries []MetadataEntry
}

// ParseSetMetadata parses the arguments of SETMETADATA. Values may be
// literal8 (binary).
func ParseSetMetadata(r *Reader) (*SetMetadataCommand, error) {
	c := &SetMetadataCommand{}
	r.sp()
	c.Mailbox = r.astring()
	r.sp()
	r.list(func() {
		e := MetadataEntry{Name: r.astring()}
		r.sp()
		switch ch := r.peek(); {
		case ch == '~':
			e.Value = []byte(r.literalString(true))
		case ch == 'N' || ch == 'n':
			if r.failed(func() { r.fail(r.keywordIs("NIL")) }) {
				r.fail(syntaxErr("expected metadata value"))
			}
		default:
			e.Value = []byte(r.str())
		}
		c.Entries = append(c.Entries, e)
	})
	if len(c.Entries) == 0 {
		r.fail(syntaxErr("SETMETADATA needs an entry"))
	}
	return end(r, c)
}

// oneOrList reads either one item or a non-empty parenthesised list of
// them (LIST-EXTENDED patterns, GETMETADATA entries).
func oneOrList(r *Reader, item func() string, what string) []string {
	if r.peek() != '(' {
		return []string{item()}
	}
	var out []string
	r.list(func() { out = append(out, item()) })
	if len(out) == 0 {
		r.fail(syntaxErr("empty %s list", what))
	}
	return out
}
