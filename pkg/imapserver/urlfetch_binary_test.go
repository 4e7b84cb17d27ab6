package imapserver

import (
	"strings"
	"testing"
)

// urlBinaryMessage has the shape of RFC 5524 §4's example: part 1.2 is
// "Si vis pacem, para bellum." in base64, part 2 binary bytes with NUL,
// part 3 an encoding nobody knows.
const urlBinaryMessage = "From: joe@example.com\r\nTo: fred@example.com\r\nSubject: parts\r\nMIME-Version: 1.0\r\n" +
	"Content-Type: multipart/mixed; boundary=\"outer\"\r\n\r\n" +
	"--outer\r\nContent-Type: multipart/alternative; boundary=\"inner\"\r\n\r\n" +
	"--inner\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\nHello\r\n" +
	"--inner\r\nContent-Type: text/plain; charset=us-ascii\r\nContent-Transfer-Encoding: base64\r\n\r\n" +
	"U2kgdmlzIHBhY2VtLCBwYXJhIGJlbGx1bS4NCg==\r\n--inner--\r\n" +
	"--outer\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\nAAECAw==\r\n" +
	"--outer\r\nContent-Type: application/x-odd\r\nContent-Transfer-Encoding: x-unknown\r\n\r\nzzz\r\n" +
	"--outer--\r\n"

// TestURLFetchBinary: RFC 5524 — URLAUTH=BINARY is advertised; URLFETCH
// with ("url" BINARY) answers the decoded part (literal8 when it holds
// NUL), BODYPARTSTRUCTURE the part's BODYSTRUCTURE, BODY (or no
// parameter) the part as stored; a part BINARY cannot decode, or that is
// not there, is NIL; BINARY with BODY and unknown parameters are BAD.
func TestURLFetchBinary(t *testing.T) {
	s := newTestSite(t, "submitservers", "bob")
	s.deliver("user.alice", urlBinaryMessage)
	a := s.login("alice")
	if c := a.ok("CAPABILITY")[0]; !strings.Contains(c, " URLAUTH=BINARY ") {
		t.Fatalf("URLAUTH=BINARY not advertised: %q", c)
	}
	url := func(section string) string {
		rump := "imap://alice@imap.test/INBOX/;uid=1"
		if section != "" {
			rump += "/;section=" + section
		}
		return genURLAuth(t, a, rump+";urlauth=submit+alice")
	}
	submit := s.login("bob")
	fetch1 := func(arg string) string {
		t.Helper()
		u := submit.ok("URLFETCH " + arg)
		if len(u) != 1 {
			t.Fatalf("URLFETCH %s: %q", arg, u)
		}
		return u[0]
	}
	u12 := url("1.2")
	// RFC 5524 §4: BINARY decodes the base64.
	if got, want := fetch1(`("`+u12+`" BINARY)`), `* URLFETCH "`+u12+`" (BINARY {28}`+"\r\nSi vis pacem, para bellum.\r\n)"; got != want {
		t.Fatalf("BINARY:\n got %q\nwant %q", got, want)
	}
	// 0 lines: the CRLF before "--inner--" belongs to the boundary (RFC 2046
	// §5.1.1), as FETCH BODYSTRUCTURE counts.
	if got, want := fetch1(`("`+u12+`" BODYPARTSTRUCTURE)`), `* URLFETCH "`+u12+`" (BODYPARTSTRUCTURE ("TEXT" "PLAIN" ("CHARSET" "us-ascii") NIL NIL "BASE64" 40 0 NIL NIL NIL NIL))`; got != want {
		t.Fatalf("BODYPARTSTRUCTURE:\n got %q\nwant %q", got, want)
	}
	stored := "U2kgdmlzIHBhY2VtLCBwYXJhIGJlbGx1bS4NCg=="
	if got, want := fetch1(`("`+u12+`" BODYPARTSTRUCTURE BODY)`), `* URLFETCH "`+u12+`" (BODYPARTSTRUCTURE ("TEXT" "PLAIN" ("CHARSET" "us-ascii") NIL NIL "BASE64" 40 0 NIL NIL NIL NIL) BODY {40}`+"\r\n"+stored+")"; got != want {
		t.Fatalf("BODYPARTSTRUCTURE BODY:\n got %q\nwant %q", got, want)
	}
	// No parameter is BODY; the plain form is unchanged.
	if got, want := fetch1(`("`+u12+`")`), `* URLFETCH "`+u12+`" (BODY {40}`+"\r\n"+stored+")"; got != want {
		t.Fatalf("no parameter:\n got %q\nwant %q", got, want)
	}
	if got, want := fetch1(`"`+u12+`"`), `* URLFETCH "`+u12+`" {40}`+"\r\n"+stored; got != want {
		t.Fatalf("plain URLFETCH:\n got %q\nwant %q", got, want)
	}
	// NUL in the decoded part: literal8.
	u2 := url("2")
	if got, want := fetch1(`("`+u2+`" BINARY)`), `* URLFETCH "`+u2+`" (BINARY ~{4}`+"\r\n\x00\x01\x02\x03)"; got != want {
		t.Fatalf("BINARY with NUL:\n got %q\nwant %q", got, want)
	}
	// The whole message's BODYPARTSTRUCTURE is its BODYSTRUCTURE.
	whole := url("")
	a.ok("SELECT INBOX")
	bs := hasPrefix(t, a.ok("FETCH 1 BODYSTRUCTURE"), "* 1 FETCH (BODYSTRUCTURE ")
	bs = strings.TrimSuffix(strings.TrimPrefix(bs, "* 1 FETCH (BODYSTRUCTURE "), ")")
	if got, want := fetch1(`("`+whole+`" BODYPARTSTRUCTURE)`), `* URLFETCH "`+whole+`" (BODYPARTSTRUCTURE `+bs+")"; got != want {
		t.Fatalf("whole message:\n got %q\nwant %q", got, want)
	}
	// An unknown encoding under BINARY, a part that is not there: NIL,
	// and the other URLs of the command are still answered.
	u3, u9 := url("3"), url("9")
	u := submit.ok(`URLFETCH ("` + u3 + `" BINARY) ("` + u9 + `" BODYPARTSTRUCTURE) "` + u12 + `"`)
	if want := `* URLFETCH "` + u3 + `" NIL "` + u9 + `" NIL "` + u12 + `" {40}` + "\r\n" + stored; len(u) != 1 || u[0] != want {
		t.Fatalf("NIL answers:\n got %q\nwant %q", u, want)
	}
	for _, arg := range []string{`("` + u12 + `" BINARY BODY)`, `("` + u12 + `" BOGUS)`, `("` + u12 + `" BINARY`, `()`, `("` + u12 + `" (BINARY))`} {
		submit.expect("URLFETCH "+arg, "BAD")
	}
}
