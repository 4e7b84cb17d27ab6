package lmtp

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"net"
	"strings"
	"testing"
	"time"
)

func TestParsePath(t *testing.T) {
	tests := []struct {
		arg, prefix, addr, params string
		ok                        bool
	}{
		{"FROM:<bob@x>", "FROM:", "bob@x", "", true},
		{"from: <bob@x> AUTH=postman SIZE=10", "FROM:", "bob@x", "AUTH=postman SIZE=10", true},
		{"FROM:<>", "FROM:", "", "", true},
		{"TO:<alice> IGNOREQUOTA", "TO:", "alice", "IGNOREQUOTA", true},
		{"TO:alice", "TO:", "alice", "", true},
		{"TO:<alice", "TO:", "", "", false},
		{"TO:", "TO:", "", "", false},
		{"FROM<x>", "FROM:", "", "", false},
	}
	for _, tc := range tests {
		addr, params, ok := parsePath(tc.arg, tc.prefix)
		if ok != tc.ok || (ok && (addr != tc.addr || strings.Join(params, " ") != tc.params)) {
			t.Errorf("parsePath(%q) = %q, %q, %v", tc.arg, addr, params, ok)
		}
	}
}

func TestReplyLines(t *testing.T) {
	got := strings.Join(replyUnknownUser.lines(), "|")
	want := "550-Mailbox unknown.  Either there is no mailbox associated with this|" +
		"550-name or you do not have authorization to see it.|550 5.1.1 User unknown"
	if got != want {
		t.Errorf("lines = %q", got)
	}
	if got := replyGoAhead.lines(); len(got) != 1 || got[0] != "354 go ahead" {
		t.Errorf("354 = %q", got)
	}
}

// readDataFrom runs conn.readData over input through a 16-byte reader
// (so lines arrive in fragments) and returns what it staged and what
// follows the DATA section on the connection.
func readDataFrom(input string, max int64) (staged []byte, st dataStats, rest string, err error) {
	var buf bytes.Buffer
	c := &conn{srv: &Server{maxSize: max}, nc: nopConn{}, r: bufio.NewReaderSize(strings.NewReader(input), 16)}
	st, err = c.readData(&buf)
	tail, _ := io.ReadAll(c.r)
	return buf.Bytes(), st, string(tail), err
}

// nopConn is a net.Conn whose deadlines readData may set.
type nopConn struct{ net.Conn }

func (nopConn) SetReadDeadline(time.Time) error { return nil }

func TestReadData(t *testing.T) {
	msg, st, _, err := readDataFrom("a\r\n..b\r\n.c\r\n"+strings.Repeat("y", 40)+".\r\n.\r\n", 0)
	if err != nil || st.tooBig || string(msg) != "a\r\n.b\r\nc\r\n"+strings.Repeat("y", 40)+".\r\n" {
		t.Fatalf("readData = %q, %+v, %v", msg, st, err)
	}
	if st.size != int64(len(msg)) {
		t.Errorf("size %d, staged %d", st.size, len(msg))
	}
	// A long line whose tail looks like the terminator is not one.
	long := strings.Repeat("z", 16) + ".\r\n"
	msg, _, _, err = readDataFrom(long+".\r\n", 0)
	if err != nil || !bytes.Equal(msg, []byte(long)) {
		t.Fatalf("long line: %q, %v", msg, err)
	}
	if _, st, _, err = readDataFrom(strings.Repeat("x\r\n", 50)+".\r\n", 20); err != nil || !st.tooBig {
		t.Fatalf("too big not noticed: %+v, %v", st, err)
	}
}

