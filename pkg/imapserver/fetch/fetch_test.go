package fetch

import (
	"bytes"
	"errors"
	"os"
	"strings"
	"testing"

	"gocyrus/pkg/imapserver/wire"
)

func TestSimpleItems(t *testing.T) {
	b := newBox(t, rfc3501Message)
	m := b.message(0)
	got, seen, err := render(m, parseItems(t, "UID FLAGS INTERNALDATE RFC822.SIZE MODSEQ THREADID"))
	if err != nil {
		t.Fatal(err)
	}
	want := `UID 1 FLAGS (\Seen $Forwarded) INTERNALDATE " 2-Jan-2024 03:04:05 +0100" RFC822.SIZE ` +
		itoa(len(rfc3501Message)) + ` MODSEQ (` + itoa(int(m.Record.ModSeq)) + `) THREADID NIL`
	if got != want || seen {
		t.Errorf("got  %q seen=%v\nwant %q", got, seen, want)
	}
	got, _, err = render(m, parseItems(t, "EMAILID SAVEDATE"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(got, "EMAILID (M") || len(got) != len("EMAILID (M)")+24+len(` SAVEDATE " 2-Jan-2024 03:04:05 +0100"`) {
		t.Errorf("EMAILID/SAVEDATE: %q", got)
	}
}

// TestEnvelopeAndBodyRFC3501 is RFC 3501 §7.4.2's example, except that
// addresses follow one another without a space, as the formal syntax
// (env-cc = "(" 1*address ")") and Cyrus have it.
func TestEnvelopeAndBodyRFC3501(t *testing.T) {
	b := newBox(t, rfc3501Message)
	got, _, err := render(b.message(0), parseItems(t, "ENVELOPE BODY"))
	if err != nil {
		t.Fatal(err)
	}
	want := `ENVELOPE ("Wed, 17 Jul 1996 02:23:25 -0700 (PDT)" "IMAP4rev1 WG mtg summary and minutes" ` +
		`(("Terry Gray" NIL "gray" "cac.washington.edu")) (("Terry Gray" NIL "gray" "cac.washington.edu")) ` +
		`(("Terry Gray" NIL "gray" "cac.washington.edu")) ((NIL NIL "imap" "cac.washington.edu")) ` +
		`((NIL NIL "minutes" "CNRI.Reston.VA.US")("John Klensin" NIL "KLENSIN" "MIT.EDU")) NIL NIL ` +
		`"<B27397-0100000@cac.washington.edu>") ` +
		`BODY ("TEXT" "PLAIN" ("CHARSET" "US-ASCII") NIL NIL "7BIT" ` + itoa(len(rfc3501Body)) + ` 2)`
	if got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}

func TestEnvelopeEncodesNonASCII(t *testing.T) {
	msg := crlf("From: =?utf-8?q?Andr=C3=A9?= <andre@example.com>\nSubject: =?iso-8859-1?q?caf=E9?=\n\nx\n")
	b := newBox(t, msg)
	got, _, err := render(b.message(0), parseItems(t, "ENVELOPE"))
	if err != nil {
		t.Fatal(err)
	}
	want := `ENVELOPE (NIL "=?utf-8?q?caf=C3=A9?=" (("=?utf-8?q?Andr=C3=A9?=" NIL "andre" "example.com")) ` +
		`(("=?utf-8?q?Andr=C3=A9?=" NIL "andre" "example.com")) (("=?utf-8?q?Andr=C3=A9?=" NIL "andre" "example.com")) ` +
		`NIL NIL NIL NIL NIL)`
	if got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}

func TestBodyStructureNested(t *testing.T) {
	b := newBox(t, nestedMessage)
	got, _, err := render(b.message(0), parseItems(t, "BODYSTRUCTURE"))
	if err != nil {
		t.Fatal(err)
	}
	n := func(s string) string { return itoa(len(s)) }
	lines := func(s string) string { return itoa(strings.Count(s, "\n")) }
	want := `BODYSTRUCTURE (` +
		`("TEXT" "PLAIN" ("CHARSET" "us-ascii") NIL NIL "7BIT" ` + n(part1) + ` ` + lines(part1) + ` NIL NIL NIL NIL)` +
		`(("TEXT" "PLAIN" ("CHARSET" "utf-8") NIL NIL "QUOTED-PRINTABLE" ` + n(part21) + ` ` + lines(part21) + ` NIL NIL NIL NIL)` +
		`("TEXT" "HTML" ("CHARSET" "utf-8") NIL NIL "BASE64" ` + n(part22) + ` ` + lines(part22) + ` NIL NIL NIL NIL)` +
		` "ALTERNATIVE" ("BOUNDARY" "alt") NIL NIL NIL)` +
		`("MESSAGE" "RFC822" NIL NIL NIL "7BIT" ` + n(part3) + ` ` +
		`("Tue, 1 Feb 2022 10:00:00 +0000" "forwarded" (("Inner Person" NIL "inner" "example.net")) ` +
		`(("Inner Person" NIL "inner" "example.net")) (("Inner Person" NIL "inner" "example.net")) NIL NIL NIL NIL NIL) ` +
		`(("TEXT" "PLAIN" ("CHARSET" "us-ascii") NIL NIL "7BIT" ` + n(part31) + ` ` + lines(part31) + ` NIL NIL NIL NIL)` +
		`("APPLICATION" "OCTET-STREAM" NIL NIL NIL "BASE64" ` + n(part32) + ` NIL NIL NIL NIL)` +
		` "MIXED" ("BOUNDARY" "in") NIL NIL NIL) ` + lines(part3) + ` NIL NIL NIL NIL)` +
		`("APPLICATION" "OCTET-STREAM" NIL NIL NIL "X-UUENCODE" ` + n(part4) + ` NIL NIL NIL NIL)` +
		` "MIXED" ("BOUNDARY" "outer") NIL NIL NIL)`
	if got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}

func TestBodySections(t *testing.T) {
	b := newBox(t, nestedMessage, rfc3501Message)
	nested, simple := b.message(0), b.message(1)
	tests := []struct {
		m     *Message
		item  string
		name  string // response item name
		value string
	}{
		{nested, "BODY[]", "BODY[]", nestedMessage},
		{nested, "RFC822", "RFC822", nestedMessage},
		{nested, "BODY[HEADER]", "BODY[HEADER]", nestedHeader},
		{nested, "RFC822.HEADER", "RFC822.HEADER", nestedHeader},
		{nested, "BODY[TEXT]", "BODY[TEXT]", nestedBody},
		{nested, "RFC822.TEXT", "RFC822.TEXT", nestedBody},
		{nested, "BODY[1]", "BODY[1]", part1},
		{nested, "BODY[1.MIME]", "BODY[1.MIME]", part1MIME},
		{nested, "BODY[2]", "BODY[2]", part2},
		{nested, "BODY[2.MIME]", "BODY[2.MIME]", part2MIME},
		{nested, "BODY[2.1]", "BODY[2.1]", part21},
		{nested, "BODY[2.1.MIME]", "BODY[2.1.MIME]", part21MIME},
		{nested, "BODY[2.2]", "BODY[2.2]", part22},
		{nested, "BODY[3]", "BODY[3]", part3},
		{nested, "BODY[3.MIME]", "BODY[3.MIME]", part3MIME},
		{nested, "BODY[3.HEADER]", "BODY[3.HEADER]", innerHeader},
		{nested, "BODY[3.TEXT]", "BODY[3.TEXT]", innerBody},
		{nested, "BODY[3.1]", "BODY[3.1]", part31},
		{nested, "BODY[3.1.MIME]", "BODY[3.1.MIME]", part31MIME},
		{nested, "BODY[3.2]", "BODY[3.2]", part32},
		{nested, "BODY[3.2.MIME]", "BODY[3.2.MIME]", part32MIME},
		{nested, "BODY[4]", "BODY[4]", part4},
		{nested, "BODY[3.HEADER.FIELDS (subject)]", "BODY[3.HEADER.FIELDS (subject)]", "Subject: forwarded\r\n\r\n"},
		{nested, "BODY[3.HEADER.FIELDS.NOT (subject Content-Type)]", "BODY[3.HEADER.FIELDS.NOT (subject Content-Type)]",
			crlf("From: Inner Person <inner@example.net>\nDate: Tue, 1 Feb 2022 10:00:00 +0000\n\n")},
		{nested, "BODY[HEADER.FIELDS (SUBJECT from)]", "BODY[HEADER.FIELDS (SUBJECT from)]",
			crlf("From: Fred Foo <fred@example.com>\nSubject: nested\n\n")},
		{nested, "BODY[HEADER.FIELDS (x-extra NOPE)]", "BODY[HEADER.FIELDS (x-extra NOPE)]", "X-Extra: yes\r\n\r\n"},
		{nested, "BODY[HEADER.FIELDS (NOPE)]", "BODY[HEADER.FIELDS (NOPE)]", "\r\n"},
		{nested, "BODY[HEADER.FIELDS.NOT (from to subject date message-id x-extra mime-version)]",
			"BODY[HEADER.FIELDS.NOT (from to subject date message-id x-extra mime-version)]",
			"Content-Type: multipart/mixed; boundary=\"outer\"\r\n\r\n"},
		// Sections that do not exist.
		{nested, "BODY[5]", "BODY[5]", ""},
		{nested, "BODY[2.3]", "BODY[2.3]", ""},
		{nested, "BODY[1.1]", "BODY[1.1]", ""},
		{nested, "BODY[1.HEADER]", "BODY[1.HEADER]", ""},
		{nested, "BODY[2.TEXT]", "BODY[2.TEXT]", ""},
		{nested, "BODY[3.3]", "BODY[3.3]", ""},
		{nested, "BODY[3.2.1]", "BODY[3.2.1]", ""},
		// A single-part message has part 1, its body.
		{simple, "BODY[1]", "BODY[1]", rfc3501Body},
		{simple, "BODY[1.MIME]", "BODY[1.MIME]", rfc3501Header},
		{simple, "BODY[2]", "BODY[2]", ""},
		{simple, "BODY[1.1]", "BODY[1.1]", ""},
		// Partials.
		{nested, "BODY[]<0.10>", "BODY[]<0>", nestedMessage[:10]},
		{nested, "BODY[1]<6.5>", "BODY[1]<6>", part1[6:11]},
		{nested, "BODY[1]<" + itoa(len(part1)-3) + ".100>", "BODY[1]<" + itoa(len(part1)-3) + ">", part1[len(part1)-3:]},
		{nested, "BODY[1]<" + itoa(len(part1)) + ".1>", "BODY[1]<" + itoa(len(part1)) + ">", ""},
		{nested, "BODY[1]<99999.1>", "BODY[1]<99999>", ""},
		{nested, "BODY.PEEK[HEADER.FIELDS (subject)]<3.5>", "BODY[HEADER.FIELDS (subject)]<3>", "ject:"},
		{nested, "BODY[5]<0.10>", "BODY[5]<0>", ""},
	}
	for _, tt := range tests {
		got, _, err := render(tt.m, parseItems(t, tt.item))
		if err != nil {
			t.Errorf("%s: %v", tt.item, err)
			continue
		}
		if want := tt.name + " " + lit(tt.value); got != want {
			t.Errorf("%s:\ngot  %q\nwant %q", tt.item, got, want)
		}
	}
}

func TestSeen(t *testing.T) {
	b := newBox(t, nestedMessage)
	for _, tt := range []struct {
		items string
		seen  bool
	}{
		{"BODY[]", true}, {"BODY.PEEK[]", false}, {"RFC822", true}, {"RFC822.TEXT", true},
		{"RFC822.HEADER", false}, {"BINARY[1]", true}, {"BINARY.PEEK[1]", false},
		{"BINARY.SIZE[1]", false}, {"UID ENVELOPE BODY BODYSTRUCTURE FLAGS", false},
		{"BODY.PEEK[1] BODY[2]<0.1>", true},
	} {
		_, seen, err := render(b.message(0), parseItems(t, tt.items))
		if err != nil || seen != tt.seen {
			t.Errorf("%s: seen=%v err=%v, want %v", tt.items, seen, err, tt.seen)
		}
	}
}

func TestBinary(t *testing.T) {
	b := newBox(t, nestedMessage, rfc3501Message)
	nested := b.message(0)
	tests := []struct {
		item, want string
	}{
		{"BINARY[1]", "BINARY[1] " + lit(part1)},
		{"BINARY[2.1]", "BINARY[2.1] " + lit(bin21)},
		{"BINARY.PEEK[2.2]", "BINARY[2.2] " + lit(bin22)},
		{"BINARY[3.2]", "BINARY[3.2] ~{4}\r\n" + bin32},
		// A window without NUL is an ordinary literal (as Cyrus sends it).
		{"BINARY[3.2]<1.2>", "BINARY[3.2]<1> {2}\r\n" + bin32[1:3]},
		{"BINARY[3.2]<0.2>", "BINARY[3.2]<0> ~{2}\r\n" + bin32[0:2]},
		{"BINARY[2.1]<5.7>", "BINARY[2.1]<5> " + lit(bin21[5:12])},
		{"BINARY[2.1]<500.7>", "BINARY[2.1]<500> " + lit("")},
		{"BINARY[9]", "BINARY[9] " + lit("")},
		{"BINARY[]", "BINARY[] " + lit(nestedMessage)},
		{"BINARY.SIZE[2.1]", "BINARY.SIZE[2.1] " + itoa(len(bin21))},
		{"BINARY.SIZE[3.2]", "BINARY.SIZE[3.2] 4"},
		{"BINARY.SIZE[9]", "BINARY.SIZE[9] 0"},
		{"BINARY.SIZE[2.2] BINARY.SIZE[1]", "BINARY.SIZE[2.2] 9 BINARY.SIZE[1] " + itoa(len(part1))},
	}
	for _, tt := range tests {
		got, _, err := render(nested, parseItems(t, tt.item))
		if err != nil {
			t.Errorf("%s: %v", tt.item, err)
			continue
		}
		if got != tt.want {
			t.Errorf("%s:\ngot  %q\nwant %q", tt.item, got, tt.want)
		}
	}
	got, _, err := render(b.message(1), parseItems(t, "BINARY[1]"))
	if want := "BINARY[1] " + lit(rfc3501Body); err != nil || got != want {
		t.Errorf("single part: got %q, %v", got, err)
	}
}

func TestBinaryUnknownEncoding(t *testing.T) {
	b := newBox(t, nestedMessage)
	for _, item := range []string{"BINARY[4]", "BINARY.SIZE[4]", "UID BINARY.PEEK[4]<0.1>"} {
		got, _, err := render(b.message(0), parseItems(t, item))
		var we *wire.Error
		if !errors.As(err, &we) || !we.No || we.Code != "UNKNOWN-CTE" {
			t.Errorf("%s: got %q, err %v; want NO [UNKNOWN-CTE]", item, got, err)
		}
	}
}

// TestHeaderFieldsCacheAgreesWithFile serves the same HEADER.FIELDS from
// the cache and from the file.
func TestHeaderFieldsCacheAgreesWithFile(t *testing.T) {
	msgs := []string{nestedMessage, rfc3501Message,
		crlf("subject: lower\nX-A: 1\nSUBJECT: upper\n  folded\nTo: a@b\n\nbody\n")}
	b := newBox(t, msgs...)
	for i, raw := range msgs {
		for _, items := range []string{
			"BODY.PEEK[HEADER.FIELDS (Subject)]", "BODY.PEEK[HEADER.FIELDS (to FROM cc bcc date)]",
			"BODY.PEEK[HEADER.FIELDS (MESSAGE-ID in-reply-to references subject)]",
		} {
			fromCache, _, err := render(b.message(i), parseItems(t, items))
			if err != nil {
				t.Fatal(err)
			}
			fromFile, _, err := render(fileMessage(t, []byte(raw)), parseItems(t, items))
			if err != nil {
				t.Fatal(err)
			}
			if fromCache != fromFile {
				t.Errorf("message %d %s:\ncache %q\nfile  %q", i, items, fromCache, fromFile)
			}
		}
	}
	got, _, _ := render(b.message(2), parseItems(t, "BODY.PEEK[HEADER.FIELDS (SUBJECT)]"))
	if want := "BODY[HEADER.FIELDS (SUBJECT)] " + lit(crlf("subject: lower\nSUBJECT: upper\n  folded\n\n")); got != want {
		t.Errorf("got  %q\nwant %q", got, want)
	}
}

func TestItemOrderAndMix(t *testing.T) {
	b := newBox(t, nestedMessage)
	got, seen, err := render(b.message(0), parseItems(t, "UID BODY.PEEK[1] RFC822.SIZE BODY[1.MIME] FLAGS"))
	if err != nil {
		t.Fatal(err)
	}
	want := "UID 1 BODY[1] " + lit(part1) + " RFC822.SIZE " + itoa(len(nestedMessage)) +
		" BODY[1.MIME] " + lit(part1MIME) + ` FLAGS (\Seen $Forwarded)`
	if got != want || !seen {
		t.Errorf("got  %q\nwant %q (seen %v)", got, want, seen)
	}
}

func TestOpenFailsBeforeWriting(t *testing.T) {
	b := newBox(t, nestedMessage)
	m := b.message(0)
	m.Open = func() (*os.File, error) { return nil, os.ErrNotExist }
	var buf bytes.Buffer
	w := wire.NewWriter(&buf)
	if _, err := Write(w, m, parseItems(t, "UID BODY[1]")); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("err = %v", err)
	}
	w.Flush()
	if buf.Len() != 0 {
		t.Errorf("wrote %q before failing", buf.String())
	}
}

// TestBinaryEncodingWithComment: a Content-Transfer-Encoding written with
// a comment or in mixed case (RFC 2045 §6.1) is decoded, and BODYSTRUCTURE
// names the bare mechanism.
func TestBinaryEncodingWithComment(t *testing.T) {
	msg := "Subject: cte\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=c\r\n\r\n" +
		"--c\r\nContent-Transfer-Encoding: (b64) BASE64\r\n\r\nY2Fmw6k=\r\n" +
		"--c\r\nContent-Transfer-Encoding: Quoted-Printable (comment)\r\n\r\ncaf=C3=A9\r\n--c--\r\n"
	b := newBox(t, msg)
	for item, want := range map[string]string{
		"BINARY[1]":      "BINARY[1] " + lit("café"),
		"BINARY[2]":      "BINARY[2] " + lit("café"),
		"BINARY.SIZE[2]": "BINARY.SIZE[2] 5",
	} {
		got, _, err := render(b.message(0), parseItems(t, item))
		if err != nil || got != want {
			t.Errorf("%s: got %q, %v; want %q", item, got, err, want)
		}
	}
	got, _, err := render(b.message(0), parseItems(t, "BODY"))
	if err != nil || !strings.Contains(got, `"BASE64" 8 0)`) || !strings.Contains(got, `"QUOTED-PRINTABLE" 9 0)`) {
		t.Errorf("BODY: got %q, %v", got, err)
	}
}
