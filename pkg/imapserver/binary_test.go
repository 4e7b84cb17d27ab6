package imapserver

import (
	"bytes"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"gocyrus/internal/testseed"
)

// The messages of test/compat/fixtures/binary-append.txt, appended to real
// Cyrus 3.6.1 with literal8.
const (
	binMultiNUL = "From: a@b\r\nSubject: bin\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"XX\"\r\n\r\n" +
		"--XX\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: binary\r\n\r\n" +
		"ab\x00c\nd\n\r\n--XX--\r\n"
	binMultiLF = "From: a@b\r\nSubject: bin2\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"XX\"\r\n\r\n" +
		"--XX\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: binary\r\n\r\n" +
		"abcd\ne\n\r\n--XX--\r\n"
	bin7bitNUL = "From: a@b\r\nSubject: bin3\r\n\r\nhello\x00world\nline2\r\n"
	binTop     = "From: a@b\r\nSubject: bin4\r\nMIME-Version: 1.0\r\nContent-Transfer-Encoding: binary\r\n\r\nx\x00y\nz\n"
)

// cyrusBodies reads BODY[] of each message from the Cyrus fixture.
func cyrusBodies(t *testing.T) map[int]string {
	t.Helper()
	data, err := os.ReadFile("../../test/compat/fixtures/binary-append.txt")
	if err != nil {
		t.Fatal(err)
	}
	re := regexp.MustCompile(`S: \* (\d+) FETCH \(BODY\[\] \{(\d+)\}\r\n`)
	out := map[int]string{}
	for _, m := range re.FindAllSubmatchIndex(data, -1) {
		seq, _ := strconv.Atoi(string(data[m[2]:m[3]]))
		n, _ := strconv.Atoi(string(data[m[4]:m[5]]))
		out[seq] = string(data[m[1] : m[1]+n])
	}
	if len(out) != 3 {
		t.Fatalf("fixture: %d BODY[] answers, want 3 (messages 1, 2, 4)", len(out))
	}
	return out
}

func appendLiteral8(t *testing.T, c *conv, msg string) {
	t.Helper()
	c.ok("APPEND INBOX ~{" + itoa(len(msg)) + "+}\r\n" + msg)
}

// TestBinaryAppendKeepsBytes: a part with Content-Transfer-Encoding binary
// appended in a literal8 is stored base64 (as Cyrus stores it, byte for
// byte) and BINARY[1] gives back exactly the bytes sent, bare LF and NUL
// included; RFC822.SIZE is the size of BODY[].
func TestBinaryAppendKeepsBytes(t *testing.T) {
	s := newTestSite(t)
	a := s.login("alice")
	cyrus := cyrusBodies(t)
	for _, m := range []string{binMultiNUL, binMultiLF, bin7bitNUL, binTop} {
		appendLiteral8(t, a, m)
	}
	a.ok("SELECT INBOX")
	for _, tc := range []struct {
		seq       int
		binary    string // BINARY[1] as answered
		partial   string // BINARY[1]<2.3>
		fromCyrus bool   // BODY[] must equal Cyrus's
	}{
		{1, "BINARY[1] ~{7}\r\nab\x00c\nd\n", "BINARY[1]<2> ~{3}\r\n\x00c\n", true},
		{2, "BINARY[1] {7}\r\nabcd\ne\n", "BINARY[1]<2> {3}\r\ncd\n", true},
		// Cyrus keeps this 7bit part as sent (and serves BODY[] as a
		// literal8, which RFC 3516 forbids); we store it base64 with its
		// line ends made CRLF (man/man8/imapd.8, DIFFERENCES).
		{3, "BINARY[1] ~{20}\r\nhello\x00world\r\nline2\r\n", "BINARY[1]<2> {3}\r\nllo", false},
		{4, "BINARY[1] ~{6}\r\nx\x00y\nz\n", "BINARY[1]<2> {3}\r\ny\nz", true},
	} {
		seq := itoa(tc.seq)
		body := a.ok("FETCH " + seq + " BODY.PEEK[]")[0]
		lit, ok := strings.CutPrefix(body, "* "+seq+" FETCH (BODY[] {")
		if !ok {
			t.Fatalf("message %d: BODY[] not an ordinary literal: %q", tc.seq, body)
		}
		n, _ := strconv.Atoi(lit[:strings.IndexByte(lit, '}')])
		stored := lit[strings.Index(lit, "\r\n")+2:][:n]
		if strings.IndexByte(stored, 0) >= 0 {
			t.Errorf("message %d: BODY[] holds NUL: %q", tc.seq, stored)
		}
		if tc.fromCyrus && stored != cyrus[tc.seq] {
			t.Errorf("message %d stored as\n%q\nCyrus stores\n%q", tc.seq, stored, cyrus[tc.seq])
		}
		has(t, a.ok("FETCH "+seq+" RFC822.SIZE"), "* "+seq+" FETCH (RFC822.SIZE "+itoa(n)+")")
		want := tc.binary[strings.Index(tc.binary, "\r\n")+2:]
		has(t, a.ok("FETCH "+seq+" BINARY.SIZE[1]"), "* "+seq+" FETCH (BINARY.SIZE[1] "+itoa(len(want))+")")
		has(t, a.ok("FETCH "+seq+" BINARY.PEEK[1]"), "* "+seq+" FETCH ("+tc.binary+")")
		has(t, a.ok("FETCH "+seq+" BINARY.PEEK[1]<2.3>"), "* "+seq+" FETCH ("+tc.partial+")")
	}
}

