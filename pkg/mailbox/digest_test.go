package mailbox

import (
	"os"
	"testing"
)

// TestDigestBodyStructure: the body parts of a multipart/digest without a
// Content-Type (or with one that does not parse) are message/rfc822 (RFC
// 2046 §5.1.5), with the envelope and body structure of the message they
// hold, in nested digests too; an explicit text/plain stays text, and the
// default inside a digest's message is text/plain again. The cache entry
// keeps all of it.
func TestDigestBodyStructure(t *testing.T) {
	raw, err := os.ReadFile("testdata/digest.eml")
	if err != nil {
		t.Fatal(err)
	}
	p := parseMessage(raw)
	c, err := decodeCached(encodeCached(&p.cached))
	if err != nil {
		t.Fatal(err)
	}
	type want struct {
		path          []int // indexes into Parts; -1 steps into Message
		typ, subtype  string
		subject       string // of the envelope, message/rfc822 only
		params, lines int
	}
	for _, w := range []want{
		{nil, "multipart", "digest", "", 1, 0},
		{[]int{0}, "message", "rfc822", "first", 0, 4},
		{[]int{0, -1}, "text", "plain", "", 1, 0},
		{[]int{1}, "text", "plain", "", 0, 0},
		{[]int{2}, "message", "rfc822", "second, multipart", 0, 7},
		{[]int{2, -1}, "multipart", "mixed", "", 1, 0},
		{[]int{2, -1, 0}, "text", "plain", "", 1, 0},
		{[]int{3}, "multipart", "digest", "", 1, 0},
		{[]int{3, 0}, "message", "rfc822", "nested", 0, 3},
		{[]int{3, 0, -1}, "text", "plain", "", 1, 0},
	} {
		for _, bs := range []*BodyStructure{p.cached.Body, c.Body} {
			for _, i := range w.path {
				switch {
				case bs == nil:
				case i < 0:
					bs = bs.Message
				case i < len(bs.Parts):
					bs = bs.Parts[i]
				default:
					bs = nil
				}
			}
			if bs == nil {
				t.Errorf("%v: no such part", w.path)
				continue
			}
			subject := ""
			if bs.Envelope != nil {
				subject = bs.Envelope.Subject
			}
			if bs.Type != w.typ || bs.Subtype != w.subtype || subject != w.subject ||
				len(bs.Params) != w.params || int(bs.Lines) != w.lines {
				t.Errorf("%v: %s/%s subject %q %d params %d lines, want %s/%s %q %d params %d lines",
					w.path, bs.Type, bs.Subtype, subject, len(bs.Params), bs.Lines,
					w.typ, w.subtype, w.subject, w.params, w.lines)
			}
		}
	}
}

// TestDigestUnparsableType: a digest part whose Content-Type does not
// parse takes the digest's default, as one without the field does.
func TestDigestUnparsableType(t *testing.T) {
	raw := "Content-Type: multipart/digest; boundary=b\r\n\r\n" +
		"--b\r\nContent-Type: bogus\r\n\r\nSubject: one\r\n\r\nx\r\n" +
		"--b\r\nContent-Type: ;;; charset=x\r\n\r\nSubject: two\r\n\r\ny\r\n--b--\r\n"
	p := parseMessage([]byte(raw))
	if n := len(p.cached.Body.Parts); n != 2 {
		t.Fatalf("%d parts, want 2", n)
	}
	for i, subject := range []string{"one", "two"} {
		bs := p.cached.Body.Parts[i]
		if bs.Type != "message" || bs.Subtype != "rfc822" || bs.Envelope == nil || bs.Envelope.Subject != subject {
			t.Errorf("part %d: %s/%s envelope %+v, want message/rfc822 %q", i+1, bs.Type, bs.Subtype, bs.Envelope, subject)
		}
	}
}
