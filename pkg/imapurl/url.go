package imapurl

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// MaxLen bounds a URL: a mailbox name, a section and a URLAUTH fit many
// times over; anything longer is refused before it is examined.
const MaxLen = 8192

// ErrSyntax is wrapped by every error Parse returns.
var ErrSyntax = errors.New("invalid IMAP URL")

// Partial is ";PARTIAL=offset[.length]".
type Partial struct {
	Offset uint32
	Length uint32 // 0: to the end
}

// URL is a parsed IMAP URL.
type URL struct {
	// Server is set for "imap://" URLs; an absolute-path or relative URL
	// names the session's own server.
	Server   bool
	User     string // iuserinfo's enc-user, decoded; "" when absent
	Auth     string // ";AUTH=" type ("*" for any); "" when absent
	Host     string
	Port     int // 0 when absent
	Mailbox  string
	Relative bool // no mailbox: the session's selected mailbox (RFC 4469 §5)

	UIDValidity uint32 // 0 when absent
	UID         uint32 // 0: a mailbox reference, not a message
	Section     string // decoded, upper-cased as IMAP writes section specifiers
	Partial     *Partial
	Search      string // "?..." without the "?", still %-encoded; "" when absent

	// URLAUTH (RFC 4467 §3): Access is "submit+user", "user+user",
	// "authuser" or "anonymous"; Mechanism and Token are empty in a
	// URLAUTH-rump (GENURLAUTH's argument).
	Expire    time.Time // zero when absent
	Access    string
	Mechanism string
	Token     string // lower-case hex
	Rump      string // the text up to and including the access identifier
}

// HasURLAuth reports whether the URL carries ";URLAUTH=".
func (u *URL) HasURLAuth() bool { return u.Access != "" }

func errf(format string, a ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrSyntax}, a...)...)
}

// Parse parses an absolute or relative IMAP URL.
func Parse(s string) (*URL, error) {
	if len(s) > MaxLen {
		return nil, errf("longer than %d bytes", MaxLen)
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; c <= ' ' || c >= 0x7f {
			// RFC 3986: a URL is printable ASCII; anything else is escaped.
			return nil, errf("unescaped character 0x%02x", c)
		}
	}
	u := &URL{}
	rest := s
	if len(rest) >= 7 && strings.EqualFold(rest[:7], "imap://") {
		u.Server = true
		var authority string
		authority, rest, _ = cut(rest[7:], "/")
		if err := u.parseAuthority(authority); err != nil {
			return nil, err
		}
		if rest == "" || rest == "/" {
			return u, nil
		}
	}
	if err := u.parsePath(s, rest); err != nil {
		return nil, err
	}
	return u, nil
}

// cut is strings.Cut that keeps the separator with the tail.
func cut(s, sep string) (before, after string, found bool) {
	if i := strings.Index(s, sep); i >= 0 {
		return s[:i], s[i:], true
	}
	return s, "", false
}

func (u *URL) parseAuthority(a string) error {
	if i := strings.LastIndexByte(a, '@'); i >= 0 {
		userinfo := a[:i]
		a = a[i+1:]
		user, auth, hasAuth := cutFold(userinfo, ";AUTH=")
		var err error
		if u.User, err = decode(user); err != nil {
			return err
		}
		if hasAuth {
			if auth == "" {
				return errf("empty ;AUTH=")
			}
			if u.Auth, err = decode(auth); err != nil {
				return err
			}
		} else if strings.Contains(user, ";") {
			return errf("bad user info")
		}
		if u.User == "" && !hasAuth {
			return errf("empty user")
		}
	}
	host, port, hasPort := strings.Cut(a, ":")
	if host == "" {
		return errf("no host")
	}
	for i := 0; i < len(host); i++ {
		c := host[i]
		if !(isAlnum(c) || c == '-' || c == '.' || c == '[' || c == ']') {
			return errf("bad host")
		}
	}
	u.Host = strings.ToLower(host)
	if hasPort {
		p, err := strconv.ParseUint(port, 10, 16)
		if err != nil || p == 0 {
			return errf("bad port")
		}
		u.Port = int(p)
	}
	return nil
}

