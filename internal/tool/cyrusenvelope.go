package tool

import (
	"fmt"
	"net/mail"
	"strings"
	"time"

	"gocyrus/pkg/msgheader"
)

// CyrusEnvelope returns what Cyrus's ipurge -n and unexpunge -l print for
// a message with header block h that arrived at recv: they print the index's
// sent date (the Date: header's day at midnight, the arrival day without
// one) and the cached envelope, where addresses read "Name <box@domain>"
// and the subject is an IMAP string or NIL. Use the result as a
// MessageListing's Sent and Header.
func CyrusEnvelope(h []byte, recv time.Time) (sent time.Time, shown mail.Header) {
	hdr := msgheader.ParseHeader(h)
	shown = mail.Header{}
	for _, key := range []string{"From", "To", "Cc", "Bcc"} {
		if v, _ := hdr.Get(key); v != "" {
			shown[key] = []string{cyrusAddresses(v)}
		}
	}
	if subj, ok := hdr.Get("Subject"); ok {
		shown["Subject"] = []string{imapString(subj)}
	} else {
		shown["Subject"] = []string{"NIL"}
	}
	return sentDay(hdr, recv), shown
}

// sentDay is the Date: header's calendar day (as written, in its own
// zone) at local midnight, or the arrival day when the header is missing
// or unreadable: Cyrus keeps sent dates to the day.
func sentDay(h msgheader.Header, recv time.Time) time.Time {
	v, _ := h.Get("Date")
	d, err := mail.ParseDate(v)
	if err != nil {
		d = recv.Local()
	}
	return time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, time.Local)
}

// cyrusAddresses writes an address list as Cyrus's cache keeps it, group
// members in the list; a value without any address is shown as written.
func cyrusAddresses(v string) string {
	var parts []string
	for _, a := range msgheader.ParseAddressList(v) {
		switch {
		case a.Kind != msgheader.KindMailbox:
		case a.Name != "":
			parts = append(parts, fmt.Sprintf("%s <%s>", a.Name, a.Addr()))
		default:
			parts = append(parts, "<"+a.Addr()+">")
		}
	}
	if len(parts) == 0 {
		return strings.TrimSpace(v)
	}
	return strings.Join(parts, ", ")
}

// imapString quotes s as an IMAP quoted string, or makes it a literal
// when it holds bytes a quoted string cannot.
func imapString(s string) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c == '\r' || c == '\n' || c == 0 || c >= 0x80 {
			return fmt.Sprintf("{%d}\r\n%s", len(s), s)
		}
	}
	return `"` + quotedEscaper.Replace(s) + `"`
}

var quotedEscaper = strings.NewReplacer(`\`, `\\`, `"`, `\"`)
