package mboxname

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"
)

// Namespace holds the settings that decide how a session sees mailbox names.
// The zero value is the Cyrus 2.1 layout ('.' separator, INBOX. prefix); use
// [DefaultNamespace] for the Cyrus 3.6 defaults.
type Namespace struct {
	AltNamespace     bool   // personal folders beside INBOX, prefixes for others
	UnixHierarchySep bool   // '/' instead of '.' as the client separator
	UserPrefix       string // altnamespace prefix of other users' folders
	SharedPrefix     string // altnamespace prefix of shared folders
	VirtDomains      string // "off", "userid" or "on"
	DefaultDomain    string // domain of unqualified users; stripped from ids
}

// DefaultNamespace returns the Cyrus 3.6 defaults.
func DefaultNamespace() Namespace {
	return Namespace{
		AltNamespace:     true,
		UnixHierarchySep: true,
		UserPrefix:       "Other Users",
		SharedPrefix:     "Shared Folders",
		VirtDomains:      "off",
		DefaultDomain:    "internal",
	}
}

// ErrNamespaceRoot is returned by ToInternal for a name that is only a
// namespace prefix ("Other Users", "user"), which names no mailbox.
var ErrNamespaceRoot = errors.New("names a namespace, not a mailbox")

// ErrNoInbox is returned by ToInternal for a personal name without a user
// (an anonymous or tool session has no INBOX).
var ErrNoInbox = errors.New("no personal namespace without a user")

// ErrOtherDomain is returned by ToExternal for a mailbox in a virtual domain
// the session cannot see.
var ErrOtherDomain = errors.New("mailbox is in another domain")

// Separator returns the hierarchy separator clients see. Admins see the
// standard namespace but with the same separator as everyone else.
func (ns Namespace) Separator(admin bool) byte {
	if ns.UnixHierarchySep {
		return '/'
	}
	return '.'
}

func (ns Namespace) alt(admin bool) bool { return ns.AltNamespace && !admin }

func (ns Namespace) virtual() bool { return ns.VirtDomains != "" && ns.VirtDomains != "off" }

// CanonicalUserID applies the domain rules to a login name: with virtual
// domains, "user%dom" becomes "user@dom" and the default domain is dropped;
// without them the id is returned unchanged.
func (ns Namespace) CanonicalUserID(userid string) string {
	if !ns.virtual() {
		return userid
	}
	local, domain := ns.splitUser(userid)
	if domain == "" {
		return local
	}
	return local + "@" + domain
}

// splitUser splits a user id into local part and (non-default) domain under
// the namespace's virtdomains setting.
func (ns Namespace) splitUser(userid string) (local, domain string) {
	if !ns.virtual() {
		return userid, ""
	}
	at := strings.LastIndexAny(userid, "@%")
	if at < 0 {
		return userid, ""
	}
	local, domain = userid[:at], strings.ToLower(userid[at+1:])
	if domain == strings.ToLower(ns.DefaultDomain) {
		domain = ""
	}
	return local, domain
}

// UserInbox returns the INBOX of userid under this namespace's domain rules.
func (ns Namespace) UserInbox(userid string) string {
	local, domain := ns.splitUser(userid)
	return userInbox(local, domain)
}