// TestBinaryAppendRefused: what cannot be stored is refused with Cyrus's
// text and nothing is kept; the session goes on.
func TestBinaryAppendRefused(t *testing.T) {
	s := newTestSite(t)
	a := s.login("alice")
	for _, m := range []string{
		"From: a@b\r\nSubject: bi\x00n6\r\n\r\nbody\r\n", // NUL in a header (Cyrus: the same)
		"Content-Type: multipart/mixed; boundary=b\r\n\r\npre\x00amble\r\n--b\r\n\r\nx\r\n--b--\r\n",
		"Content-Transfer-Encoding: base64\r\n\r\nYW\x00Jj\r\n", // NUL cannot be part of base64
	} {
		a.expect("APPEND INBOX ~{"+itoa(len(m))+"+}\r\n"+m, "NO Message contains NUL characters")
	}
	deep := strings.Repeat("Content-Type: message/rfc822\r\n\r\n", 100) + "x\x00\r\n"
	a.expect("APPEND INBOX ~{"+itoa(len(deep))+"+}\r\n"+deep, "NO message cannot be stored")
	has(t, a.ok("STATUS INBOX (MESSAGES)"), "* STATUS INBOX (MESSAGES 0)")
	// literal8 where the grammar has no room for it.
	a.expect("SELECT ~{5+}\r\nINBOX", "BAD")
}

// TestBinaryAppendTruncated: a connection lost inside a literal8 stores
// nothing, and another session is unharmed.
func TestBinaryAppendTruncated(t *testing.T) {
	s := newTestSite(t)
	a := s.login("alice")
	a.write("t1 APPEND INBOX ~{100+}\r\nSubject: x\r\n\r\n\x00ab")
	a.c.Close()
	b := s.login("alice")
	has(t, b.ok("STATUS INBOX (MESSAGES)"), "* STATUS INBOX (MESSAGES 0)")
	appendLiteral8(t, b, binTop)
	has(t, b.ok("STATUS INBOX (MESSAGES)"), "* STATUS INBOX (MESSAGES 1)")
}

// TestBinaryAppendLarge: a literal8 over the in-memory limit (spooled,
// rewritten in a stream) keeps its binary part exactly, in a MULTIAPPEND
// with a small one.
func TestBinaryAppendLarge(t *testing.T) {
	r := testseed.Rand(t)
	payload := make([]byte, 3<<20)
	for i := range payload {
		payload[i] = byte(r.UintN(256))
	}
	payload[10] = 0
	big := "Subject: big\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"=b\"\r\n\r\n" +
		"--=b\r\nContent-Type: text/plain\r\n\r\nhello\nworld\r\n" +
		"--=b\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: binary\r\n\r\n" +
		string(payload) + "\r\n--=b--\r\n"
	s := newTestSite(t)
	a := s.login("alice")
	a.ok("APPEND INBOX ~{" + itoa(len(binTop)) + "+}\r\n" + binTop + " ~{" + itoa(len(big)) + "+}\r\n" + big)
	a.ok("SELECT INBOX")
	has(t, a.ok("FETCH 2 BINARY.SIZE[2]"), "* 2 FETCH (BINARY.SIZE[2] "+itoa(len(payload))+")")
	got := a.ok("FETCH 2 BINARY.PEEK[2]")[0]
	want := "* 2 FETCH (BINARY[2] ~{" + itoa(len(payload)) + "}\r\n" + string(payload) + ")"
	if got != want {
		t.Fatalf("BINARY[2] differs from what was sent (%d bytes answered)", len(got))
	}
	has(t, a.ok("FETCH 2 BINARY.PEEK[1]"), "* 2 FETCH (BINARY[1] {12}\r\nhello\r\nworld)")
	body := a.ok("FETCH 2 BODY.PEEK[]")[0]
	if bytes.IndexByte([]byte(body), 0) >= 0 {
		t.Fatal("BODY[] holds NUL")
	}
}
