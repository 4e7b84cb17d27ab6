package imapserver

import (
	"errors"
	"strings"

	"gocyrus/pkg/acl"
	"gocyrus/pkg/mboxname"
	"gocyrus/pkg/store"
)

// METADATA (RFC 5464) storage mapping, as Cyrus does it: the client's
// "/shared/X" and "/private/X" are one annotation "/X" with a shared value
// (stored with owner "") and a value per user (stored with the user's
// id). Server entries belong to the mailbox "". Entry names are
// case-insensitive (RFC 5464 §3.2) and kept in lower case.

// maxEntriesPerMailbox bounds how many values one owner (a user, or the
// shared scope) keeps on one mailbox: [METADATA TOOMANY] beyond it.
const maxEntriesPerMailbox = 1000

// specialUseEntry is the annotation Cyrus keeps on the mailbox entry
// rather than in the metadata table (RFC 6154 §4).
const specialUseEntry = "/specialuse"

// metaEntry is a client entry name split into scope and annotation.
type metaEntry struct {
	private bool
	key     string // "/comment"; "" for the scope root ("/private")
}

// name is the client's form of the entry.
func (e metaEntry) name() string {
	if e.private {
		return "/private" + e.key
	}
	return "/shared" + e.key
}

// owner is the owner stored with the value.
func (e metaEntry) owner(user string) string {
	if e.private {
		return user
	}
	return ""
}

var errInvalidEntry = bad("Invalid entry name")

// maxEntryName bounds an entry name, scope included: names are keys, and
// nothing defined comes near it.
const maxEntryName = 255

// parseMetaEntry checks an entry name (RFC 5464 §3.2: slash-separated,
// no "*" or "%", no empty component, printable ASCII, at most
// maxEntryName bytes) and splits it. allowRoot admits the bare scope
// names, for GETMETADATA with DEPTH.
func parseMetaEntry(s string, allowRoot bool) (metaEntry, error) {
	if len(s) > maxEntryName {
		return metaEntry{}, errInvalidEntry
	}
	s = strings.ToLower(s)
	for i := 0; i < len(s); i++ {
		if c := s[i]; c <= ' ' || c >= 0x7f || c == '*' || c == '%' {
			return metaEntry{}, errInvalidEntry
		}
	}
	if strings.HasSuffix(s, "/") || strings.Contains(s, "//") {
		return metaEntry{}, errInvalidEntry
	}
	var e metaEntry
	switch {
	case s == "/private" || strings.HasPrefix(s, "/private/"):
		e = metaEntry{private: true, key: s[len("/private"):]}
	case s == "/shared" || strings.HasPrefix(s, "/shared/"):
		e = metaEntry{key: s[len("/shared"):]}
	default:
		return metaEntry{}, errInvalidEntry
	}
	if e.key == "" && !allowRoot {
		return metaEntry{}, errInvalidEntry
	}
	return e, nil
}

// metaTarget is the mailbox (or the server) a METADATA command names.
type metaTarget struct {
	ext   string
	name  string       // internal name; "" for server entries
	entry *store.Entry // nil for server entries
	owner string       // the user owning the mailbox; "" for shared ones
}

// metaTarget resolves the mailbox of GETMETADATA/SETMETADATA; "" is the
// server. Reading needs l and r on a mailbox (docs/CYRUS-BEHAVIOUR.md §3.6 style:
// without l it does not exist); administrators of the mailbox may read
// and write its metadata without r, as Cyrus lets them (cyradm's info and
// mboxconfig).
func (s *session) metaTarget(ext string) (*metaTarget, acl.Rights, error) {
	if ext == "" {
		return &metaTarget{}, 0, nil
	}
	need := acl.Lookup | acl.Read
	if name, err := s.toInternal(ext); err == nil {
		need = s.metadataReadRights(name)
	}
	m, err := s.open(ext, need)
	if err != nil {
		return nil, 0, err
	}
	return newMetaTarget(m.ext, m.name, m.entry), m.rights, nil
}

// metadataReadRights are the rights reading a mailbox's metadata needs:
// l and r, l alone for its administrators.
func (s *session) metadataReadRights(name string) acl.Rights {
	if s.identityFor(name).Admin {
		return acl.Lookup
	}
	return acl.Lookup | acl.Read
}

func newMetaTarget(ext, name string, entry *store.Entry) *metaTarget {
	owner, _ := mboxname.UserOf(name)
	return &metaTarget{ext: ext, name: name, entry: entry, owner: owner}
}

// mailboxEntries and serverEntries are the entries RFC 5464 (§3.2.1,
// §3.2.2) and RFC 6154 define, by scope; anything under /vendor/ is
// accepted too, and with annotation_allow_undefined any name.
var (
	mailboxEntries = map[metaEntry]bool{
		{key: "/comment"}: true, {private: true, key: "/comment"}: true,
		{private: true, key: specialUseEntry}: true,
	}
	serverEntries = map[metaEntry]bool{
		{key: "/comment"}: true, {key: "/motd"}: true, {key: "/admin"}: true,
		{key: "/shutdown"}: true, // cyradm setinfo's name
	}
)

// definedEntry reports whether e may be stored on t.
func (s *session) definedEntry(t *metaTarget, e metaEntry) bool {
	if strings.HasPrefix(e.key, "/vendor/") || s.srv.cfg.AnnotationAllowUndefined() {
		return true
	}
	if t.entry == nil {
		return serverEntries[e]
	}
	return mailboxEntries[e]
}