// cutFold is strings.Cut with a case-insensitive separator.
func cutFold(s, sep string) (before, after string, found bool) {
	if i := strings.Index(strings.ToUpper(s), sep); i >= 0 {
		return s[:i], s[i+len(sep):], true
	}
	return s, "", false
}

// parsePath parses what follows the authority (or the whole of a relative
// URL); whole is the original text, for Rump.
func (u *URL) parsePath(whole, p string) error {
	p, u.Search, _ = strings.Cut(p, "?")
	if strings.Contains(u.Search, "?") {
		return errf("bad search")
	}
	if u.Search != "" {
		if _, err := decode(u.Search); err != nil {
			return err
		}
	}
	// Segments are separated by "/" followed by ";": a mailbox name may
	// itself contain "/" (the hierarchy separator).
	segs := splitParams(p)
	first := segs[0]
	switch {
	case strings.HasPrefix(first, "/") && len(first) > 1 && first[1] != ';':
		mbox, params, _ := strings.Cut(first[1:], ";")
		name, err := decode(mbox)
		if err != nil {
			return err
		}
		if name == "" {
			return errf("empty mailbox")
		}
		u.Mailbox = name
		if params != "" {
			v, err := u.param(params, "UIDVALIDITY")
			if err != nil {
				return err
			}
			if u.UIDValidity, err = nzNumber(v); err != nil {
				return err
			}
		}
		segs = segs[1:]
	case first == "" || first == "/":
		if u.Server {
			return errf("no mailbox")
		}
		u.Relative = true
		segs = segs[1:]
	default:
		return errf("bad path")
	}
	if u.Search != "" && len(segs) > 0 {
		return errf("search with a message part")
	}
	return u.parseMessage(whole, segs)
}

// splitParams splits p before every "/;" and before a leading ";", so
// "/INBOX;UIDVALIDITY=1/;UID=2" gives "/INBOX;UIDVALIDITY=1", ";UID=2"
// and ";UID=2/;SECTION=1" gives "", ";UID=2", ";SECTION=1".
func splitParams(p string) []string {
	var segs []string
	if strings.HasPrefix(p, ";") {
		segs = append(segs, "")
	}
	for {
		i := strings.Index(p, "/;")
		if i < 0 {
			segs = append(segs, p)
			return segs
		}
		segs = append(segs, p[:i])
		p = p[i+1:]
	}
}

// param checks that seg is ";NAME=value" (or "NAME=value") and returns value.
func (u *URL) param(seg, name string) (string, error) {
	seg = strings.TrimPrefix(seg, ";")
	k, v, ok := strings.Cut(seg, "=")
	if !ok || !strings.EqualFold(k, name) {
		return "", errf("expected ;%s=", name)
	}
	return v, nil
}

func (u *URL) parseMessage(whole string, segs []string) error {
	if len(segs) == 0 {
		if u.Relative {
			return errf("no message")
		}
		return nil
	}
	// The last segment may end with "[;EXPIRE=...];URLAUTH=...".
	last := len(segs) - 1
	tail := segs[last]
	i := indexFold(tail, ";EXPIRE=")
	if i < 0 {
		i = indexFold(tail, ";URLAUTH=")
	}
	if i >= 0 {
		if err := u.parseURLAuth(whole, tail[i:]); err != nil {
			return err
		}
		segs[last] = tail[:i]
	}
	v, err := u.param(segs[0], "UID")
	if err != nil {
		return err
	}
	if u.UID, err = nzNumber(v); err != nil {
		return err
	}
	for _, seg := range segs[1:] {
		k, val, _ := strings.Cut(strings.TrimPrefix(seg, ";"), "=")
		switch {
		case strings.EqualFold(k, "SECTION") && u.Section == "" && u.Partial == nil:
			sec, err := decode(val)
			if err != nil {
				return err
			}
			if sec == "" {
				return errf("empty section")
			}
			u.Section = strings.ToUpper(sec)
		case strings.EqualFold(k, "PARTIAL") && u.Partial == nil:
			off, length, hasLen := strings.Cut(val, ".")
			o, err := number(off)
			if err != nil {
				return err
			}
			u.Partial = &Partial{Offset: o}
			if hasLen {
				if u.Partial.Length, err = nzNumber(length); err != nil {
					return err
				}
			}
		default:
			return errf("unexpected %q", seg)
		}
	}
	return nil
}