// ToInternal converts a name as the session (userid, admin) sent it into the
// internal form. Names given in UTF-8 are encoded to modified UTF-7; ASCII
// names must already be valid modified UTF-7. The result passes [Validate].
func (ns Namespace) ToInternal(external, userid string, admin bool) (string, error) {
	bad := func(why string) error { return fmt.Errorf("%w %q: %s", ErrInvalidName, external, why) }
	if external == "" {
		return "", bad("empty")
	}
	if !utf8.ValidString(external) {
		return "", bad("invalid UTF-8")
	}
	if hasControl(external) {
		return "", bad("contains a control character")
	}
	// '!' separates the domain from the rest of an internal name; taken
	// from a client it would move the mailbox into another domain.
	if strings.IndexByte(external, '!') >= 0 {
		return "", bad("'!' is not allowed")
	}
	name := external
	if !isASCII(name) {
		name = EncodeUTF7(name)
	} else if _, err := DecodeUTF7(name); err != nil {
		return "", bad(err.Error())
	}
	sep := ns.Separator(admin)
	userLocal, domain := ns.splitUser(userid)

	// A global admin may address another domain as "name@domain".
	if admin && ns.virtual() && domain == "" {
		if at := strings.LastIndexByte(name, '@'); at > 0 && validateDomain(name[at+1:]) == nil {
			name, domain = name[:at], strings.ToLower(name[at+1:])
			if domain == strings.ToLower(ns.DefaultDomain) {
				domain = ""
			}
		}
	}

	comps := strings.Split(name, string(sep))
	for _, c := range comps {
		if c == "" {
			return "", bad("empty hierarchy component")
		}
		if sep == '/' && strings.IndexByte(c, '^') >= 0 {
			return "", bad("'^' is not allowed with the '/' separator")
		}
	}
	for i, c := range comps {
		comps[i] = toInternalComponent(c, sep)
	}

	var local string
	switch {
	case strings.EqualFold(comps[0], "INBOX") && (len(comps) == 1 || !ns.alt(admin)):
		if userid == "" {
			return "", fmt.Errorf("%q: %w", external, ErrNoInbox)
		}
		local = joinInternal(append([]string{"user", toInternalUser(userLocal)}, comps[1:]...))
	case ns.alt(admin) && comps[0] == toInternalComponent(ns.UserPrefix, sep):
		if len(comps) == 1 {
			return "", fmt.Errorf("%q: %w", external, ErrNamespaceRoot)
		}
		local = joinInternal(append([]string{"user"}, comps[1:]...))
	case ns.alt(admin) && comps[0] == toInternalComponent(ns.SharedPrefix, sep):
		if len(comps) == 1 {
			return "", fmt.Errorf("%q: %w", external, ErrNamespaceRoot)
		}
		if comps[1] == "user" {
			return "", bad("a shared folder cannot be named \"user\"")
		}
		local = joinInternal(comps[1:])
	case ns.alt(admin):
		if userid == "" {
			return "", fmt.Errorf("%q: %w", external, ErrNoInbox)
		}
		local = joinInternal(append([]string{"user", toInternalUser(userLocal)}, comps...))
	default:
		if len(comps) == 1 && comps[0] == "user" {
			return "", fmt.Errorf("%q: %w", external, ErrNamespaceRoot)
		}
		local = joinInternal(comps)
	}
	internal := JoinDomain(domain, local)
	if err := Validate(internal); err != nil {
		return "", err
	}
	return internal, nil
}

// ToExternal converts an internal name into what the session sees.
func (ns Namespace) ToExternal(internal, userid string, admin bool) (string, error) {
	if err := Validate(internal); err != nil {
		return "", err
	}
	sep := ns.Separator(admin)
	domain, local := SplitDomain(internal)
	userLocal, userDomain := ns.splitUser(userid)
	suffix := ""
	if domain != userDomain {
		if !admin || userDomain != "" {
			return "", fmt.Errorf("%q: %w", internal, ErrOtherDomain)
		}
		suffix = "@" + domain
	}
	comps := strings.Split(local, ".")
	for i, c := range comps {
		comps[i] = toExternalComponent(c, sep)
	}
	join := func(parts ...string) string { return strings.Join(parts, string(sep)) + suffix }

	isUser := len(comps) >= 2 && comps[0] == "user"
	mine := "user." + toInternalUser(userLocal)
	if userid != "" && !admin && (local == mine || IsDescendant(local, mine)) {
		if len(comps) == 2 {
			return "INBOX", nil
		}
		if ns.AltNamespace {
			return join(comps[2:]...), nil
		}
		return join(append([]string{"INBOX"}, comps[2:]...)...), nil
	}
	if !ns.alt(admin) {
		return join(comps...), nil
	}
	if isUser {
		return join(append([]string{ns.UserPrefix}, comps[1:]...)...), nil
	}
	return join(append([]string{ns.SharedPrefix}, comps...)...), nil
}

// toInternalComponent maps one external component: with the '/' separator a
// '.' inside it is stored as '^'.
func toInternalComponent(c string, sep byte) string {
	if sep == '/' {
		return strings.ReplaceAll(c, ".", "^")
	}
	return c
}

func toExternalComponent(c string, sep byte) string {
	if sep == '/' {
		return strings.ReplaceAll(c, "^", ".")
	}
	return c
}

// toInternalUser maps a user id's local part into one internal component.
func toInternalUser(local string) string { return strings.ReplaceAll(local, ".", "^") }

func joinInternal(comps []string) string { return strings.Join(comps, ".") }

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}
