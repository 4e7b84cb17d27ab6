package wire

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
)

// Seeds: real client traffic for every parser, plus literal edge cases.
func fuzzSeeds() []string {
	var seeds []string
	for _, tt := range parseTests {
		seeds = append(seeds, strings.TrimPrefix(tt.line, "C: ")+"\r\n")
	}
	return append(seeds,
		"a LOGIN {4611686018427387903}\r\n",
		"a LOGIN {4611686018427387903+}\r\nxx\r\n",
		"a APPEND INBOX ~{99999999999}\r\n",
		"a SEARCH "+strings.Repeat("(", 200)+"ALL"+strings.Repeat(")", 200)+"\r\n",
		"a SEARCH "+strings.Repeat("NOT ", 200)+"ALL\r\n",
		"a SEARCH RETURN (SAVE PARTIAL -1:-4294967295) YOUNGER 5 OLDER 0\r\n",
		"a UID SORT RETURN (MIN PARTIAL 1:10) (REVERSE DISPLAYFROM) UTF-8 UID $\r\n",
		"a FETCH 1 (BODY[1.2.3.HEADER.FIELDS (A {1}\r\nB)])\r\n",
		"a x\r\nb UID\r\n\r\n",
		"B01 UID SORT RETURN (UPDATE CONTEXT PARTIAL 1:5) (SUBJECT) UTF-8 ALL\r\n",
		"B04 CANCELUPDATE \"B01\" \"B\\\"2\"\r\n",
	)
}

// FuzzReadCommand drives every command parser over arbitrary input: no
// panic, and no allocation beyond the configured limits (the reader is run
// with small limits and every huge literal must be refused first).
func FuzzReadCommand(f *testing.F) {
	for _, s := range fuzzSeeds() {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		opts := Options{MaxLineLength: 4096, MaxLiteralSize: 1 << 16, MaxStringBuffer: 1 << 16,
			Continue: func(LiteralInfo) error { return nil }}
		r := NewReader(strings.NewReader(in), opts)
		for i := 0; i < 100; i++ {
			cmd, err := r.ReadCommand()
			if err != nil {
				var e *Error
				if !errors.As(err, &e) || e.Fatal {
					return
				}
				if e.Msg == "" {
					t.Fatal("error without message")
				}
				continue
			}
			_, err = parseAny(r, cmd)
			var e *Error
			if err != nil && errors.As(err, &e) && e.Msg == "" {
				t.Fatal("error without message")
			}
		}
	})
}

// FuzzEncodeString checks that whatever the encoder writes, the reader
// reads back unchanged (strings without NUL, which IMAP cannot carry
// outside literal8).
func FuzzEncodeString(f *testing.F) {
	for _, s := range []string{"", "INBOX", "NIL", "a b", `"\`, "x\r\ny", "caf\xc3\xa9", "]", "{3}", strings.Repeat("z", 1500)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if strings.IndexByte(s, 0) >= 0 {
			return
		}
		var b bytes.Buffer
		w := NewWriter(&b)
		w.Atom("t X ").AString(s).SP().String(s).SP().NString(s).CRLF()
		if err := w.Flush(); err != nil {
			t.Fatal(err)
		}
		r := NewReader(&b, Options{Continue: func(LiteralInfo) error { return nil }})
		if _, err := r.ReadCommand(); err != nil {
			t.Fatalf("%q: %v", b.String(), err)
		}
		get := []func() (string, error){
			r.AString,
			r.String,
			func() (string, error) { v, _, err := r.NString(); return v, err },
		}
		for i, g := range get {
			if err := r.SP(); err != nil {
				t.Fatalf("%d: %v in %q", i, err, b.String())
			}
			got, err := g()
			if err != nil || got != s {
				t.Fatalf("%d: got %q, %v; want %q (wire %q)", i, got, err, s, b.String())
			}
		}
		if err := r.EOL(); err != nil {
			t.Fatal(err)
		}
		if _, err := r.ReadCommand(); err != io.EOF {
			t.Fatalf("trailing data: %v", err)
		}
	})
}
