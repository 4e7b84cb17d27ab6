package wire

import (
	"io"
	"strings"
	"testing"
)

// A synchronising literal asks the session for a continuation, then reads.
func TestLiteralSyncContinuation(t *testing.T) {
	c := newConn("a LOGIN {4}\r\nfred {6}\r\nsecret\r\nb NOOP\r\n", Options{})
	cmd, _ := c.r.ReadCommand()
	u, p, err := ParseLogin(c.r)
	if err != nil || u != "fred" || p != "secret" || cmd.Name != "LOGIN" {
		t.Fatalf("%q %q %v", u, p, err)
	}
	if len(c.conts) != 2 || !c.conts[0].Sync || c.conts[0].Size != 4 || c.conts[1].Size != 6 {
		t.Fatalf("continuations %+v", c.conts)
	}
	if cmd, err := c.r.ReadCommand(); err != nil || cmd.Tag != "b" {
		t.Fatalf("%+v %v", cmd, err)
	}
}

// LITERAL+ needs no continuation.
func TestLiteralPlus(t *testing.T) {
	c := newConn("a LOGIN {4+}\r\nfred x\r\n", Options{})
	c.r.ReadCommand()
	if u, _, err := ParseLogin(c.r); err != nil || u != "fred" || len(c.conts) != 0 {
		t.Fatalf("%q %v %v", u, err, c.conts)
	}
}

// An over-limit synchronising literal is refused without reading it; the
// client does not send it and the next command parses.
func TestLiteralOverLimitSyncResync(t *testing.T) {
	c := newConn("a LOGIN {100}\r\nb NOOP\r\n", Options{MaxStringBuffer: 10})
	c.r.ReadCommand()
	_, _, err := ParseLogin(c.r)
	if e := wireErr(err); e == nil || e.Fatal || e.Code != "TOOBIG" {
		t.Fatalf("got %#v", err)
	}
	if len(c.conts) != 0 {
		t.Fatal("continuation sent for refused literal")
	}
	if cmd, err := c.r.ReadCommand(); err != nil || cmd.Tag != "b" || c.r.EOL() != nil {
		t.Fatalf("%+v %v", cmd, err)
	}
}

// APPEND over the message limit: NO [TOOBIG], then in step.
func TestAppendTooBig(t *testing.T) {
	c := newConn("a APPEND INBOX {100}\r\nb NOOP\r\n", Options{MaxLiteralSize: 50})
	c.r.ReadCommand()
	p, _ := ParseAppend(c.r)
	_, err := p.Next()
	if e := wireErr(err); e == nil || !e.No || e.Code != "TOOBIG" || e.Fatal {
		t.Fatalf("got %#v", err)
	}
	if cmd, err := c.r.ReadCommand(); err != nil || cmd.Tag != "b" {
		t.Fatalf("%+v %v", cmd, err)
	}
}

// The session may refuse a literal in its callback (e.g. TRYCREATE).
func TestLiteralRefusedByCallback(t *testing.T) {
	refusal := &Error{Msg: "no such mailbox", Code: "TRYCREATE", No: true}
	opts := Options{Continue: func(LiteralInfo) error { return refusal }}
	r := NewReader(strings.NewReader("a APPEND nope {5}\r\nb NOOP\r\n"), opts)
	r.ReadCommand()
	p, _ := ParseAppend(r)
	if _, err := p.Next(); err != refusal {
		t.Fatalf("got %v", err)
	}
	if cmd, err := r.ReadCommand(); err != nil || cmd.Tag != "b" {
		t.Fatalf("%+v %v", cmd, err)
	}
}

// A non-synchronising literal over the limit is fatal: its bytes are
// already coming.
func TestLiteralPlusOverLimitFatal(t *testing.T) {
	for _, opts := range []Options{{MaxStringBuffer: 10}, {LiteralMinus: true}} {
		c := newConn("a LOGIN {5000+}\r\n"+strings.Repeat("x", 5000)+" p\r\n", opts)
		c.r.ReadCommand()
		_, _, err := ParseLogin(c.r)
		if e := wireErr(err); e == nil || !e.Fatal {
			t.Fatalf("%+v: got %#v", opts, err)
		}
		if _, err := c.r.ReadCommand(); err == nil {
			t.Fatal("reader usable after fatal error")
		}
	}
}

