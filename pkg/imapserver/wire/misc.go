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
	args, err := parseAStrings(r, 1)
	if err != nil {
		return "", err
	}
	return args[0], nil
}

// parseAStrings reads n space-preceded astrings and the end of the command.
func parseAStrings(r *Reader, n int) ([]string, error) {
	out := make([]string, n)
	for i := range out {
		if err := r.SP(); err != nil {
			return nil, err
		}
		s, err := r.AString()
		if err != nil {
			return nil, err
		}
		out[i] = s
	}
	return out, r.EOL()
}

// ParseRename parses "SP old SP new".
func ParseRename(r *Reader) (from, to string, err error) {
	args, err := parseAStrings(r, 2)
	if err != nil {
		return "", "", err
	}
	return args[0], args[1], nil
}

// ParseRenamePartition parses RENAME's arguments with Cyrus's optional
// third one, the target partition (admins only).
func ParseRenamePartition(r *Reader) (from, to, partition string, err error) {
	if err = r.SP(); err != nil {
		return
	}
	if from, err = r.AString(); err != nil {
		return
	}
	if err = r.SP(); err != nil {
		return
	}
	if to, err = r.AString(); err != nil {
		return
	}
	if r.Consume(' ') {
		if partition, err = r.AString(); err != nil {
			return
		}
	}
	err = r.EOL()
	return
}

// ParseLogin parses "SP userid SP password".
func ParseLogin(r *Reader) (user, password string, err error) {
	args, err := parseAStrings(r, 2)
	if err != nil {
		return "", "", err
	}
	return args[0], args[1], nil
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
	var err error
	if err = r.SP(); err != nil {
		return nil, err
	}
	if c.Mechanism, err = r.Keyword(); err != nil {
		return nil, err
	}
	if r.Consume(' ') {
		c.HasInitial = true
		c.InitialResponse = r.span(func(b byte) bool {
			return b == '=' || b == '+' || b == '/' || isDigit(b) || (b|0x20 >= 'a' && b|0x20 <= 'z')
		})
		if c.InitialResponse == "" {
			return nil, syntaxErr("invalid initial response")
		}
	}
	return c, r.EOL()
}

// CopyCommand is COPY, MOVE (RFC 6851) and their UID forms.
type CopyCommand struct {
	Set     imap.NumSet
	Mailbox string
}

// ParseCopy parses "SP sequence-set SP mailbox".
func ParseCopy(r *Reader, uid bool) (*CopyCommand, error) {
	c := &CopyCommand{}
	var err error
	if err = r.SP(); err != nil {
		return nil, err
	}
	if c.Set, err = r.NumSet(uid); err != nil {
		return nil, err
	}
	if err = r.SP(); err != nil {
		return nil, err
	}
	if c.Mailbox, err = r.AString(); err != nil {
		return nil, err
	}
	return c, r.EOL()
}

// ParseUIDExpunge parses UID EXPUNGE's "SP uid-set" (RFC 4315).
func ParseUIDExpunge(r *Reader) (imap.NumSet, error) {
	if err := r.SP(); err != nil {
		return nil, err
	}
	set, err := r.NumSet(true)
	if err != nil {
		return nil, err
	}
	return set, r.EOL()
}

// ParseEnable parses ENABLE's capability names (RFC 5161), upper-cased.
func ParseEnable(r *Reader) ([]string, error) {
	var caps []string
	for r.Consume(' ') {
		c, err := r.Keyword()
		if err != nil {
			return nil, err
		}
		caps = append(caps, c)
	}
	if len(caps) == 0 {
		return nil, syntaxErr("ENABLE needs a capability")
	}
	return caps, r.EOL()
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
	if err := r.SP(); err != nil {
		return nil, err
	}
	if r.peek() != '(' {
		if kw, err := r.Keyword(); err != nil || kw != "NIL" {
			return nil, syntaxErr("expected ID list or NIL")
		}
		return nil, r.EOL()
	}
	fields := []IDField{}
	err := r.List(func() error {
		if len(fields) == maxIDFields {
			return syntaxErr("too many ID fields")
		}
		name, err := r.String()
		if err != nil {
			return err
		}
		if err := r.SP(); err != nil {
			return err
		}
		v, ok, err := r.NString()
		fields = append(fields, IDField{Name: name, Value: v, HasValue: ok})
		return err
	})
	if err != nil {
		return nil, err
	}
	return fields, r.EOL()
}

