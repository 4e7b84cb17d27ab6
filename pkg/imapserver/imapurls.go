package imapserver

import (
	"errors"
	"fmt"
	"net"
	"os"
	"strings"

	"gocyrus/pkg/acl"
	"gocyrus/pkg/imapserver/fetch"
	"gocyrus/pkg/imapserver/wire"
	"gocyrus/pkg/imapurl"
	"gocyrus/pkg/mailbox"
	"gocyrus/pkg/mboxname"
	"gocyrus/pkg/store"

	"github.com/emersion/go-imap/v2"
)

// badURL is RFC 4469 §6's (and RFC 4467 §9's) refusal of a URL: the same
// answer whether the URL is malformed, names another server, or names a
// mailbox or message the reader may not see, so a URL reveals nothing.
func badURL(raw, why string) error {
	return noCode("BADURL "+quoteURL(raw), why)
}

// quoteURL writes raw as an IMAP quoted string (a parsed URL is printable
// ASCII; anything else is shown escaped rather than sent raw).
func quoteURL(raw string) string {
	var b strings.Builder
	b.WriteByte('"')
	for i := 0; i < len(raw) && i < imapurl.MaxLen; i++ {
		switch c := raw[i]; {
		case c == '"' || c == '\\':
			b.WriteByte('\\')
			b.WriteByte(c)
		case c < ' ' || c >= 0x7f:
			fmt.Fprintf(&b, "%%%02X", c)
		default:
			b.WriteByte(c)
		}
	}
	b.WriteByte('"')
	return b.String()
}

// urlReader is whose rights a URL is read with: the session's user
// (CATENATE), or the URL's owner (URLFETCH of a URLAUTH URL, RFC 4467 §4).
type urlReader struct {
	owner string // "" = the session
}

// onThisServer reports whether an "imap://" URL names this server: its
// servername, or the address the client connected to.
func (s *session) onThisServer(u *imapurl.URL) bool {
	if !u.Server {
		return true
	}
	if strings.EqualFold(u.Host, s.srv.servername) {
		return true
	}
	if a, ok := s.conn.LocalAddr().(*net.TCPAddr); ok {
		h := strings.Trim(u.Host, "[]")
		if ip := net.ParseIP(h); ip != nil && ip.Equal(a.IP) {
			return true
		}
	}
	return false
}

// openURL resolves a message URL to its content, read with rd's rights:
// the mailbox must grant r, exactly as FETCH requires (names.go's
// rights evaluation, the one rule). binary asks for BINARY[part]
// (RFC 5524). The caller closes the content.
func (s *session) openURL(raw string, u *imapurl.URL, rd urlReader, binary bool) (*fetch.Content, error) {
	m, release, err := s.urlMessage(raw, u, rd)
	if err != nil {
		return nil, err
	}
	defer release()
	return urlContent(raw, u, m, binary)
}

// urlMessage resolves a message URL to its message, read with rd's
// rights (openURL). The caller calls release when done with it.
func (s *session) urlMessage(raw string, u *imapurl.URL, rd urlReader) (*fetch.Message, func(), error) {
	fail := func(err error) (*fetch.Message, func(), error) { return nil, nil, err }
	if !s.onThisServer(u) {
		return fail(badURL(raw, "URL is not on this server"))
	}
	if u.UID == 0 || u.Search != "" {
		return fail(badURL(raw, "URL does not name a message"))
	}
	var e *store.Entry
	var rights acl.Rights
	if u.Relative {
		if s.sel == nil || rd.owner != "" {
			return fail(badURL(raw, "No mailbox in IMAP URL"))
		}
		e, rights = s.sel.entry, s.sel.rights
	} else {
		ext := mboxname.EncodeUTF7(u.Mailbox)
		var name string
		var err error
		if rd.owner == "" {
			name, err = s.toInternal(ext)
		} else {
			name, err = s.srv.st.Namespace().ToInternal(ext, rd.owner, false)
		}
		if err != nil {
			return fail(badURL(raw, "Invalid mailbox name"))
		}
		e, err = s.srv.st.Lookup(s.ctx, name)
		if errors.Is(err, store.ErrNotFound) || err == nil && (e.IsDeleted() || e.IsIntermediate() || s.srv.st.IsDeletedName(name)) {
			return fail(badURL(raw, "Mailbox does not exist"))
		}
		if err != nil {
			return fail(err)
		}
		if rd.owner == "" {
			rights = s.rightsOn(e)
		} else {
			rights = s.srv.st.Policy().Rights(e.ACL, acl.Identity{User: rd.owner}, e.Name)
		}
	}
	if !rights.Has(acl.Read) {
		return fail(badURL(raw, "Mailbox does not exist"))
	}
	mb, release := (*mailbox.Mailbox)(nil), func() {}
	if s.sel != nil && s.sel.name == e.Name {
		mb = s.sel.mb
	} else {
		var err error
		if mb, err = s.srv.st.OpenEntry(e, store.QuotaIgnore, nil); err != nil {
			return fail(err)
		}
		release = func() { mb.Close() }
	}
	v, err := mb.Snapshot()
	if err != nil {
		release()
		return fail(err)
	}
	if u.UIDValidity != 0 && u.UIDValidity != v.UIDValidity {
		release()
		return fail(badURL(raw, "UIDVALIDITY mismatch"))
	}
	rec, ok := v.Lookup(u.UID)
	if !ok {
		release()
		return fail(badURL(raw, "Message does not exist"))
	}
	uid := u.UID
	m := &fetch.Message{UID: uid, Record: rec, View: v, Open: func() (*os.File, error) { return mb.OpenMessage(uid) }}
	return m, release, nil
}

// urlContent opens the section (binary: BINARY[part], RFC 5524) and
// partial range a URL names of its message.
func urlContent(raw string, u *imapurl.URL, m *fetch.Message, binary bool) (*fetch.Content, error) {
	sec, err := urlSection(u.Section, binary)
	if err != nil {
		return nil, badURL(raw, "Bad section")
	}
	var partial *imap.SectionPartial
	if p := u.Partial; p != nil {
		partial = &imap.SectionPartial{Offset: int64(p.Offset), Size: -1}
		if p.Length > 0 {
			partial.Size = int64(p.Length)
		}
	}
	c, err := fetch.Extract(m, sec, partial, binary)
	if errors.Is(err, fetch.ErrUnavailable) {
		return nil, badURL(raw, "Message does not exist")
	}
	return c, err
}

// urlSection parses a URL's section with FETCH's own grammar, so a URL
// names exactly the sections FETCH does.
func urlSection(sec string, binary bool) (wire.Section, error) {
	item := "BODY.PEEK[" + sec + "]"
	if binary {
		item = "BINARY.PEEK[" + sec + "]"
	}
	r := wire.NewReader(strings.NewReader("u FETCH 1 "+item+"\r\n"), wire.Options{MaxLineLength: imapurl.MaxLen + 64, MaxStringBuffer: imapurl.MaxLen})
	if _, err := r.ReadCommand(); err != nil {
		return wire.Section{}, err
	}
	fc, err := wire.ParseFetch(r, false)
	if err != nil {
		return wire.Section{}, err
	}
	if len(fc.Items) != 1 {
		return wire.Section{}, errors.New("not one section")
	}
	return fc.Items[0].Section, nil
}
