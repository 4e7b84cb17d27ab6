package managesieve

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
)

func readAll(input string, maxLine int, maxLiteral int64) (cmds []string, errs []string) {
	cr := newCommandReader(bufio.NewReader(strings.NewReader(input)), maxLine, maxLiteral)
	for {
		cmd, err := cr.readCommand()
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			return cmds, errs
		}
		if err != nil {
			errs = append(errs, err.Error())
			continue
		}
		cmds = append(cmds, fmt.Sprintf("%s %v", cmd.name, cmd.args))
	}
}

func TestCommandReader(t *testing.T) {
	tests := []struct {
		in         string
		cmds, errs []string
	}{
		{"LISTSCRIPTS\r\n", []string{"LISTSCRIPTS []"}, nil},
		{"\r\n\nnoop\n", []string{"NOOP []"}, nil},
		{`putscript "a b" {5+}` + "\r\nkeep;\r\n", []string{"PUTSCRIPT [{0 a b 0} {0 keep; 0}]"}, nil},
		{`PUTSCRIPT "x" {3}` + "\r\n\r\n\"\r\n", []string{"PUTSCRIPT [{0 x 0} {0 \r\n\" 0}]"}, nil},
		{`HAVESPACE "x" 4294967295` + "\r\n", []string{"HAVESPACE [{0 x 0} {1  4294967295}]"}, nil},
		{`HAVESPACE "x" 4294967296` + "\r\nNOOP\r\n", []string{"NOOP []"}, []string{"Number too large"}},
		{`NOOP "a\"b\\c"` + "\r\n", []string{`NOOP [{0 a"b\c 0}]`}, nil},
		{"NOOP \"a\nb\"\r\nNOOP\r\n", []string{"NOOP []"}, []string{"Unterminated quoted string", "Expected SPACE"}},
		{`NOOP "\x"` + "\r\nNOOP\r\n", []string{"NOOP []"}, []string{"Invalid escape in quoted string"}},
		{"NOOP  \"a\"\r\n", nil, []string{"Expected a string or a number"}},
		{"NOOP\"a\"\r\n", nil, []string{"Expected SPACE"}},
		{"123\r\nNOOP\r\n", []string{"NOOP []"}, []string{"Expected a command. Got something else."}},
		{"NOOP x {4+}\r\nabcd\r\nNOOP\r\n", []string{"NOOP []"}, []string{"Expected a string or a number"}},
		{"NOOP {x}\r\nNOOP\r\n", []string{"NOOP []"}, []string{"Expected a literal length"}},
		{"NOOP {2+x\r\nNOOP\r\n", []string{"NOOP []"}, []string{"Expected '}' after the literal length"}},
		{"NOOP {20+}\r\n" + strings.Repeat("z", 20) + " \"tail\"\r\nNOOP\r\n", []string{"NOOP []"},
			[]string{"Literal of 20 bytes is too large (limit 10)"}},
		{"NOOP \"" + strings.Repeat("y", 100) + "\"\r\nNOOP\r\n", []string{"NOOP []"}, []string{"Line too long"}},
		{"NOOP \"" + strings.Repeat("y", 100) + " {3+}\r\nabc\r\nNOOP\r\n", []string{"NOOP []"}, []string{"Line too long"}},
		{strings.Repeat("A", 40) + "\r\n", nil, []string{"Expected a command. Got something else."}},
	}
	for _, tt := range tests {
		cmds, errs := readAll(tt.in, 64, 10)
		if fmt.Sprint(cmds) != fmt.Sprint(tt.cmds) || fmt.Sprint(errs) != fmt.Sprint(tt.errs) {
			t.Errorf("%q:\n got %q %q\nwant %q %q", tt.in, cmds, errs, tt.cmds, tt.errs)
		}
	}
}

func TestAppendString(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", `""`},
		{"plain", `"plain"`},
		{`a"b\c`, `"a\"b\\c"`},
		{"two\r\nlines", "{10}\r\ntwo\r\nlines"},
		{"\xff", "{1}\r\n\xff"},
		{strings.Repeat("a", 1025), "{1025}\r\n" + strings.Repeat("a", 1025)},
	}
	for _, tt := range tests {
		if got := quote(tt.in); got != tt.want {
			t.Errorf("quote(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// FuzzCommandReader: any input is consumed without panics, every returned
// string argument re-encodes and parses back to itself, and the reader
// always makes progress.
func FuzzCommandReader(f *testing.F) {
	for _, s := range []string{
		"LISTSCRIPTS\r\n", `PUTSCRIPT "a" {5+}` + "\r\nkeep;\r\n", `HAVESPACE "x" 12` + "\r\n",
		`NOOP "a\"b"` + "\r\n", "NOOP {3}\r\nabc\r\n", "NOOP x {4+}\r\nabcd\r\n", "{5+}\r\n", "\"\\",
		"NOOP {99999999999}\r\n", "AUTHENTICATE \"PLAIN\" {0+}\r\n\r\n",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		cr := newCommandReader(bufio.NewReader(strings.NewReader(in)), 128, 64)
		for range len(in) + 1 {
			cmd, err := cr.readCommand()
			if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
				return
			}
			if err != nil {
				continue
			}
			if cmd.name == "" {
				t.Fatalf("command without a name from %q", in)
			}
			for _, a := range cmd.args {
				if a.kind != argString {
					continue
				}
				enc := "NOOP " + quote(a.str) + "\r\n"
				back := newCommandReader(bufio.NewReader(strings.NewReader(enc)), 1<<20, 1<<20)
				got, err := back.readCommand()
				if err != nil || len(got.args) != 1 || got.args[0].str != a.str {
					t.Fatalf("%q did not round-trip: %v %v", a.str, got, err)
				}
			}
		}
		t.Fatalf("reader made no progress on %q", in)
	})
}