// SetACLCommand is SETACL (RFC 4314 §3.1); Rights keeps a leading "+" or
// "-" for pkg/acl's Apply.
type SetACLCommand struct {
	Mailbox, Identifier, Rights string
}

// ParseSetACL parses the arguments of SETACL.
func ParseSetACL(r *Reader) (*SetACLCommand, error) {
	a, err := parseAStrings(r, 3)
	if err != nil {
		return nil, err
	}
	return &SetACLCommand{Mailbox: a[0], Identifier: a[1], Rights: a[2]}, nil
}

// ParseMailboxIdentifier parses "SP mailbox SP identifier" (DELETEACL,
// LISTRIGHTS).
func ParseMailboxIdentifier(r *Reader) (mailbox, identifier string, err error) {
	a, err := parseAStrings(r, 2)
	if err != nil {
		return "", "", err
	}
	return a[0], a[1], nil
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
	var err error
	if err = r.SP(); err != nil {
		return nil, err
	}
	if c.Root, err = r.AString(); err != nil {
		return nil, err
	}
	if err = r.SP(); err != nil {
		return nil, err
	}
	err = r.List(func() error {
		res, err := r.Keyword()
		if err != nil {
			return err
		}
		if err := r.SP(); err != nil {
			return err
		}
		n, err := r.Number64()
		c.Limits = append(c.Limits, QuotaLimit{Resource: res, Limit: n})
		return err
	})
	if err != nil {
		return nil, err
	}
	return c, r.EOL()
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
	var err error
	if err = r.SP(); err != nil {
		return nil, err
	}
	if r.peek() == '(' {
		err = r.List(func() error {
			opt, err := r.Keyword()
			if err != nil {
				return err
			}
			if err := r.SP(); err != nil {
				return err
			}
			switch opt {
			case "MAXSIZE":
				n, err := r.Number()
				c.MaxSize = int64(n)
				return err
			case "DEPTH":
				d, err := r.Atom()
				d = strings.ToLower(d)
				if err == nil && d != "0" && d != "1" && d != "infinity" {
					err = syntaxErr("invalid DEPTH %s", d)
				}
				c.Depth = d
				return err
			}
			return syntaxErr("unknown GETMETADATA option %s", opt)
		})
		if err != nil {
			return nil, err
		}
		if err = r.SP(); err != nil {
			return nil, err
		}
	}
	if c.Mailbox, err = r.AString(); err != nil {
		return nil, err
	}
	if err = r.SP(); err != nil {
		return nil, err
	}
	if c.Entries, err = oneOrList(r, r.AString, "entry"); err != nil {
		return nil, err
	}
	return c, r.EOL()
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
	err = r.List(func() error {
		name, err := r.AString()
		if err != nil {
			return err
		}
		if err := r.SP(); err != nil {
			return err
		}
		e := MetadataEntry{Name: name}
		switch c := r.peek(); {
		case c == '~':
			v, err := r.literalString(true)
			if err != nil {
				return err
			}
			e.Value = []byte(v)
		case c == 'N' || c == 'n':
			if kw, err := r.Keyword(); err != nil || kw != "NIL" {
				return syntaxErr("expected metadata value")
			}
		default:
			v, err := r.String()
			if err != nil {
				return err
			}
			e.Value = []byte(v)
		}
		c.Entries = append(c.Entries, e)
		return nil
	})
	if err != nil {
		return nil, err
	}
	if len(c.Entries) == 0 {
		return nil, syntaxErr("SETMETADATA needs an entry")
	}
	return c, r.EOL()
}

// oneOrList reads either one item or a non-empty parenthesised list of
// them (LIST-EXTENDED patterns, GETMETADATA entries).
func oneOrList(r *Reader, item func() (string, error), what string) ([]string, error) {
	if r.peek() != '(' {
		v, err := item()
		if err != nil {
			return nil, err
		}
		return []string{v}, nil
	}
	var out []string
	err := r.List(func() error {
		v, err := item()
		out = append(out, v)
		return err
	})
	if err == nil && len(out) == 0 {
		err = syntaxErr("empty %s list", what)
	}
	return out, err
}
