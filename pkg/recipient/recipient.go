package recipient

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"gocyrus/pkg/config"
)

// ErrBadAddress is wrapped by every recipient syntax error.
var ErrBadAddress = errors.New("bad recipient address")

// maxAddressLen bounds an envelope address (RFC 5321's path limit).
const maxAddressLen = 256

// Recipient is an envelope recipient split the way lmtpd reads it.
type Recipient struct {
	// Local is the user part before '+' ("" for a shared folder).
	Local string
	// Detail is what followed the first '+': a folder name in the user's
	// view (or the shared folder's name); "" when there was no '+'.
	Detail string
	// HasDetail reports that the address had a '+'.
	HasDetail bool
	// Domain is the part after '@', kept only with virtual domains and
	// when it is not the default domain.
	Domain string
	// Shared marks a bulletin-board address: "+board" or "<postuser>+board".
	Shared bool
}

// UserID returns the user the recipient names ("alice", "dave@example.org").
func (r Recipient) UserID() string {
	if r.Domain == "" {
		return r.Local
	}
	return r.Local + "@" + r.Domain
}

// Options are the imapd.conf settings that shape recipient parsing.
type Options struct {
	Postuser      string // postuser: its "+board" addresses are shared folders
	Downcase      bool   // lmtp_downcase_rcpt: lower-case the part before '+'
	VirtDomains   bool   // virtdomains is not off: keep the domain
	DefaultDomain string // dropped from addresses when virtdomains is on
}

// Parse reads an envelope recipient ("<alice+Work@example.org>"
// or without brackets).
func Parse(addr string, opt Options) (Recipient, error) {
	bad := func(why string) error { return fmt.Errorf("%w %q: %s", ErrBadAddress, addr, why) }
	a := strings.TrimSpace(addr)
	if strings.HasPrefix(a, "<") {
		if !strings.HasSuffix(a, ">") {
			return Recipient{}, bad("unbalanced angle brackets")
		}
		a = a[1 : len(a)-1]
	}
	switch {
	case a == "":
		return Recipient{}, bad("empty")
	case len(a) > maxAddressLen:
		return Recipient{}, bad("too long")
	case !utf8.ValidString(a):
		return Recipient{}, bad("invalid UTF-8")
	case strings.ContainsAny(a, "<> \t\r\n\x00"):
		return Recipient{}, bad("invalid character")
	}
	// A source route "@a,@b:user@dom" names the user after the colon.
	if strings.HasPrefix(a, "@") {
		i := strings.IndexByte(a, ':')
		if i < 0 {
			return Recipient{}, bad("source route without ':'")
		}
		a = a[i+1:]
	}
	local, domain := a, ""
	if at := strings.LastIndexByte(a, '@'); at >= 0 {
		local, domain = a[:at], strings.ToLower(a[at+1:])
		if domain == "" {
			return Recipient{}, bad("empty domain")
		}
	}
	if len(local) >= 2 && local[0] == '"' && local[len(local)-1] == '"' {
		local = local[1 : len(local)-1]
	}
	var r Recipient
	r.Local, r.Detail, r.HasDetail = strings.Cut(local, "+")
	if opt.Downcase {
		r.Local = strings.ToLower(r.Local)
	}
	if opt.VirtDomains && domain != "" && domain != strings.ToLower(opt.DefaultDomain) {
		r.Domain = domain
	}
	if r.HasDetail && (r.Local == "" || (opt.Postuser != "" && r.Local == opt.Postuser)) {
		r.Shared, r.Local = true, ""
		if r.Detail == "" {
			return Recipient{}, bad("empty shared folder name")
		}
		return r, nil
	}
	if r.Local == "" {
		return Recipient{}, bad("empty user")
	}
	return r, nil
}

// OptionsFromConfig is the parsing imapd.conf asks for: postuser,
// lmtp_downcase_rcpt, virtdomains and defaultdomain.
func OptionsFromConfig(cfg *config.Config) Options {
	vd := cfg.Virtdomains()
	return Options{Postuser: cfg.Postuser(), Downcase: cfg.LmtpDowncaseRcpt(),
		VirtDomains: vd != "" && vd != "off", DefaultDomain: cfg.Defaultdomain()}
}
