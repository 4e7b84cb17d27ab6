package sieve

import (
	"net/mail"
	"strings"
)

// parseAddresses extracts the addr-specs of an address-list header value.
// It tries the strict RFC 5322 parser first and falls back to a lenient
// split, since real mail is often malformed.
func parseAddresses(v string) []string {
	v = strings.TrimSpace(unfold(v))
	if v == "" {
		return nil
	}
	if list, err := (&mail.AddressParser{WordDecoder: wordDecoder}).ParseList(v); err == nil {
		out := make([]string, 0, len(list))
		for _, a := range list {
			out = append(out, a.Address)
		}
		return out
	}
	return lenientAddresses(v)
}

// lenientAddresses splits on commas outside quotes, comments and angle
// brackets, drops group names, and keeps the bracketed part if any.
func lenientAddresses(v string) []string {
	var out []string
	var cur strings.Builder
	depthParen, inQuote, inAngle := 0, false, false
	flush := func() {
		if a := cleanAddress(cur.String()); a != "" {
			out = append(out, a)
		}
		cur.Reset()
	}
	for i := 0; i < len(v); i++ {
		c := v[i]
		switch {
		case inQuote:
			if c == '\\' && i+1 < len(v) {
				cur.WriteByte(c)
				i++
				c = v[i]
			} else if c == '"' {
				inQuote = false
			}
		case c == '"':
			inQuote = true
		case c == '(':
			depthParen++
			continue
		case c == ')':
			if depthParen > 0 {
				depthParen--
			}
			continue
		case depthParen > 0:
			continue
		case c == '<':
			inAngle = true
		case c == '>':
			inAngle = false
		case (c == ',' || c == ';') && !inAngle:
			flush()
			continue
		case c == ':' && !inAngle && !strings.Contains(cur.String(), "@"):
			cur.Reset() // group display name
			continue
		}
		cur.WriteByte(c)
	}
	flush()
	return out
}

func cleanAddress(s string) string {
	if i := strings.LastIndexByte(s, '<'); i >= 0 {
		s = s[i+1:]
		if j := strings.IndexByte(s, '>'); j >= 0 {
			s = s[:j]
		}
	}
	return strings.TrimSpace(strings.Trim(strings.TrimSpace(s), `"`))
}

// addressPart selects :all, :localpart, :domain, :user or :detail of an
// addr-spec; ok is false when the part does not exist (RFC 5233: :detail
// of an address without separator).
func addressPart(addr, part string) (string, bool) {
	local, domain := addr, ""
	if i := strings.LastIndexByte(addr, '@'); i >= 0 {
		local, domain = addr[:i], addr[i+1:]
	}
	switch part {
	case ":localpart":
		return local, true
	case ":domain":
		return domain, true
	case ":user":
		user, _, _ := strings.Cut(local, "+")
		return user, true
	case ":detail":
		_, detail, found := strings.Cut(local, "+")
		return detail, found
	}
	return addr, true
}

// validRedirectAddress is a sanity check for redirect targets: a
// mailbox with a local part and a domain, possibly with a display name.
func validRedirectAddress(s string) (string, bool) {
	a, err := mail.ParseAddress(s)
	if err != nil {
		return "", false
	}
	if i := strings.LastIndexByte(a.Address, '@'); i <= 0 || i == len(a.Address)-1 {
		return "", false
	}
	return a.Address, true
}
