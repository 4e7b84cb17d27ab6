package wire

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
)

func TestStringEncoding(t *testing.T) {
	tests := []struct{ in, astring, str string }{
		{"INBOX", "INBOX", `"INBOX"`},
		{"", `""`, `""`},
		{"NIL", `"NIL"`, `"NIL"`},
		{"a b", `"a b"`, `"a b"`},
		{`say "hi" \o/`, `"say \"hi\" \\o/"`, `"say \"hi\" \\o/"`},
		{"a]b", "a]b", `"a]b"`},
		{"x(y", `"x(y"`, `"x(y"`},
		{"two\r\nlines", "{10}\r\ntwo\r\nlines", "{10}\r\ntwo\r\nlines"},
		{"caf\xc3\xa9", "{5}\r\ncaf\xc3\xa9", "{5}\r\ncaf\xc3\xa9"},
		{strings.Repeat("a", 2000), "{2000}\r\n" + strings.Repeat("a", 2000), "{2000}\r\n" + strings.Repeat("a", 2000)},
	}
	for _, tt := range tests {
		if got := string(AppendAString(nil, tt.in)); got != tt.astring {
			t.Errorf("AString(%q) = %q, want %q", tt.in, got, tt.astring)
		}
		if got := string(AppendString(nil, tt.in)); got != tt.str {
			t.Errorf("String(%q) = %q, want %q", tt.in, got, tt.str)
		}
	}
}

