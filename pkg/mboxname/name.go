package mboxname

import (
	"errors"
	"fmt"
	"strings"
)

// MaxNameLen is Cyrus's MAX_MAILBOX_NAME: the longest internal name, in bytes,
// including any "domain!" prefix.
const MaxNameLen = 490

// MaxUserIDLen bounds user ids; "user." plus the id must still fit a name.
const MaxUserIDLen = MaxNameLen - len("user.")

// ErrInvalidName is wrapped by every validation error about a mailbox name.
var ErrInvalidName = errors.New("invalid mailbox name")

// ErrInvalidUserID is wrapped by every validation error about a user id.
var ErrInvalidUserID = errors.New("invalid user id")

func invalidName(name, why string) error {
	return fmt.Errorf("%w %q: %s", ErrInvalidName, name, why)
}

// Validate reports whether internal is a well-formed internal mailbox name
// (see the package documentation for the rules).
func Validate(internal string) error {
	if internal == "" {
		return invalidName(internal, "empty")
	}
	if len(internal) > MaxNameLen {
		return invalidName(internal, fmt.Sprintf("longer than %d bytes", MaxNameLen))
	}
	domain, local := SplitDomain(internal)
	if strings.Contains(internal, "!") {
		if err := validateDomain(domain); err != nil {
			return invalidName(internal, err.Error())
		}
		if local == "" {
			return invalidName(internal, "nothing after the domain")
		}
	}
	for i := 0; i < len(local); i++ {
		c := local[i]
		switch {
		case c == '!':
			return invalidName(internal, "more than one '!'")
		case c == '/':
			return invalidName(internal, "contains '/'")
		case c < 0x20 || c == 0x7f:
			return invalidName(internal, "contains a control character")
		case c >= 0x80:
			return invalidName(internal, "contains a non-ASCII byte (must be modified UTF-7)")
		}
	}
	comps := strings.Split(local, ".")
	for _, c := range comps {
		switch c {
		case "":
			return invalidName(internal, "empty hierarchy component")
		case "^", "^^":
			return invalidName(internal, "component reads as \".\" or \"..\"")
		}
	}
	if len(comps) >= 2 && comps[0] == "user" && comps[1][0] == '^' {
		return invalidName(internal, "user id starts with '.'")
	}
	decoded, err := DecodeUTF7(local)
	if err != nil {
		return invalidName(internal, err.Error())
	}
	if hasControl(decoded) {
		return invalidName(internal, "contains an encoded control character")
	}
	return nil
}

// validateDomain accepts DNS-style names: labels of letters, digits, '-' and
// '_', separated by single dots.
func validateDomain(domain string) error {
	if domain == "" {
		return errors.New("empty domain")
	}
	if len(domain) > 255 {
		return errors.New("domain longer than 255 bytes")
	}
	for _, label := range strings.Split(domain, ".") {
		if label == "" {
			return errors.New("empty label in domain")
		}
		for i := 0; i < len(label); i++ {
			c := label[i]
			if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
				return fmt.Errorf("invalid character %q in domain", c)
			}
		}
	}
	return nil
}

// ValidateUserID checks a user id as it appears in a login or an ACL: not
// empty, no '/', '!', '^', control characters or NUL, no leading '.', and
// short enough that its INBOX name fits [MaxNameLen]. A "local@domain" id is
// checked in both halves.
func ValidateUserID(userid string) error {
	bad := func(why string) error { return fmt.Errorf("%w %q: %s", ErrInvalidUserID, userid, why) }
	if userid == "" {
		return bad("empty")
	}
	if len(userid) > MaxUserIDLen {
		return bad(fmt.Sprintf("longer than %d bytes", MaxUserIDLen))
	}
	if userid[0] == '.' || userid[0] == '@' {
		return bad("starts with '" + userid[:1] + "'")
	}
	for _, r := range userid {
		switch {
		case r == '/' || r == '!' || r == '^':
			return bad(fmt.Sprintf("contains %q", r))
		case r < 0x20 || r == 0x7f || r == 0xfffd:
			return bad("contains a control character or invalid UTF-8")
		}
	}
	if at := strings.LastIndexByte(userid, '@'); at >= 0 {
		if err := validateDomain(userid[at+1:]); err != nil {
			return bad(err.Error())
		}
	}
	return nil
}

// SplitDomain splits "domain!local" at the first '!'. A name without a
// domain returns domain "".
func SplitDomain(internal string) (domain, local string) {
	if i := strings.IndexByte(internal, '!'); i >= 0 {
		return internal[:i], internal[i+1:]
	}
	return "", internal
}

// JoinDomain is the inverse of SplitDomain.
func JoinDomain(domain, local string) string {
	if domain == "" {
		return local
	}
	return domain + "!" + local
}

// Parent returns the internal name one level up, or false for a top-level name.
func Parent(internal string) (string, bool) {
	domain, local := SplitDomain(internal)
	i := strings.LastIndexByte(local, '.')
	if i <= 0 {
		return "", false
	}
	return JoinDomain(domain, local[:i]), true
}

// UserOf returns the owner of a mailbox in a user tree ("user.X" or below):
// X with '^' turned back into '.', qualified "X@domain" in a virtual domain.
func UserOf(internal string) (user string, ok bool) {
	domain, local := SplitDomain(internal)
	rest, found := strings.CutPrefix(local, "user.")
	if !found || rest == "" {
		return "", false
	}
	if i := strings.IndexByte(rest, '.'); i >= 0 {
		rest = rest[:i]
	}
	if rest == "" {
		return "", false
	}
	user = strings.ReplaceAll(rest, "^", ".")
	if domain != "" {
		user += "@" + domain
	}
	return user, true
}

// IsUserInbox reports whether internal is exactly some user's INBOX ("user.X").
func IsUserInbox(internal string) bool {
	_, local := SplitDomain(internal)
	rest, found := strings.CutPrefix(local, "user.")
	return found && rest != "" && !strings.Contains(rest, ".")
}

// UserInbox returns the INBOX of a canonical user id: "alice" -> "user.alice",
// "john.doe" -> "user.john^doe", "alice@example.org" -> "example.org!user.alice".
// The part after the last '@' is taken as a virtual domain; use
// [Namespace.UserInbox] to apply the virtdomains and defaultdomain settings.
func UserInbox(userid string) string {
	local, domain := userid, ""
	if at := strings.LastIndexByte(userid, '@'); at >= 0 {
		local, domain = userid[:at], userid[at+1:]
	}
	return userInbox(local, domain)
}

func userInbox(local, domain string) string {
	return JoinDomain(domain, "user."+strings.ReplaceAll(local, ".", "^"))
}

// IsDescendant reports whether name is strictly below ancestor in the hierarchy.
func IsDescendant(name, ancestor string) bool {
	return len(name) > len(ancestor)+1 && strings.HasPrefix(name, ancestor) && name[len(ancestor)] == '.'
}

func hasControl(s string) bool {
	for _, r := range s {
		if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) {
			return true
		}
	}
	return false
}
