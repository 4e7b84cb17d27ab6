package wire

import (
	"io"
	"testing"
)

// repeatReader replays one command line forever without allocating.
type repeatReader struct {
	line []byte
	off  int
}

func (r *repeatReader) Read(p []byte) (int, error) {
	n := 0
	for n < len(p) {
		c := copy(p[n:], r.line[r.off:])
		n += c
		r.off = (r.off + c) % len(r.line)
	}
	return n, nil
}

func BenchmarkParseUIDFetch(b *testing.B) {
	line := "a42 UID FETCH 1:* (FLAGS INTERNALDATE RFC822.SIZE ENVELOPE)\r\n"
	r := NewReader(&repeatReader{line: []byte(line)}, Options{})
	b.SetBytes(int64(len(line)))
	b.ReportAllocs()
	for b.Loop() {
		cmd, err := r.ReadCommand()
		if err != nil {
			b.Fatal(err)
		}
		if _, err := ParseFetch(r, cmd.UID); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkWriteFetchEnvelope(b *testing.B) {
	env := &Envelope{Date: "Wed, 17 Jul 1996 02:23:25 -0700", Subject: "IMAP4rev1 WG mtg summary and minutes",
		From: []Address{{Name: "Terry Gray", Mailbox: "gray", Host: "cac.washington.edu"}},
		To:   []Address{{Mailbox: "imap", Host: "cac.washington.edu"}}, MessageID: "<B27397-0100000@cac.washington.edu>"}
	w := NewWriter(io.Discard)
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		w.BeginFetch(uint32(i)).FetchItem("UID").Number(uint32(i)).FetchItem("ENVELOPE").Envelope(env).EndFetch()
	}
	w.Flush()
}

// benchParse reads and parses line over and over.
func benchParse(b *testing.B, line string) {
	r := NewReader(&repeatReader{line: []byte(line)}, Options{})
	b.SetBytes(int64(len(line)))
	b.ReportAllocs()
	for b.Loop() {
		cmd, err := r.ReadCommand()
		if err != nil {
			b.Fatal(err)
		}
		if _, err := parseAny(r, cmd); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParseSearch(b *testing.B) {
	benchParse(b, "a7 UID SEARCH RETURN (MIN COUNT) CHARSET UTF-8 OR (FROM \"alice\" SINCE 1-Feb-2024) NOT (DELETED KEYWORD $Junk) UID 1:500,600:* LARGER 1024\r\n")
}

func BenchmarkParseStore(b *testing.B) {
	benchParse(b, "a8 UID STORE 1:5,9,12:* (UNCHANGEDSINCE 320162338) +FLAGS.SILENT (\\Seen \\Flagged $Label1)\r\n")
}

func BenchmarkParseListExtended(b *testing.B) {
	benchParse(b, "a9 LIST (SUBSCRIBED RECURSIVEMATCH) \"\" (INBOX \"Archive/%\") RETURN (CHILDREN STATUS (MESSAGES UNSEEN))\r\n")
}
