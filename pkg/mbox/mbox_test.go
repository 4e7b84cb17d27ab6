package mbox

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
	"time"
)

type got struct {
	m    Message
	text string
}

func readAll(t testing.TB, in string) ([]got, Folder, error) {
	r := NewReader(strings.NewReader(in), time.UTC)
	var out []got
	for {
		m, err := r.Next()
		if errors.Is(err, io.EOF) {
			return out, r.Folder(), nil
		}
		if err != nil {
			return out, r.Folder(), err
		}
		b, err := io.ReadAll(r)
		if err != nil {
			return out, r.Folder(), err
		}
		out = append(out, got{*m, string(b)})
	}
}

const uwPseudo = "From MAILER-DAEMON Mon Mar  3 10:00:00 2025\n" +
	"Date: 03 Mar 2025 10:00:00 +0000\n" +
	"From: Mail System Internal Data <MAILER-DAEMON@uw.example>\n" +
	"Subject: DON'T DELETE THIS MESSAGE -- FOLDER INTERNAL DATA\n" +
	"Message-ID: <1741000000@uw.example>\n" +
	"X-IMAP: 1741000000 0000000007 $Junk project\n" +
	"Status: RO\n" +
	"\n" +
	"This text is part of the internal format of your mail folder, and is not\n" +
	"a real message.  It is created automatically by the mail system software.\n" +
	"If deleted, important folder data will be lost, and it will be re-created\n" +
	"with the data reset to initial values.\n" +
	"\n"

func TestUWPseudoAndFields(t *testing.T) {
	in := uwPseudo +
		"From alice@example.com Tue Mar  4 09:15:02 2025\n" +
		"Subject: one\n" +
		"Status: RO\n" +
		"X-Status: AF\n" +
		"X-Keywords: project $Junk\n" +
		"X-UID: 3\n" +
		"\n" +
		"body\n" +
		">From the start\n" +
		">>From two\n" +
		"From inside a paragraph (no date)\n" +
		"\n" +
		"From bob Wed Mar  5 11:00 2025 -0800\n" +
		"Subject: two\n" +
		"X-Status: DT\n" +
		"X-UID: 7\n" +
		"\n" +
		"last, no final newline"
	msgs, f, err := readAll(t, in)
	if err != nil {
		t.Fatal(err)
	}
	if !f.Pseudo || f.UIDValidity != 1741000000 || f.UIDLast != 7 || strings.Join(f.Keywords, " ") != "$Junk project" {
		t.Errorf("folder %+v", f)
	}
	if len(msgs) != 2 {
		t.Fatalf("%d messages: %+v", len(msgs), msgs)
	}
	m := msgs[0]
	if m.m.Flags != Seen|Answered|Flagged || m.m.UID != 3 || strings.Join(m.m.Keywords, " ") != "project $Junk" || m.m.Sender != "alice@example.com" {
		t.Errorf("first %+v", m.m)
	}
	if want := time.Date(2025, 3, 4, 9, 15, 2, 0, time.UTC); !m.m.Date.Equal(want) {
		t.Errorf("date %v want %v", m.m.Date, want)
	}
	want := "Subject: one\n\nbody\nFrom the start\n>From two\nFrom inside a paragraph (no date)\n"
	if m.text != want {
		t.Errorf("text %q\nwant %q", m.text, want)
	}
	m = msgs[1]
	if m.m.Flags != Deleted|Draft || m.m.UID != 7 {
		t.Errorf("second %+v", m.m)
	}
	if want := time.Date(2025, 3, 5, 19, 0, 0, 0, time.UTC); !m.m.Date.Equal(want) {
		t.Errorf("date %v want %v", m.m.Date, want)
	}
	if m.text != "Subject: two\n\nlast, no final newline" {
		t.Errorf("text %q", m.text)
	}
}