// mayStoreMetadata applies Cyrus's rule: only defined entries (else, as
// Cyrus, permission denied); server values are for admins only; on a
// mailbox a private value needs r, a shared one r and w.
func (s *session) mayStoreMetadata(t *metaTarget, rights acl.Rights, e metaEntry) error {
	if !s.definedEntry(t, e) {
		return errPermission
	}
	switch {
	case t.entry == nil:
		if s.user.IsGlobalAdmin() {
			return nil
		}
		return errPermission
	case s.identityFor(t.name).Admin:
		return nil
	case e.private && rights.Has(acl.Read):
		return nil
	case !e.private && rights.Has(acl.Read|acl.Write):
		return nil
	}
	return errPermission
}

// metaValue is one value a GETMETADATA reports.
type metaValue struct {
	name  string
	value []byte
}

// readMetadata returns the values of entry e and, per depth ("0", "1",
// "infinity"), of the entries below it, as user sees them.
func (s *session) readMetadata(t *metaTarget, e metaEntry, depth string) ([]metaValue, error) {
	owner := e.owner(s.user.User)
	var out []metaValue
	if uses := s.specialUse(t.entry); e.private && len(uses) > 0 && within(specialUseEntry, e.key, depth) {
		out = append(out, metaValue{name: "/private" + specialUseEntry, value: []byte(strings.Join(uses, " "))})
	}
	if depth == "0" {
		if e.key == "" {
			return out, nil
		}
		if e.private && e.key == specialUseEntry && t.entry != nil {
			return out, nil
		}
		v, err := s.srv.st.GetMetadata(s.ctx, t.name, e.key, owner)
		if err != nil || v == nil {
			return out, err
		}
		return append(out, metaValue{name: e.name(), value: v}), nil
	}
	all, err := s.srv.st.ListMetadata(s.ctx, t.name, e.key, s.user.User)
	if err != nil {
		return nil, err
	}
	for _, v := range all {
		if v.User != owner || !within(v.Entry, e.key, depth) {
			continue
		}
		out = append(out, metaValue{name: metaEntry{private: e.private, key: v.Entry}.name(), value: v.Value})
	}
	return out, nil
}

// within reports whether annotation key lies at or below base within
// depth.
func within(key, base, depth string) bool {
	if key != base && !strings.HasPrefix(key, base+"/") {
		return false
	}
	switch depth {
	case "0":
		return key == base
	case "1":
		return !strings.Contains(strings.TrimPrefix(key[len(base):], "/"), "/")
	}
	return true
}

// writeMetadata stores one value (nil removes it), enforcing the size and
// count limits.
func (s *session) writeMetadata(t *metaTarget, e metaEntry, value []byte, counts *metaCounts) error {
	if e.private && e.key == specialUseEntry && t.entry != nil {
		return s.setSpecialUse(t, value)
	}
	if len(value) > s.srv.maxMetadata {
		return s.errMetadataTooBig()
	}
	owner := e.owner(s.user.User)
	if value != nil {
		old, err := s.srv.st.GetMetadata(s.ctx, t.name, e.key, owner)
		if err != nil {
			return err
		}
		if old == nil {
			if err := s.checkMetadataCount(t, owner, counts); err != nil {
				return err
			}
		}
	}
	return s.srv.st.SetMetadata(s.ctx, t.name, e.key, owner, value)
}

// metaCounts counts the values each owner keeps on a mailbox, read once
// per SETMETADATA (not once per entry: a long command stays linear).
type metaCounts struct {
	loaded bool
	n      map[string]int // owner ("" = shared) -> values
}

// checkMetadataCount refuses a new value once owner has the most a
// mailbox may hold, and counts the new one.
func (s *session) checkMetadataCount(t *metaTarget, owner string, counts *metaCounts) error {
	if !counts.loaded {
		all, err := s.srv.st.ListMetadata(s.ctx, t.name, "", s.user.User)
		if err != nil {
			return err
		}
		counts.loaded, counts.n = true, map[string]int{}
		for _, v := range all {
			counts.n[v.User]++
		}
	}
	if counts.n[owner] >= maxEntriesPerMailbox {
		return noCode("METADATA TOOMANY", "Too many annotations")
	}
	counts.n[owner]++
	return nil
}

// setSpecialUse changes a mailbox's special-use attributes
// (/private/specialuse, RFC 6154 §4): only the owner (or an admin) may,
// with known attributes only, each at most once.
func (s *session) setSpecialUse(t *metaTarget, value []byte) error {
	if t.owner != s.user.User && !s.identityFor(t.name).Admin {
		return errPermission
	}
	var uses []string
	for _, f := range strings.Fields(string(value)) {
		canon := ""
		for u := range specialUses {
			if strings.EqualFold(u, f) {
				canon = u
			}
		}
		if canon == "" {
			return noCode("USEATTR", "Unsupported special-use attribute "+f)
		}
		if !containsFold(uses, canon) {
			uses = append(uses, canon)
		}
	}
	_, err := s.srv.st.ModifyMailbox(s.ctx, t.name, func(e *store.Entry) error {
		e.SpecialUse = strings.Join(uses, " ")
		return nil
	})
	if errors.Is(err, store.ErrNotFound) {
		return errNoMailbox
	}
	return err
}

func containsFold(list []string, s string) bool {
	for _, l := range list {
		if strings.EqualFold(l, s) {
			return true
		}
	}
	return false
}