// After a syntax error the rest of the command is skipped, including
// LITERAL+ data, so the next command is read from its start.
func TestResyncAfterSyntaxError(t *testing.T) {
	c := newConn("a FETCH x {3+}\r\nabc {4+}\r\nab\r\n more\r\nb NOOP\r\n", Options{})
	c.r.ReadCommand()
	if _, err := ParseFetch(c.r, false); wireErr(err) == nil {
		t.Fatalf("got %v", err)
	}
	if cmd, err := c.r.ReadCommand(); err != nil || cmd.Tag != "b" {
		t.Fatalf("%+v %v", cmd, err)
	}
}

// A line over the limit is answered BAD with its tag and skipped.
func TestLineTooLong(t *testing.T) {
	long := "a1 SEARCH " + strings.Repeat("ALL ", 100) + "ALL\r\n"
	c := newConn(long+"b NOOP\r\n", Options{MaxLineLength: 64})
	cmd, err := c.r.ReadCommand()
	if e := wireErr(err); e == nil || e.Fatal || cmd.Tag != "a1" {
		t.Fatalf("%+v %#v", cmd, err)
	}
	if cmd, err := c.r.ReadCommand(); err != nil || cmd.Tag != "b" {
		t.Fatalf("%+v %v", cmd, err)
	}
	// The limit counts all of a command's lines.
	c = newConn("a LOGIN {3}\r\nabc "+strings.Repeat("x", 80)+"\r\nb NOOP\r\n", Options{MaxLineLength: 64})
	c.r.ReadCommand()
	if _, _, err := ParseLogin(c.r); wireErr(err) == nil || wireErr(err).Fatal {
		t.Fatalf("got %#v", err)
	}
	if cmd, err := c.r.ReadCommand(); err != nil || cmd.Tag != "b" {
		t.Fatalf("%+v %v", cmd, err)
	}
	// An over-long line announcing LITERAL+ data cannot be resynchronised.
	c = newConn("a X "+strings.Repeat("x", 80)+" {5+}\r\nhello\r\n", Options{MaxLineLength: 64})
	if _, err := c.r.ReadCommand(); wireErr(err) == nil || !wireErr(err).Fatal {
		t.Fatalf("got %#v", err)
	}
}

// APPEND bodies stream; an unread remainder is discarded.
func TestAppendStreaming(t *testing.T) {
	c := newConn("a APPEND INBOX {10}\r\n0123456789 (\\Seen) {3}\r\nabc\r\nb NOOP\r\n", Options{})
	c.r.ReadCommand()
	p, err := ParseAppend(c.r)
	if err != nil || p.Mailbox != "INBOX" {
		t.Fatal(err)
	}
	m, err := p.Next()
	if err != nil || m.Size != 10 {
		t.Fatal(err)
	}
	buf := make([]byte, 4)
	io.ReadFull(m.Body, buf) // leave 6 bytes unread
	m, err = p.Next()
	if err != nil || len(m.Flags) != 1 {
		t.Fatal(err)
	}
	if b, _ := io.ReadAll(m.Body); string(b) != "abc" {
		t.Fatalf("%q", b)
	}
	if _, err := p.Next(); err != io.EOF {
		t.Fatal(err)
	}
	if cmd, err := c.r.ReadCommand(); err != nil || cmd.Tag != "b" {
		t.Fatalf("%+v %v", cmd, err)
	}
}

// A connection that ends inside a literal yields ErrUnexpectedEOF.
func TestAppendTruncated(t *testing.T) {
	c := newConn("a APPEND INBOX {10}\r\n0123", Options{})
	c.r.ReadCommand()
	p, _ := ParseAppend(c.r)
	m, _ := p.Next()
	if _, err := io.ReadAll(m.Body); err != io.ErrUnexpectedEOF {
		t.Fatalf("got %v", err)
	}
}

// Memory stays bounded: a huge announced literal is refused before any
// allocation.
func TestHugeLiteralNoAllocation(t *testing.T) {
	allocs := testing.AllocsPerRun(5, func() {
		r := NewReader(strings.NewReader("a LOGIN {4611686018427387903}\r\n"), Options{Continue: func(LiteralInfo) error { return nil }})
		r.ReadCommand()
		ParseLogin(r)
	})
	if allocs > 40 {
		t.Fatalf("%v allocations", allocs)
	}
}