// Hostile and odd input: each case reads to the end in bounded memory
// with the messages and texts given.
func TestHostile(t *testing.T) {
	huge := strings.Repeat("x", 3*bufSize+17)
	cases := []struct {
		name  string
		in    string
		texts []string
		uids  []uint32
		err   bool
	}{
		{name: "empty file", in: ""},
		{name: "not mbox", in: "Subject: x\n\nbody\n", err: true},
		{name: "CRLF", in: "From a Mon Jan  1 00:00:00 2024\r\nSubject: a\r\nX-UID: 5\r\n\r\nbody\r\n\r\nFrom b Mon Jan  1 00:00:01 2024\r\n\r\nb\r\n",
			texts: []string{"Subject: a\r\n\r\nbody\r\n", "\r\nb\r\n"}, uids: []uint32{5, 0}},
		{name: "NUL kept", in: "From a Mon Jan  1 00:00:00 2024\nS: \x00\n\nb\x00dy\n",
			texts: []string{"S: \x00\n\nb\x00dy\n"}, uids: []uint32{0}},
		{name: "huge line", in: "From a Mon Jan  1 00:00:00 2024\nS: a\n\n" + huge + "\nFrom x\n\nFrom b Mon Jan  1 00:00:00 2024\n\nz\n",
			texts: []string{"S: a\n\n" + huge + "\nFrom x\n", "\nz\n"}, uids: []uint32{0, 0}},
		{name: "huge header", in: "From a Mon Jan  1 00:00:00 2024\nX: " + strings.Repeat("y", MaxHeader+5) + "\nX-UID: 9\n\nb\n",
			texts: []string{"X: " + strings.Repeat("y", MaxHeader+5) + "\nX-UID: 9\n\nb\n"}, uids: []uint32{0}},
		{name: "bad X-UID", in: "From a Mon Jan  1 00:00:00 2024\nX-UID: -3\n\nb\n\nFrom b Mon Jan  1 00:00:00 2024\nX-UID: 99999999999\n\nc\n",
			texts: []string{"\nb\n", "\nc\n"}, uids: []uint32{0, 0}},
		{name: "from line without blank before", in: "From a Mon Jan  1 00:00:00 2024\n\nx\nFrom b Mon Jan  1 00:00:00 2024\n",
			texts: []string{"\nx\nFrom b Mon Jan  1 00:00:00 2024\n"}, uids: []uint32{0}},
		{name: "header only, no newline", in: "From a Mon Jan  1 00:00:00 2024\nSubject: x",
			texts: []string{"Subject: x"}, uids: []uint32{0}},
		{name: "bad date in first line", in: "From a yesterday\n\nb\n", texts: []string{"\nb\n"}, uids: []uint32{0}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			msgs, _, err := readAll(t, c.in)
			if (err != nil) != c.err {
				t.Fatalf("err %v", err)
			}
			if len(msgs) != len(c.texts) {
				t.Fatalf("%d messages, want %d", len(msgs), len(c.texts))
			}
			for i, m := range msgs {
				if m.text != c.texts[i] {
					t.Errorf("message %d: %.80q\nwant %.80q", i, m.text, c.texts[i])
				}
				if m.m.UID != c.uids[i] {
					t.Errorf("message %d: UID %d want %d", i, m.m.UID, c.uids[i])
				}
			}
		})
	}
}

// Offsets let a caller read one message again from the file.
func TestOffsets(t *testing.T) {
	in := "From a Mon Jan  1 00:00:00 2024\n\na\n\nFrom b Mon Jan  1 00:00:00 2024\n\nb\n"
	msgs, _, err := readAll(t, in)
	if err != nil || len(msgs) != 2 {
		t.Fatal(err, len(msgs))
	}
	r := NewReader(strings.NewReader(in[msgs[1].m.Offset:]), time.UTC)
	if _, err := r.Next(); err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(r)
	if string(b) != "\nb\n" {
		t.Errorf("%q", b)
	}
}

func FuzzReader(f *testing.F) {
	f.Add([]byte(uwPseudo + "From a Mon Jan  1 00:00:00 2024\nX-UID: 2\nStatus: R\n\n>From x\n"))
	f.Add([]byte("From a Mon Jan  1 00:00:00 2024\r\n\r\n\r\nFrom b Sun Dec 31 23:59:60 1999 +1300\r\n"))
	f.Add([]byte("From \n\nFrom  Mon Jan 1 0:0 0000 -9999\n"))
	f.Fuzz(func(t *testing.T, in []byte) {
		r := NewReader(bytes.NewReader(in), time.UTC)
		total := 0
		for range 10000 {
			m, err := r.Next()
			if err != nil {
				return
			}
			if m.Offset < 0 || m.Offset > int64(len(in)) {
				t.Fatalf("offset %d", m.Offset)
			}
			n, err := io.Copy(io.Discard, r)
			if err != nil {
				t.Fatal(err)
			}
			total += int(n)
			if total > len(in) {
				t.Fatalf("read %d bytes of %d", total, len(in))
			}
		}
	})
}
