package imapserver

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"gocyrus/pkg/acl"
	"gocyrus/pkg/imapserver/wire"
	"gocyrus/pkg/mboxname"
	"gocyrus/pkg/store"
)

// IMAP4rev2 (RFC 9051) for a session that sent "ENABLE IMAP4rev2". The
// protocol differences live where they apply (no \Recent in selected.go
// and cmd_select.go, ESEARCH in cmd_search.go); this file holds the
// mailbox-name boundary and the LIST responses rev2 adds.
//
// Names: the namespace and the mailbox list hold modified UTF-7 (RFC 3501
// §5.1.3); a rev2 session names mailboxes in UTF-8 (RFC 9051 §5.1), so its
// names are converted here, in and out. A client name is read leniently:
// raw UTF-8 passes, and a well-formed modified UTF-7 run ("&-", "&AOk-")
// is decoded, since clients that see IMAP4rev2 advertised (go-imap v2)
// send UTF-8 with "&" written "&-" whether or not they enabled rev2. A
// rev1 session gets the same reading only for a name with 8-bit bytes,
// which is not modified UTF-7 at all.

// errNameNotUTF8 refuses an 8-bit mailbox name that is not UTF-8.
var errNameNotUTF8 = fmt.Errorf("%w: mailbox name is not UTF-8", mboxname.ErrInvalidUTF7)

// clientName converts a mailbox name from the client to modified UTF-7.
func (s *session) clientName(ext string) (string, error) {
	if err := s.checkUTF8Name(ext); err != nil {
		return "", err
	}
	if !s.utf8Names() && isASCII(ext) {
		return ext, nil
	}
	u, err := decodeClientUTF8(ext)
	if err != nil {
		return "", err
	}
	return mboxname.EncodeUTF7(u), nil
}

// clientPattern converts a LIST reference or pattern into the form the
// session's external names take (see externalName); wildcards are plain
// ASCII and survive both conversions. An invalid pattern is kept as sent:
// it then matches nothing.
func (s *session) clientPattern(p string) string {
	if s.utf8Names() {
		if u, err := decodeClientUTF8(p); err == nil {
			return u
		}
		return p
	}
	if n, err := s.clientName(p); err == nil {
		return n
	}
	return p
}

// externalName converts an external name in modified UTF-7 to what the
// session sees: UTF-8 for rev2. A stored name that does not decode (it
// was created before names were validated) is shown as stored.
func (s *session) externalName(ext string) string {
	if !s.utf8Names() {
		return ext
	}
	if u, err := mboxname.DecodeUTF7(ext); err == nil {
		return u
	}
	return ext
}

// decodeClientUTF8 reads a client's name as UTF-8 in which well-formed
// modified UTF-7 runs are decoded; an '&' that starts no such run is a
// literal '&'.
func decodeClientUTF8(name string) (string, error) {
	if !utf8.ValidString(name) {
		return "", errNameNotUTF8
	}
	if !strings.Contains(name, "&") {
		return name, nil
	}
	var b strings.Builder
	for i := 0; i < len(name); {
		c := name[i]
		if c != '&' {
			b.WriteByte(c)
			i++
			continue
		}
		end := strings.IndexByte(name[i+1:], '-')
		if end >= 0 {
			run := name[i : i+end+2]
			if isASCII(run) {
				if u, err := mboxname.DecodeUTF7(run); err == nil {
					b.WriteString(u)
					i += len(run)
					continue
				}
			}
		}
		b.WriteByte('&')
		i++
	}
	return b.String(), nil
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// writeSelectedList sends the LIST response RFC 9051 §6.3.2 requires of
// SELECT and EXAMINE in a rev2 session: the mailbox's name and accurate
// attributes.
func (s *session) writeSelectedList(m *mbox) error {
	attrs, err := s.mailboxAttrs(m)
	if err != nil {
		return err
	}
	ext := s.toExternal(m.name)
	if ext == "" {
		ext = m.ext
	}
	s.writeListLine("LIST", attrs, ext, s.srv.st.Namespace().Separator(s.admin()), "")
	return nil
}

// writeRenamedList tells a rev2 client the new name of a renamed mailbox
// with its old one (RFC 9051 §6.3.6, the OLDNAME extended item of §7.3.1).
func (s *session) writeRenamedList(from, to string) error {
	e, err := s.srv.st.Lookup(s.ctx, to)
	if err != nil {
		return err
	}
	newExt, oldExt := s.toExternal(to), s.toExternal(from)
	if newExt == "" || oldExt == "" {
		return nil // moved to where this session cannot name it
	}
	attrs, err := s.mailboxAttrs(&mbox{ext: newExt, name: to, entry: e})
	if err != nil {
		return err
	}
	old := wire.AppendAString(nil, oldExt)
	s.writeListLine("LIST", attrs, newExt, s.srv.st.Namespace().Separator(s.admin()),
		`("OLDNAME" (`+string(old)+`))`)
	return nil
}

// mailboxAttrs returns the LIST attributes of one existing mailbox:
// children, then special use — as LIST would give them (list.go).
func (s *session) mailboxAttrs(m *mbox) ([]string, error) {
	has, err := s.hasVisibleChildren(m.name, s.toExternal(m.name))
	if err != nil {
		return nil, err
	}
	attrs := []string{`\HasNoChildren`}
	if has {
		attrs[0] = `\HasChildren`
	}
	attrs = append(attrs, s.specialUse(m.entry)...)
	return attrs, nil
}

// errFound stops a walk at its first hit.
var errFound = errors.New("found")

// hasVisibleChildren reports whether a mailbox the session may see lies
// below name in the session's hierarchy: as LIST counts them, by external
// name, so that INBOX has none when the alternate namespace puts its
// internal children at the top level.
func (s *session) hasVisibleChildren(name, ext string) (bool, error) {
	if ext == "" {
		return false, nil
	}
	prefix := ext + string(s.srv.st.Namespace().Separator(s.admin()))
	err := s.srv.st.Walk(s.ctx, name, func(e *store.Entry) error {
		if e.Name == name || e.IsDeleted() || e.IsIntermediate() || s.hiddenDeleted(e.Name) || !s.rightsOn(e).Has(acl.Lookup) {
			return nil
		}
		if strings.HasPrefix(s.toExternal(e.Name), prefix) {
			return errFound
		}
		return nil
	})
	if errors.Is(err, errFound) {
		return true, nil
	}
	return false, err
}