func TestStatusResponses(t *testing.T) {
	var b bytes.Buffer
	w := NewWriter(&b)
	w.StatusResponse("", OK, "UIDVALIDITY 3857529045", "UIDs valid")
	w.StatusResponse("A142", OK, "READ-WRITE", "SELECT completed")
	w.StatusResponse("a", NO, "", "bad\r\nthing")
	w.StatusResponse("a", BAD, "X]Y", "")
	w.Continuation("Ready for literal data")
	w.Star().Atom("CAPABILITY").SP().Atom("IMAP4rev1").CRLF()
	if b.Len() != 0 {
		t.Fatal("wrote before Flush")
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	want := "* OK [UIDVALIDITY 3857529045] UIDs valid\r\n" +
		"A142 OK [READ-WRITE] SELECT completed\r\n" +
		"a NO bad  thing\r\n" +
		"a BAD [X Y] BAD\r\n" +
		"+ Ready for literal data\r\n" +
		"* CAPABILITY IMAP4rev1\r\n"
	if b.String() != want {
		t.Fatalf("got\n%q\nwant\n%q", b.String(), want)
	}
}

// The FETCH response of RFC 3501 §7.4.2, built from plain structs. The
// RFC's prose example puts a space between the two Cc addresses; its formal
// grammar (env-cc = "(" 1*address ")") does not, and neither do Cyrus and
// Dovecot, so the grammar is followed here.
func TestFetchEnvelopeBodyRFCExample(t *testing.T) {
	gray := []Address{{Name: "Terry Gray", Mailbox: "gray", Host: "cac.washington.edu"}}
	env := &Envelope{
		Date:    "Wed, 17 Jul 1996 02:23:25 -0700 (PDT)",
		Subject: "IMAP4rev1 WG mtg summary and minutes",
		From:    gray, Sender: gray, ReplyTo: gray,
		To:        []Address{{Mailbox: "imap", Host: "cac.washington.edu"}},
		Cc:        []Address{{Mailbox: "minutes", Host: "CNRI.Reston.VA.US"}, {Name: "John Klensin", Mailbox: "KLENSIN", Host: "MIT.EDU"}},
		MessageID: "<B27397-0100000@cac.washington.edu>",
	}
	body := &BodyStructure{Type: "TEXT", Subtype: "PLAIN", Params: []Param{{"CHARSET", "US-ASCII"}}, Encoding: "7BIT", Size: 3028, Lines: 92}
	var b bytes.Buffer
	w := NewWriter(&b)
	w.BeginFetch(12)
	w.FetchItem("FLAGS").Flags([]imap.Flag{imap.FlagSeen})
	w.FetchItem("INTERNALDATE").DateTime(time.Date(1996, 7, 17, 2, 44, 25, 0, time.FixedZone("", -7*3600)))
	w.FetchItem("RFC822.SIZE").Number(4286)
	w.FetchItem("ENVELOPE").Envelope(env)
	w.FetchItem("BODY").BodyStructure(body, false)
	w.EndFetch()
	w.Flush()
	want := `* 12 FETCH (FLAGS (\Seen) INTERNALDATE "17-Jul-1996 02:44:25 -0700" RFC822.SIZE 4286 ENVELOPE ("Wed, 17 Jul 1996 02:23:25 -0700 (PDT)" "IMAP4rev1 WG mtg summary and minutes" (("Terry Gray" NIL "gray" "cac.washington.edu")) (("Terry Gray" NIL "gray" "cac.washington.edu")) (("Terry Gray" NIL "gray" "cac.washington.edu")) ((NIL NIL "imap" "cac.washington.edu")) ((NIL NIL "minutes" "CNRI.Reston.VA.US")("John Klensin" NIL "KLENSIN" "MIT.EDU")) NIL NIL "<B27397-0100000@cac.washington.edu>") BODY ("TEXT" "PLAIN" ("CHARSET" "US-ASCII") NIL NIL "7BIT" 3028 92))` + "\r\n"
	if b.String() != want {
		t.Fatalf("got\n%s\nwant\n%s", b.String(), want)
	}
}

// TestEnvelopeAddressFields: the at-domain-list is the address's second
// field; a mailbox with an empty local part ("<>", "@host") sends "" for
// it, as Cyrus does, while group markers keep NIL (RFC 3501 §7.4.2).
func TestEnvelopeAddressFields(t *testing.T) {
	env := &Envelope{
		From: []Address{{ADL: "@r1.example,@r2.example", Mailbox: "joe", Host: "t.example"}},
		To:   []Address{{Host: "unspecified-domain"}, {Host: "nodomain"}, {Mailbox: "grp"}, {}},
	}
	var b bytes.Buffer
	w := NewWriter(&b)
	w.Envelope(env)
	w.Flush()
	want := `(NIL NIL ((NIL "@r1.example,@r2.example" "joe" "t.example")) NIL NIL ((NIL NIL "" "unspecified-domain")(NIL NIL "" "nodomain")(NIL NIL "grp" NIL)(NIL NIL NIL NIL)) NIL NIL NIL NIL)`
	if b.String() != want {
		t.Fatalf("got\n%s\nwant\n%s", b.String(), want)
	}
}

// A multipart BODYSTRUCTURE with extension data and a message/rfc822 part.
func TestBodyStructureExtended(t *testing.T) {
	inner := &BodyStructure{Type: "TEXT", Subtype: "PLAIN", Encoding: "7BIT", Size: 10, Lines: 1}
	bs := &BodyStructure{Type: "MULTIPART", Subtype: "MIXED", Params: []Param{{"BOUNDARY", "x"}},
		Parts: []*BodyStructure{
			{Type: "TEXT", Subtype: "PLAIN", Params: []Param{{"CHARSET", "UTF-8"}}, Encoding: "QUOTED-PRINTABLE", Size: 20, Lines: 2, Language: []string{"en"}},
			{Type: "APPLICATION", Subtype: "PDF", Encoding: "BASE64", Size: 300, Disposition: "attachment",
				DispositionParams: []Param{{"FILENAME", "a.pdf"}}, MD5: "abc"},
			{Type: "MESSAGE", Subtype: "RFC822", Encoding: "7BIT", Size: 50, Lines: 4,
				Envelope: &Envelope{Subject: "fwd"}, Message: inner},
		}}
	var b bytes.Buffer
	w := NewWriter(&b)
	w.BodyStructure(bs, true)
	w.Flush()
	want := `(("TEXT" "PLAIN" ("CHARSET" "UTF-8") NIL NIL "QUOTED-PRINTABLE" 20 2 NIL NIL "en" NIL)` +
		`("APPLICATION" "PDF" NIL NIL NIL "BASE64" 300 "abc" ("attachment" ("FILENAME" "a.pdf")) NIL NIL)` +
		`("MESSAGE" "RFC822" NIL NIL NIL "7BIT" 50 (NIL "fwd" NIL NIL NIL NIL NIL NIL NIL NIL) ("TEXT" "PLAIN" NIL NIL NIL "7BIT" 10 1 NIL NIL NIL NIL) 4 NIL NIL NIL NIL)` +
		` "MIXED" ("BOUNDARY" "x") NIL NIL NIL)`
	if b.String() != want {
		t.Fatalf("got\n%s\nwant\n%s", b.String(), want)
	}
}

func TestLiteralStreaming(t *testing.T) {
	var b bytes.Buffer
	w := NewWriter(&b)
	w.BeginFetch(1).FetchItem("BODY[]")
	if err := w.Literal(5, strings.NewReader("hello, and more"), false); err != nil {
		t.Fatal(err)
	}
	w.EndFetch()
	w.FetchItem("BINARY[1]")
	w.Literal(2, strings.NewReader("\x00\x01"), true)
	w.Flush()
	if got := b.String(); got != "* 1 FETCH (BODY[] {5}\r\nhello)\r\n BINARY[1] ~{2}\r\n\x00\x01" {
		t.Fatalf("%q", got)
	}
	w = NewWriter(&b)
	if err := w.Literal(10, strings.NewReader("short"), false); err == nil || w.Flush() == nil {
		t.Fatal("short body not reported")
	}
}

// Wrap flushes through a layer that has its own Flush (a compressor).
type flushCounter struct {
	bytes.Buffer
	flushes int
}

func (f *flushCounter) Flush() error { f.flushes++; return nil }

func TestWriterWrap(t *testing.T) {
	var raw bytes.Buffer
	w := NewWriter(&raw)
	w.StatusResponse("a", OK, "", "COMPRESS active")
	fc := &flushCounter{}
	if err := w.Wrap(func(io.Writer) io.Writer { return fc }); err != nil {
		t.Fatal(err)
	}
	if raw.String() != "a OK COMPRESS active\r\n" {
		t.Fatalf("%q", raw.String())
	}
	w.StatusResponse("b", OK, "", "done")
	w.Flush()
	if fc.String() != "b OK done\r\n" || fc.flushes != 1 {
		t.Fatalf("%q %d", fc.String(), fc.flushes)
	}
}

// writeCounter records the size of every write reaching the connection.
type writeCounter struct {
	bytes.Buffer
	writes []int
}

func (c *writeCounter) Write(p []byte) (int, error) {
	c.writes = append(c.writes, len(p))
	return c.Buffer.Write(p)
}

func TestWriterBuffering(t *testing.T) {
	tests := []struct {
		name   string
		write  func(w *Writer)
		writes []int // sizes reaching the connection, Flush included
	}{
		{"small response leaves whole at Flush", func(w *Writer) {
			w.StatusResponse("a", OK, "", "done")
		}, []int{11}},
		{"nothing buffered, nothing written", func(w *Writer) {}, nil},
		{"a large response is sent in threshold-sized pieces", func(w *Writer) {
			for range 3 * flushThreshold / 8 {
				w.Atom("1234567").SP()
			}
		}, []int{flushThreshold, flushThreshold, flushThreshold}},
		{"a streamed literal passes through the bounded buffer", func(w *Writer) {
			w.Atom("x ")
			w.Literal(flushThreshold+100, strings.NewReader(strings.Repeat("z", flushThreshold+100)), false)
		}, []int{flushThreshold, 2 + len("{65636}\r\n") + 100}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var c writeCounter
			w := NewWriter(&c)
			tt.write(w)
			if err := w.Flush(); err != nil {
				t.Fatal(err)
			}
			if fmt.Sprint(c.writes) != fmt.Sprint(tt.writes) {
				t.Errorf("writes %v, want %v", c.writes, tt.writes)
			}
			if w.Buffered() != 0 || w.buf != nil {
				t.Errorf("Flush kept a buffer: %d bytes, cap %d", w.Buffered(), cap(w.buf))
			}
		})
	}
}

