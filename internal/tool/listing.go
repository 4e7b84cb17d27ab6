package tool

import (
	"fmt"
	"io"
	"net/mail"
	"time"
)

// MessageListing is one message as Cyrus's ipurge -n and unexpunge -l
// describe it.
type MessageListing struct {
	UID        uint32
	Size       uint32
	Sent, Recv time.Time // a zero Sent prints as the epoch, Cyrus's sentdate 0
	Expunged   time.Time // zero: no "Expg:" line
	Header     mail.Header
	// HeaderError, when Header is nil, is the line printed instead of the
	// addressing headers and subject.
	HeaderError string
}

// WriteMessageListing writes m in Cyrus's layout: dates as ctime(3) prints
// them, then the addressing headers and subject as stored.
func WriteMessageListing(w io.Writer, m MessageListing) {
	if m.Sent.IsZero() {
		m.Sent = time.Unix(0, 0)
	}
	fmt.Fprintf(w, "UID: %d\n", m.UID)
	fmt.Fprintf(w, "\tSize: %d\n", m.Size)
	fmt.Fprintf(w, "\tSent: %s\n", ctime(m.Sent))
	fmt.Fprintf(w, "\tRecv: %s\n", ctime(m.Recv))
	if !m.Expunged.IsZero() {
		fmt.Fprintf(w, "\tExpg: %s\n", ctime(m.Expunged))
	}
	if m.Header == nil {
		fmt.Fprintf(w, "\t%s\n\n", m.HeaderError)
		return
	}
	fmt.Fprintf(w, "\tFrom: %s\n", m.Header.Get("From"))
	fmt.Fprintf(w, "\tTo  : %s\n", m.Header.Get("To"))
	fmt.Fprintf(w, "\tCc  : %s\n", m.Header.Get("Cc"))
	fmt.Fprintf(w, "\tBcc : %s\n", m.Header.Get("Bcc"))
	fmt.Fprintf(w, "\tSubj: %s\n\n", m.Header.Get("Subject"))
}

func ctime(t time.Time) string { return t.Local().Format(time.ANSIC) }
