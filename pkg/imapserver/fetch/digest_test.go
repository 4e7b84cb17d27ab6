package fetch

import (
	"os"
	"strings"
	"testing"
)

// The parts of pkg/mailbox/testdata/digest.eml (see its README).
const (
	digestP1Header = "From: Alice <alice@example.com>\r\nSubject: first\r\nDate: Mon, 4 Mar 2024 09:00:00 +0000\r\n\r\n"
	digestP1Text   = "First message body."
	digestP1       = digestP1Header + digestP1Text
	digestP2MIME   = "Content-Type: text/plain\r\n\r\n"
	digestP2       = "Explicit text part inside the digest."
	digestP3Header = "From: Bob <bob@example.com>\r\nSubject: second, multipart\r\n" +
		"Content-Type: multipart/mixed; boundary=\"m1\"\r\n\r\n"
	digestP31      = "Mixed part without a type: text/plain."
	digestP3Text   = "--m1\r\n\r\n" + digestP31 + "\r\n--m1--"
	digestP3       = digestP3Header + digestP3Text
	digestP41Head  = "From: Carol <carol@example.com>\r\nSubject: nested\r\n\r\n"
	digestP41Text  = "Nested digest message."
	digestP41      = digestP41Head + digestP41Text
	digestP4       = "--d2\r\n\r\n" + digestP41 + "\r\n--d2--"
	digestPartMIME = "\r\n" // an untyped digest part's header: the blank line alone
)

func readDigest(t *testing.T) string {
	t.Helper()
	raw, err := os.ReadFile("../../mailbox/testdata/digest.eml")
	if err != nil {
		t.Fatal(err)
	}
	return string(raw)
}

// TestDigestBodyStructure: the untyped parts of a multipart/digest, nested
// digests included, are MESSAGE/RFC822 with their envelope and body
// structure (RFC 2046 §5.1.5); an explicit text/plain stays text, and an
// untyped part of a multipart/mixed inside a digest message is text.
func TestDigestBodyStructure(t *testing.T) {
	b := newBox(t, readDigest(t))
	n := func(s string) string { return itoa(len(s)) }
	lines := func(s string) string { return itoa(strings.Count(s, "\n")) } // line breaks: none ends with LF
	addr := func(a string) string { return "(" + a + ")" + " (" + a + ")" + " (" + a + ")" }
	want := `BODYSTRUCTURE (` +
		`("MESSAGE" "RFC822" NIL NIL NIL "7BIT" ` + n(digestP1) + ` ` +
		`("Mon, 4 Mar 2024 09:00:00 +0000" "first" ` + addr(`("Alice" NIL "alice" "example.com")`) + ` NIL NIL NIL NIL NIL) ` +
		`("TEXT" "PLAIN" ("CHARSET" "us-ascii") NIL NIL "7BIT" ` + n(digestP1Text) + ` 0 NIL NIL NIL NIL) ` +
		lines(digestP1) + ` NIL NIL NIL NIL)` +
		`("TEXT" "PLAIN" NIL NIL NIL "7BIT" ` + n(digestP2) + ` 0 NIL NIL NIL NIL)` +
		`("MESSAGE" "RFC822" NIL NIL NIL "7BIT" ` + n(digestP3) + ` ` +
		`(NIL "second, multipart" ` + addr(`("Bob" NIL "bob" "example.com")`) + ` NIL NIL NIL NIL NIL) ` +
		`(("TEXT" "PLAIN" ("CHARSET" "us-ascii") NIL NIL "7BIT" ` + n(digestP31) + ` 0 NIL NIL NIL NIL)` +
		` "MIXED" ("BOUNDARY" "m1") NIL NIL NIL) ` +
		lines(digestP3) + ` NIL NIL NIL NIL)` +
		`(("MESSAGE" "RFC822" NIL NIL NIL "7BIT" ` + n(digestP41) + ` ` +
		`(NIL "nested" ` + addr(`("Carol" NIL "carol" "example.com")`) + ` NIL NIL NIL NIL NIL) ` +
		`("TEXT" "PLAIN" ("CHARSET" "us-ascii") NIL NIL "7BIT" ` + n(digestP41Text) + ` 0 NIL NIL NIL NIL) ` +
		lines(digestP41) + ` NIL NIL NIL NIL)` +
		` "DIGEST" ("BOUNDARY" "d2") NIL NIL NIL)` +
		` "DIGEST" ("BOUNDARY" "d1") NIL NIL NIL)`
	got, _, err := render(b.message(0), parseItems(t, "BODYSTRUCTURE"))
	if err != nil {
		t.Fatal(err)
	}
	if got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}

// TestDigestSections: the sections of an untyped digest part are those of
// the message it holds, from the cache's mailbox and from the bare file
// alike (the walker and the body structure follow one rule).
func TestDigestSections(t *testing.T) {
	raw := readDigest(t)
	b := newBox(t, raw)
	tests := []struct{ item, value string }{
		{"BODY[1]", digestP1},
		{"BODY[1.MIME]", digestPartMIME},
		{"BODY[1.HEADER]", digestP1Header},
		{"BODY[1.TEXT]", digestP1Text},
		{"BODY[1.HEADER.FIELDS (subject)]", "Subject: first\r\n\r\n"},
		{"BODY[1.1]", digestP1Text},
		{"BODY[1.1.MIME]", digestP1Header},
		{"BODY[1.2]", ""},
		{"BINARY[1.1]", digestP1Text},
		// An explicit text/plain in a digest stays text: no HEADER, no 2.1.
		{"BODY[2]", digestP2},
		{"BODY[2.MIME]", digestP2MIME},
		{"BODY[2.HEADER]", ""},
		{"BODY[2.TEXT]", ""},
		{"BODY[2.1]", ""},
		// A digest message whose body is multipart/mixed: its untyped part is text.
		{"BODY[3.HEADER]", digestP3Header},
		{"BODY[3.TEXT]", digestP3Text},
		{"BODY[3.1]", digestP31},
		{"BODY[3.1.MIME]", digestPartMIME},
		{"BODY[3.1.HEADER]", ""},
		{"BODY[3.2]", ""},
		// A nested digest: its untyped part is a message too.
		{"BODY[4]", digestP4},
		{"BODY[4.HEADER]", ""},
		{"BODY[4.1]", digestP41},
		{"BODY[4.1.MIME]", digestPartMIME},
		{"BODY[4.1.HEADER]", digestP41Head},
		{"BODY[4.1.TEXT]", digestP41Text},
		{"BODY[4.1.1]", digestP41Text},
		{"BODY[4.1.1.MIME]", digestP41Head},
		{"BODY[4.2]", ""},
	}
	for _, src := range []struct {
		name string
		m    *Message
	}{{"mailbox", b.message(0)}, {"file", fileMessage(t, []byte(raw))}} {
		for _, tt := range tests {
			got, _, err := render(src.m, parseItems(t, tt.item))
			if err != nil {
				t.Errorf("%s %s: %v", src.name, tt.item, err)
				continue
			}
			if want := tt.item + " " + lit(tt.value); got != want {
				t.Errorf("%s %s:\ngot  %q\nwant %q", src.name, tt.item, got, want)
			}
		}
	}
}