// TestReadDataFraming: DATA ends only at CRLF "." CRLF. A "." line next
// to a bare LF is content (stored as ".\r\n"), so what follows it, a
// smuggled MAIL/RCPT/DATA included, is message text, and the real
// terminator is found after it.
func TestReadDataFraming(t *testing.T) {
	const smuggled = "MAIL FROM:<evil@x>\r\nRCPT TO:<victim>\r\nDATA\r\nSubject: forged\r\n\r\nhi\r\n"
	for _, tc := range []struct {
		name, in, stored string
	}{
		{"LF.LF", "S: a\r\n\r\nbody\n.\n" + smuggled, "S: a\r\n\r\nbody\r\n.\r\n" + smuggled},
		{"LF.CRLF", "S: a\r\n\r\nbody\n.\r\n" + smuggled, "S: a\r\n\r\nbody\r\n.\r\n" + smuggled},
		{"CRLF.LF", "S: a\r\n\r\nbody\r\n.\n" + smuggled, "S: a\r\n\r\nbody\r\n.\r\n" + smuggled},
		{"first line .LF", ".\n" + smuggled, ".\r\n" + smuggled},
		{"bare LF lines", "S: a\n\nline\n..dot\r\n", "S: a\r\n\r\nline\r\n.dot\r\n"},
		{"CR before LF across fragments", strings.Repeat("w", 15) + "\r\nx\r\n", strings.Repeat("w", 15) + "\r\nx\r\n"},
		{"bare CR kept", "a\rb\r\n", "a\rb\r\n"},
	} {
		msg, st, rest, err := readDataFrom(tc.in+".\r\nQUIT\r\n", 0)
		if err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		if string(msg) != tc.stored || rest != "QUIT\r\n" {
			t.Errorf("%s: stored %q, then %q on the wire\nwant   %q", tc.name, msg, rest, tc.stored)
		}
		if st.size != int64(len(tc.stored)) {
			t.Errorf("%s: size %d, want %d (after conversion)", tc.name, st.size, len(tc.stored))
		}
	}
	// The first line "." ends an empty DATA.
	if msg, st, rest, err := readDataFrom(".\r\nQUIT\r\n", 0); err != nil || len(msg) != 0 || st.size != 0 || rest != "QUIT\r\n" {
		t.Errorf("empty DATA: %q %+v %q %v", msg, st, rest, err)
	}
	// Without CRLF.CRLF the DATA never ends: the input runs out.
	if _, _, _, err := readDataFrom("x\n.\n", 0); !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Errorf("bare-LF terminator only: %v", err)
	}
}

// TestReadDataLimits: the size limit counts converted bytes; NUL is
// noticed anywhere; the header block is captured and bounded.
func TestReadDataLimits(t *testing.T) {
	// 10 lines of 1 byte, 9 ending in a bare LF: 21 bytes as received, 30 stored.
	in := strings.Repeat("x\n", 9) + "x\r\n.\r\n"
	if _, st, _, err := readDataFrom(in, 29); err != nil || !st.tooBig || st.size != 30 {
		t.Errorf("limit 29: %+v %v", st, err)
	}
	if msg, st, _, err := readDataFrom(in, 30); err != nil || st.tooBig || len(msg) != 30 {
		t.Errorf("limit 30: %+v %v", st, err)
	}
	for _, in := range []string{"Subject: a\x00b\r\n\r\nbody\r\n", "S: a\r\n\r\nbo\x00dy\r\n"} {
		_, st, rest, err := readDataFrom(in+".\r\nNOOP\r\n", 0)
		if err != nil || !st.hasNUL || rest != "NOOP\r\n" {
			t.Errorf("%q: %+v %q %v", in, st, rest, err)
		}
	}
	_, st, _, _ := readDataFrom("A: 1\r\nB: 2\n\r\nbody\r\n.\r\n", 0)
	if string(st.header) != "A: 1\r\nB: 2\r\n" {
		t.Errorf("header %q", st.header)
	}
	// An endless header is captured up to the bound, on a line boundary.
	line := "X: " + strings.Repeat("h", 1000) + "\r\n"
	msg, st, _, err := readDataFrom(strings.Repeat(line, maxHeaderScan/len(line)+5)+".\r\n", 0)
	if err != nil || len(st.header) > maxHeaderScan || len(st.header)%len(line) != 0 || !bytes.HasPrefix(msg, st.header) {
		t.Errorf("endless header: captured %d bytes, err %v", len(st.header), err)
	}
}

func FuzzParsePath(f *testing.F) {
	for _, s := range []string{"FROM:<a@b> AUTH=x", "TO:<+board> IGNOREQUOTA", "TO:x", "TO:<", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, arg string) {
		addr, _, ok := parsePath(arg, "TO:")
		if ok && strings.ContainsAny(addr, ">") && strings.HasPrefix(strings.TrimLeft(arg[3:], " "), "<") {
			t.Fatalf("%q: address %q holds '>'", arg, addr)
		}
	})
}
