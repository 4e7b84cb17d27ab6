package imapserver

import (
	"strings"
	"testing"
)

// previewHTML is the second message of the Cyrus 3.6.1 capture
// (test/compat/fixtures/objectid-savedate-preview.txt), where Cyrus
// answered PREVIEW NIL.
const previewHTML = "From: a@example.com\r\nSubject: html\r\nMIME-Version: 1.0\r\n" +
	"Content-Type: multipart/alternative; boundary=b\r\n\r\n--b\r\n" +
	"Content-Type: text/html; charset=iso-8859-1\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n" +
	"<html><head><title>T</title><style>p{}</style></head><body><p>Caf=E9 &amp; <b>bold</b></p>\r\n" +
	"<p>next</p></body></html>\r\n--b--\r\n"

// TestPreview: FETCH PREVIEW and PREVIEW (LAZY) (RFC 8970) answer the
// decoded, collapsed start of the first text part, without setting \Seen;
// unknown modifiers are BAD.
func TestPreview(t *testing.T) {
	site := newTestSite(t)
	a := site.login("alice")
	if caps := hasPrefix(t, a.ok("CAPABILITY"), "* CAPABILITY "); !strings.Contains(caps+" ", " PREVIEW ") {
		t.Fatalf("PREVIEW not advertised: %s", caps)
	}
	a.ok("APPEND INBOX {" + itoa(len(objectIDMessage)) + "+}\r\n" + objectIDMessage)
	a.ok("APPEND INBOX {" + itoa(len(previewHTML)) + "+}\r\n" + previewHTML)
	a.ok("APPEND INBOX {" + itoa(len("Content-Type: image/png\r\n\r\nPNG\r\n")) + "+}\r\nContent-Type: image/png\r\n\r\nPNG\r\n")
	a.ok("SELECT INBOX")
	u := a.ok("FETCH 1:3 (PREVIEW)")
	has(t, u, `* 1 FETCH (PREVIEW "Hello world, this is a preview test.")`)
	has(t, u, "* 2 FETCH (PREVIEW {17}\r\nCafé & bold next)")
	has(t, u, `* 3 FETCH (PREVIEW "")`)
	has(t, a.ok("UID FETCH 1 (UID PREVIEW (LAZY) FLAGS)"), `* 1 FETCH (UID 1 PREVIEW "Hello world, this is a preview test." FLAGS (\Recent))`)
	has(t, a.ok("FETCH 1 PREVIEW (LAZY)"), `* 1 FETCH (PREVIEW "Hello world, this is a preview test.")`)
	has(t, a.ok("FETCH 1 PREVIEW"), `* 1 FETCH (PREVIEW "Hello world, this is a preview test.")`)
	has(t, a.ok("FETCH 1 FLAGS"), `* 1 FETCH (FLAGS (\Recent))`) // PREVIEW does not set \Seen
	a.expect("FETCH 1 (PREVIEW (LAZY BOGUS))", "BAD")
	a.expect("FETCH 1 (PREVIEW (BOGUS))", "BAD")
	a.expect("FETCH 1 PREVIEW (BOGUS)", "BAD")
}
