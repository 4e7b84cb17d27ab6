package sieve

import (
	"strings"

	"gocyrus/pkg/msgheader"
)

// parseAddresses extracts the addr-specs of an address-list header value,
// group members included; malformed values yield what can be read.
func parseAddresses(v string) []string {
	return msgheader.Mailboxes(msgheader.ParseAddressList(v))
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
	a, err := msgheader.ParseMailbox(s)
	if err != nil {
		return "", false
	}
	return a.Addr(), true
}
