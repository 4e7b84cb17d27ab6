package sieve

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
	"unicode/utf8"

	"gocyrus/pkg/msgheader"
)

// Mailto is a mailto: URI (RFC 6068) used as an enotify method (RFC
// 5436). Only header fields that are safe in a notification are kept:
// the recipients, Subject, the body and a few informational fields;
// the names of the others are listed in Ignored (RFC 5436 §2.7: From,
// Received, Auto-Submitted... are never taken from the URI).
type Mailto struct {
	To, Cc, Bcc []string // addr-specs
	Subject     string
	HasSubject  bool
	Body        string
	HasBody     bool
	Headers     []MailtoHeader // In-Reply-To, References, Keywords, Comments
	Ignored     []string       // header field names dropped as unsafe
}

// MailtoHeader is one header field taken from a mailto URI.
type MailtoHeader struct{ Name, Value string }

// Recipients lists every envelope recipient: To, Cc and Bcc.
func (m *Mailto) Recipients() []string {
	out := append([]string(nil), m.To...)
	out = append(out, m.Cc...)
	return append(out, m.Bcc...)
}

// maxMailtoRecipients bounds how many people one notification reaches.
const maxMailtoRecipients = 32

// errUnsupportedMethod says a well-formed URI names a method other than mailto.
var errUnsupportedMethod = errors.New("unsupported notification method")

// mailtoSafeHeaders are the header fields a notification takes from the
// URI besides to/cc/bcc/subject/body.
var mailtoSafeHeaders = map[string]string{
	"in-reply-to": "In-Reply-To",
	"references":  "References",
	"keywords":    "Keywords",
	"comments":    "Comments",
}

// ParseMailto parses a notification method URI. It fails with an error
// wrapping errUnsupportedMethod for a scheme other than mailto, and with
// a description of the problem for a malformed mailto URI or one without
// any recipient.
func ParseMailto(uri string) (*Mailto, error) {
	scheme, rest, ok := strings.Cut(uri, ":")
	if !ok || !validScheme(scheme) {
		return nil, errors.New("not a URI")
	}
	if !strings.EqualFold(scheme, "mailto") {
		return nil, fmt.Errorf("%w %q", errUnsupportedMethod, scheme)
	}
	if strings.ContainsAny(rest, " \t\r\n\x00#") {
		return nil, errors.New("mailto URI contains characters that must be percent-encoded")
	}
	path, query, _ := strings.Cut(rest, "?")
	m := &Mailto{}
	if path != "" {
		addrs, err := mailtoAddresses(path)
		if err != nil {
			return nil, err
		}
		m.To = addrs
	}
	if query != "" {
		for _, hf := range strings.Split(query, "&") {
			if err := m.addHfield(hf); err != nil {
				return nil, err
			}
		}
	}
	if len(m.To)+len(m.Cc)+len(m.Bcc) == 0 {
		return nil, errors.New("mailto URI names no recipient")
	}
	if len(m.To)+len(m.Cc)+len(m.Bcc) > maxMailtoRecipients {
		return nil, fmt.Errorf("mailto URI names more than %d recipients", maxMailtoRecipients)
	}
	return m, nil
}

// validScheme reports whether s is an RFC 3986 scheme.
func validScheme(s string) bool {
	if s == "" || !isAlpha(s[0]) {
		return false
	}
	for i := 1; i < len(s); i++ {
		c := s[i]
		if !isAlpha(c) && !(c >= '0' && c <= '9') && c != '+' && c != '-' && c != '.' {
			return false
		}
	}
	return true
}

func isAlpha(c byte) bool { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') }

// mailtoDecode percent-decodes a URI component into UTF-8 text.
func mailtoDecode(s string) (string, error) {
	v, err := url.PathUnescape(s)
	if err != nil {
		return "", errors.New("bad percent-encoding in mailto URI")
	}
	if !utf8.ValidString(v) {
		return "", errors.New("mailto URI is not UTF-8")
	}
	return v, nil
}

// mailtoAddresses decodes a comma-separated list of addr-specs. The
// list is decoded first, so an encoded comma separates too (RFC 6068
// §2). Addresses whose local part needs quoting around white space or
// control characters are refused: they cannot go on a sendmail command line.
func mailtoAddresses(s string) ([]string, error) {
	v, err := mailtoDecode(s)
	if err != nil {
		return nil, err
	}
	if strings.TrimSpace(strings.ReplaceAll(v, ",", "")) == "" {
		return nil, nil
	}
	list, err := msgheader.ParseMailboxList(v)
	if err != nil {
		return nil, fmt.Errorf("invalid address list %q in mailto URI: %w", v, err)
	}
	out := make([]string, 0, len(list))
	for _, a := range list {
		if strings.IndexFunc(a.Addr(), unsafeAddressRune) >= 0 {
			return nil, fmt.Errorf("invalid address %q in mailto URI", a.Addr())
		}
		out = append(out, a.Addr())
	}
	return out, nil
}

func unsafeAddressRune(r rune) bool { return r <= ' ' || r == 0x7f }

// addHfield adds one "name=value" of the URI's query.
func (m *Mailto) addHfield(hf string) error {
	rawName, rawValue, ok := strings.Cut(hf, "=")
	if !ok {
		return fmt.Errorf("mailto header field %q has no value", hf)
	}
	name, err := mailtoDecode(rawName)
	if err != nil {
		return err
	}
	if !validFieldName(name) {
		return fmt.Errorf("invalid header field name %q in mailto URI", name)
	}
	value, err := mailtoDecode(rawValue)
	if err != nil {
		return err
	}
	lname := strings.ToLower(name)
	switch lname {
	case "to", "cc", "bcc":
		addrs, err := mailtoAddresses(rawValue)
		if err != nil {
			return err
		}
		switch lname {
		case "to":
			m.To = append(m.To, addrs...)
		case "cc":
			m.Cc = append(m.Cc, addrs...)
		default:
			m.Bcc = append(m.Bcc, addrs...)
		}
	case "subject":
		m.Subject, m.HasSubject = value, true
	case "body":
		m.Body, m.HasBody = value, true
	default:
		if canonical, safe := mailtoSafeHeaders[lname]; safe {
			m.Headers = append(m.Headers, MailtoHeader{Name: canonical, Value: value})
		} else {
			m.Ignored = append(m.Ignored, name)
		}
	}
	return nil
}