func indexFold(s, sub string) int { return strings.Index(strings.ToUpper(s), sub) }

// parseURLAuth parses "[;EXPIRE=date-time];URLAUTH=access[:mech:token]",
// which ends the URL.
func (u *URL) parseURLAuth(whole, s string) error {
	if indexFold(s, ";EXPIRE=") == 0 {
		rest := s[len(";EXPIRE="):]
		i := indexFold(rest, ";URLAUTH=")
		if i < 0 {
			return errf(";EXPIRE= without ;URLAUTH=")
		}
		ts, err := decode(rest[:i])
		if err != nil {
			return err
		}
		t, err := time.Parse(time.RFC3339Nano, ts)
		if err != nil {
			return errf("bad ;EXPIRE=")
		}
		u.Expire = t
		s = rest[i:]
	}
	s = s[len(";URLAUTH="):]
	access, verifier, hasVerifier := strings.Cut(s, ":")
	// The rump ends with the access identifier, as the client wrote it.
	u.Rump = whole[:len(whole)-len(s)+len(access)]
	a, err := decode(access)
	if err != nil {
		return err
	}
	switch low := strings.ToLower(a); {
	case low == "authuser" || low == "anonymous":
		u.Access = low
	case strings.HasPrefix(low, "submit+") && len(a) > len("submit+"):
		u.Access = "submit+" + a[len("submit+"):]
	case strings.HasPrefix(low, "user+") && len(a) > len("user+"):
		u.Access = "user+" + a[len("user+"):]
	default:
		return errf("bad access identifier")
	}
	if !hasVerifier {
		return nil
	}
	mech, token, ok := strings.Cut(verifier, ":")
	if !ok || mech == "" || strings.Contains(token, ":") {
		return errf("bad URLAUTH verifier")
	}
	for i := 0; i < len(mech); i++ {
		if c := mech[i]; !isAlnum(c) && c != '-' && c != '.' {
			return errf("bad URLAUTH mechanism")
		}
	}
	if len(token) < 32 {
		return errf("URLAUTH token too short")
	}
	for i := 0; i < len(token); i++ {
		if !isHex(token[i]) {
			return errf("URLAUTH token not hex")
		}
	}
	u.Mechanism, u.Token = strings.ToUpper(mech), strings.ToLower(token)
	return nil
}

func nzNumber(s string) (uint32, error) {
	n, err := number(s)
	if err == nil && n == 0 {
		return 0, errf("zero where a non-zero number is due")
	}
	return n, err
}

func number(s string) (uint32, error) {
	if s == "" || len(s) > 10 {
		return 0, errf("bad number %q", s)
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, errf("bad number %q", s)
		}
	}
	n, err := strconv.ParseUint(s, 10, 32)
	if err != nil {
		return 0, errf("number out of range")
	}
	return uint32(n), nil
}

// decode undoes %-escapes; the result must be UTF-8 without controls.
func decode(s string) (string, error) {
	if !strings.Contains(s, "%") {
		return s, checkText(s)
	}
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '%' {
			b = append(b, c)
			continue
		}
		if i+2 >= len(s) || !isHex(s[i+1]) || !isHex(s[i+2]) {
			return "", errf("bad %%-escape")
		}
		b = append(b, unhex(s[i+1])<<4|unhex(s[i+2]))
		i += 2
	}
	return string(b), checkText(string(b))
}

func checkText(s string) error {
	if !utf8.ValidString(s) {
		return errf("not UTF-8")
	}
	for _, r := range s {
		if r < ' ' || r == 0x7f {
			return errf("control character")
		}
	}
	return nil
}

func isAlnum(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

func isHex(c byte) bool { return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F' }

func unhex(c byte) byte {
	switch {
	case c >= 'a':
		return c - 'a' + 10
	case c >= 'A':
		return c - 'A' + 10
	}
	return c - '0'
}
