package tool

import (
	"bytes"
	"net/mail"
	"strings"
	"testing"
	"time"
)

func TestWriteMessageListing(t *testing.T) {
	d := time.Date(2026, 11, 2, 9, 5, 7, 0, time.Local)
	var b bytes.Buffer
	WriteMessageListing(&b, MessageListing{UID: 7, Size: 42, Sent: d, Recv: d, Expunged: d,
		Header: mail.Header{"From": {"a@example.org"}, "Subject": {"hi"}}})
	want := "UID: 7\n\tSize: 42\n\tSent: Mon Nov  2 09:05:07 2026\n\tRecv: Mon Nov  2 09:05:07 2026\n" +
		"\tExpg: Mon Nov  2 09:05:07 2026\n\tFrom: a@example.org\n\tTo  : \n\tCc  : \n\tBcc : \n\tSubj: hi\n\n"
	if b.String() != want {
		t.Errorf("listing:\n%q\nwant\n%q", b.String(), want)
	}
	b.Reset()
	WriteMessageListing(&b, MessageListing{UID: 1, Recv: d, HeaderError: "ERROR: gone"})
	if s := b.String(); !strings.Contains(s, "\tSent: "+time.Unix(0, 0).Local().Format(time.ANSIC)+"\n") ||
		strings.Contains(s, "Expg") || !strings.HasSuffix(s, "\tERROR: gone\n\n") {
		t.Errorf("listing without header or date:\n%q", s)
	}
}
