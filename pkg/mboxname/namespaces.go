package mboxname

import "strings"

// NamespacePrefix is one (prefix separator) pair of an IMAP NAMESPACE
// response (RFC 2342).
type NamespacePrefix struct {
	Prefix    string
	Separator byte
}

// NamespaceList is the content of a NAMESPACE response: personal, other
// users' and shared namespaces. A nil list is sent as NIL.
type NamespaceList struct {
	Personal, Other, Shared []NamespacePrefix
}

// Namespaces describes the namespaces a session sees. Admins get the standard
// namespace without a personal part (they have no INBOX); a session without a
// user has no personal namespace either.
func (ns Namespace) Namespaces(userid string, admin bool) NamespaceList {
	sep := ns.Separator(admin)
	s := string(sep)
	var l NamespaceList
	if ns.alt(admin) {
		if userid != "" {
			l.Personal = []NamespacePrefix{{"", sep}}
		}
		l.Other = []NamespacePrefix{{ns.UserPrefix + s, sep}}
		l.Shared = []NamespacePrefix{{ns.SharedPrefix + s, sep}}
		return l
	}
	if userid != "" && !admin {
		l.Personal = []NamespacePrefix{{"INBOX" + s, sep}}
	}
	l.Other = []NamespacePrefix{{"user" + s, sep}}
	l.Shared = []NamespacePrefix{{"", sep}}
	return l
}

// String formats the list as the arguments of "* NAMESPACE", e.g.
// `(("" "/")) (("Other Users/" "/")) (("Shared Folders/" "/"))`.
func (l NamespaceList) String() string {
	var b strings.Builder
	for i, group := range [][]NamespacePrefix{l.Personal, l.Other, l.Shared} {
		if i > 0 {
			b.WriteByte(' ')
		}
		if group == nil {
			b.WriteString("NIL")
			continue
		}
		b.WriteByte('(')
		for _, p := range group {
			b.WriteByte('(')
			writeQuoted(&b, p.Prefix)
			b.WriteByte(' ')
			writeQuoted(&b, string(p.Separator))
			b.WriteByte(')')
		}
		b.WriteByte(')')
	}
	return b.String()
}

func writeQuoted(b *strings.Builder, s string) {
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		if s[i] == '"' || s[i] == '\\' {
			b.WriteByte('\\')
		}
		b.WriteByte(s[i])
	}
	b.WriteByte('"')
}
