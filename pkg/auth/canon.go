package auth

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"gocyrus/pkg/config"
	"gocyrus/pkg/mboxname"
)

// AnonymousUser is the userid of anonymous sessions.
const AnonymousUser = "anonymous"

// canonicalizer turns login names into userids (see the package comment).
type canonicalizer struct {
	tolower       bool
	virtdomains   string // off, userid, on
	defaultDomain string
	loginRealms   map[string]bool // lower-cased; used with virtdomains off
	ns            mboxname.Namespace
}

func newCanonicalizer(cfg *config.Config) canonicalizer {
	c := canonicalizer{
		tolower:       cfg.UsernameTolower(),
		virtdomains:   strings.ToLower(cfg.Virtdomains()),
		defaultDomain: strings.ToLower(cfg.Defaultdomain()),
		loginRealms:   map[string]bool{},
		ns:            mboxname.NamespaceFromConfig(cfg),
	}
	if c.virtdomains == "" {
		c.virtdomains = "off"
	}
	for _, r := range cfg.Loginrealms() {
		c.loginRealms[strings.ToLower(r)] = true
	}
	return c
}

// isSpecial reports identifiers that name no user: ACL pseudo-identities.
func isSpecial(id string) bool {
	l := strings.ToLower(id)
	return l == "anyone" || l == "anybody" || strings.HasPrefix(l, "group:")
}

// userid canonicalises a login name. connDomain is the server-side domain
// for virtdomains on ("" when unknown). The anonymous identity comes back
// as AnonymousUser; callers decide whether it may log in.
func (c canonicalizer) userid(login, connDomain string) (string, error) {
	bad := func(why string) error { return fmt.Errorf("%w: login name %q: %s", ErrAuthFailed, login, why) }
	switch {
	case login == "":
		return "", bad("empty")
	case !utf8.ValidString(login):
		return "", bad("not UTF-8")
	case strings.ContainsFunc(login, func(r rune) bool { return r < 0x20 || r == 0x7f }):
		return "", bad("contains a control character")
	}
	if strings.EqualFold(login, AnonymousUser) {
		return AnonymousUser, nil
	}
	if isSpecial(login) {
		return "", bad("not a user")
	}
	u := login
	if c.tolower {
		u = asciiLower(u)
	}
	if c.virtdomains == "off" {
		if at := strings.LastIndexByte(u, '@'); at >= 0 {
			realm := strings.ToLower(u[at+1:])
			if !c.loginRealms[realm] {
				return "", bad(fmt.Sprintf("realm %q is not in loginrealms", realm))
			}
			u = u[:at]
		}
		if strings.Contains(u, "@") {
			// Stripped again, it would name someone else: one login, one id.
			return "", bad("'@' in the user part")
		}
	} else {
		if at := strings.LastIndexAny(u, "@%"); at == 0 || at == len(u)-1 {
			return "", bad("empty user or domain part")
		}
		u = c.ns.CanonicalUserID(u)
		if local, _, _ := strings.Cut(u, "@"); strings.Contains(local, "%") {
			// "a%b%dom" would canonicalise to "a%b", and that again to
			// "a@b": two identities for one login.
			return "", bad("'@' or '%' in the user part")
		}
		if c.virtdomains == "on" && connDomain != "" && !strings.Contains(u, "@") {
			if d := strings.ToLower(connDomain); d != c.defaultDomain {
				u += "@" + d
			}
		}
	}
	if local, _, _ := strings.Cut(u, "@"); isSpecial(local) || strings.EqualFold(local, AnonymousUser) {
		return "", bad("not a user")
	}
	if err := mboxname.ValidateUserID(u); err != nil {
		return "", fmt.Errorf("%w: %w", ErrAuthFailed, err)
	}
	return u, nil
}

// domainOf returns the domain of a canonical userid, "" for the default
// domain.
func domainOf(userid string) string {
	if at := strings.LastIndexByte(userid, '@'); at >= 0 {
		return userid[at+1:]
	}
	return ""
}

// asciiLower lower-cases ASCII letters only, as Cyrus does: userids must
// not change with the locale or Unicode version.
func asciiLower(s string) string {
	for i := 0; i < len(s); i++ {
		if 'A' <= s[i] && s[i] <= 'Z' {
			b := []byte(s)
			for j := i; j < len(b); j++ {
				if 'A' <= b[j] && b[j] <= 'Z' {
					b[j] += 'a' - 'A'
				}
			}
			return string(b)
		}
	}
	return s
}

// Userid is the userid a login name authenticates as (as CheckPassword
// canonicalises it, with no connection domain): the key under which a
// tool that brings users in (saslpasswd -i) must store them.
func (a *Authenticator) Userid(login string) (string, error) {
	return a.canon.userid(login, "")
}