// An idle Writer holds no buffer, and one response costs no allocation
// once the pool is warm.
func TestWriterIdleHoldsNoBuffer(t *testing.T) {
	w := NewWriter(io.Discard)
	allocs := testing.AllocsPerRun(100, func() {
		w.Star().Atom("OK").SP().String("still here").CRLF()
		w.Flush()
	})
	if w.buf != nil || w.pooled != nil {
		t.Fatal("idle writer holds a buffer")
	}
	if allocs > 0 {
		t.Errorf("%v allocations per response", allocs)
	}
}

func TestWriterErrorSticks(t *testing.T) {
	w := NewWriter(failWriter{})
	w.StatusResponse("a", OK, "", "x")
	if err := w.Flush(); err == nil {
		t.Fatal("write error lost")
	}
	if err := w.Literal(3, strings.NewReader("abc"), false); err == nil {
		t.Fatal("Literal after an error succeeded")
	}
}

type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, io.ErrClosedPipe }

// TestDateTimeDayLikeCyrus: a one-digit day is written " 7-Dec-2026", as
// Cyrus 3.6.1 writes INTERNALDATE and SAVEDATE
// (test/compat/fixtures/objectid-savedate-preview.txt); a two-digit day as is.
func TestDateTimeDayLikeCyrus(t *testing.T) {
	for _, c := range []struct {
		t    time.Time
		want string
	}{
		{time.Date(2026, 12, 7, 16, 6, 41, 0, time.UTC), `" 7-Dec-2026 16:06:41 +0000"`},
		{time.Date(2024, 1, 1, 10, 0, 0, 0, time.FixedZone("", 3600)), `" 1-Jan-2024 10:00:00 +0100"`},
		{time.Date(2026, 11, 30, 8, 21, 30, 0, time.UTC), `"30-Nov-2026 08:21:30 +0000"`},
	} {
		var b bytes.Buffer
		w := NewWriter(&b)
		w.DateTime(c.t)
		w.Flush()
		if b.String() != c.want {
			t.Errorf("DateTime(%v) = %s, want %s", c.t, b.String(), c.want)
		}
	}
}
