package wire

import (
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
)

func TestReadCommand(t *testing.T) {
	tests := []struct {
		in       string
		tag, cmd string
		uid      bool
		err      bool
	}{
		{"a001 capability\r\n", "a001", "CAPABILITY", false, false},
		{"A1 UID fetch 1 FLAGS\r\n", "A1", "FETCH", true, false},
		{"\r\n\r\nx NOOP\r\n", "x", "NOOP", false, false},
		{"tag]1 NOOP\n", "tag]1", "NOOP", false, false}, // bare LF tolerated
		{"+1 NOOP\r\n", "", "", false, true},
		{"a1\r\n", "a1", "", false, true},
		{"a1 UID\r\n", "a1", "UID", true, true},
		{"(x NOOP\r\n", "", "", false, true},
	}
	for _, tt := range tests {
		r := NewReader(strings.NewReader(tt.in), Options{})
		cmd, err := r.ReadCommand()
		if (err != nil) != tt.err {
			t.Errorf("%q: err = %v", tt.in, err)
			continue
		}
		if cmd.Tag != tt.tag || (!tt.err && (cmd.Name != tt.cmd || cmd.UID != tt.uid)) {
			t.Errorf("%q: got %+v", tt.in, cmd)
		}
	}
}

func TestStrings(t *testing.T) {
	tests := []struct {
		in, want string
		ok       bool
		nstring  bool // read with NString; want "<nil>" for NIL
	}{
		{`atom`, "atom", true, false},
		{`"quoted \"x\" \\ y"`, `quoted "x" \ y`, true, false},
		{`""`, "", true, false},
		{"{5}\r\nhello", "hello", true, false},
		{"{0}\r\n", "", true, false},
		{"{3+}\r\nabc", "abc", true, false},
		{`"bad \n escape"`, "", false, false},
		{`"unterminated`, "", false, false},
		{`NIL`, "<nil>", true, true},
		{`nil`, "<nil>", true, true},
		{`"NIL"`, "NIL", true, true},
		{`Nope`, "", false, true},
		{"\"caf\xc3\xa9\"", "caf\xc3\xa9", true, false},
		{"{3}x\r\nabc", "", false, false},
		{"~{3}\r\nabc", "", false, false},
	}
	for _, tt := range tests {
		c := newConn("t X "+tt.in+"\r\n", Options{})
		if _, err := c.r.ReadCommand(); err != nil || c.r.SP() != nil {
			t.Fatal(err)
		}
		var got string
		var err error
		if tt.nstring {
			var ok bool
			got, ok, err = c.r.NString()
			if !ok && err == nil {
				got = "<nil>"
			}
		} else {
			got, err = c.r.AString()
		}
		if err == nil {
			err = c.r.EOL()
		}
		if (err == nil) != tt.ok || (tt.ok && got != tt.want) {
			t.Errorf("%q: got %q, %v", tt.in, got, err)
		}
	}
}

func TestNumSet(t *testing.T) {
	tests := []struct {
		in   string
		want string
		res  bool
		ok   bool
	}{
		{"1", "1", false, true},
		{"1:*", "1:*", false, true},
		{"*", "*", false, true},
		{"2,4:7,9,12:*", "2,4:7,9,12:*", false, true},
		{"7:4", "4:7", false, true},
		{"$", "", true, true},
		{"0", "", false, false},
		{"1:0", "", false, false},
		{"1,", "", false, false},
		{"4294967296", "", false, false},
	}
	for _, tt := range tests {
		c := newConn("t X "+tt.in+"\r\n", Options{})
		c.r.ReadCommand()
		c.r.SP()
		set, err := c.r.NumSet(true)
		if err == nil {
			err = c.r.EOL()
		}
		if (err == nil) != tt.ok {
			t.Errorf("%q: err %v", tt.in, err)
			continue
		}
		if !tt.ok {
			continue
		}
		if imap.IsSearchRes(set) != tt.res || (!tt.res && set.String() != tt.want) {
			t.Errorf("%q: got %v", tt.in, set)
		}
		if _, isUID := set.(imap.UIDSet); !isUID {
			t.Errorf("%q: UID set is %T", tt.in, set)
		}
	}
}

func TestDates(t *testing.T) {
	pdt := time.FixedZone("", -7*3600)
	tests := []struct {
		in       string
		dateTime bool
		want     time.Time
		ok       bool
	}{
		{"1-Feb-1994", false, time.Date(1994, 2, 1, 0, 0, 0, 0, time.UTC), true},
		{`"01-feb-1994"`, false, time.Date(1994, 2, 1, 0, 0, 0, 0, time.UTC), true},
		{"31-Feb-1994", false, time.Time{}, false},
		{"1-Foo-1994", false, time.Time{}, false},
		{`"17-Jul-1996 02:44:25 -0700"`, true, time.Date(1996, 7, 17, 2, 44, 25, 0, pdt), true},
		{`" 7-Jul-1996 02:44:25 +0000"`, true, time.Date(1996, 7, 7, 2, 44, 25, 0, time.UTC), true},
		{`"17-Jul-1996 25:44:25 -0700"`, true, time.Time{}, false},
		{`"17-Jul-1996 02:44:25"`, true, time.Time{}, false},
	}
	for _, tt := range tests {
		c := newConn("t X "+tt.in+"\r\n", Options{})
		c.r.ReadCommand()
		c.r.SP()
		var got time.Time
		var err error
		if tt.dateTime {
			got, err = c.r.DateTime()
		} else {
			got, err = c.r.Date()
		}
		if (err == nil) != tt.ok || (tt.ok && !got.Equal(tt.want)) {
			t.Errorf("%q: got %v, %v", tt.in, got, err)
		}
	}
}

func TestFlagsAndNumbers(t *testing.T) {
	c := newConn("t X (\\seen \\Answered $Forwarded) 4294967295 9223372036854775807 0\r\n", Options{})
	c.r.ReadCommand()
	c.r.SP()
	flags, err := c.r.FlagList()
	if err != nil || len(flags) != 3 || flags[0] != imap.FlagSeen || flags[2] != "$Forwarded" {
		t.Fatalf("flags %v %v", flags, err)
	}
	c.r.SP()
	if n, err := c.r.Number(); n != 4294967295 || err != nil {
		t.Fatalf("number %v %v", n, err)
	}
	c.r.SP()
	if n, err := c.r.Number64(); n != 1<<63-1 || err != nil {
		t.Fatalf("number64 %v %v", n, err)
	}
	c.r.SP()
	if _, err := c.r.NZNumber(); err == nil {
		t.Fatal("nz-number accepted 0")
	}
}

func TestReadLine(t *testing.T) {
	r := NewReader(strings.NewReader("a IDLE\r\nDONE\r\nb NOOP\r\n"), Options{})
	cmd, _ := r.ReadCommand()
	if cmd.Name != "IDLE" || r.EOL() != nil {
		t.Fatal(cmd)
	}
	if l, err := r.ReadLine(); l != "DONE" || err != nil {
		t.Fatalf("%q %v", l, err)
	}
	if cmd, _ := r.ReadCommand(); cmd.Tag != "b" {
		t.Fatal(cmd)
	}
	if _, err := r.ReadCommand(); err != io.EOF {
		t.Fatalf("want EOF, got %v", err)
	}
}

func wireErr(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return nil
}
