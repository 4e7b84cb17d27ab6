package wire

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
)

// parseAppendUTF8 reads one APPEND with RFC 6855's UTF8 form admitted and
// returns each message as "[UTF8 ]body" (CATENATE parts joined with "+").
func parseAppendUTF8(in string) ([]string, error) {
	r := NewReader(strings.NewReader(in), Options{MaxLineLength: 4096, MaxLiteralSize: 1 << 16,
		MaxStringBuffer: 1 << 16, Continue: func(LiteralInfo) error { return nil }})
	if _, err := r.ReadCommand(); err != nil {
		return nil, err
	}
	p, err := ParseAppend(r)
	if err != nil {
		return nil, err
	}
	p.AcceptUTF8 = true
	var out []string
	for {
		m, err := p.Next()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return out, err
		}
		var b bytes.Buffer
		if m.UTF8 {
			b.WriteString("UTF8 ")
		}
		if m.Catenate {
			for {
				part, err := p.NextPart()
				if errors.Is(err, io.EOF) {
					break
				}
				if err != nil {
					return out, err
				}
				b.WriteString("+")
				if part.Body != nil {
					if _, err := b.ReadFrom(part.Body); err != nil {
						return out, err
					}
				}
			}
		} else if _, err := b.ReadFrom(m.Body); err != nil {
			return out, err
		}
		out = append(out, b.String())
	}
}

func TestAppendUTF8Form(t *testing.T) {
	for _, tc := range []struct {
		in      string
		want    []string
		wantErr string
	}{
		{"a APPEND INBOX UTF8 (~{2+}\r\nä)\r\n", []string{"UTF8 ä"}, ""},
		{"a APPEND INBOX (\\Seen) utf8 (~{1}\r\nx)\r\n", []string{"UTF8 x"}, ""},
		{"a APPEND INBOX UTF8 (~{1}\r\nx) {1}\r\ny UTF8 (~{1}\r\nz)\r\n", []string{"UTF8 x", "y", "UTF8 z"}, ""},
		{"a APPEND INBOX CATENATE (UTF8 (~{1}\r\nx) TEXT {1}\r\ny)\r\n", []string{"+x+y"}, ""},
		{"a APPEND INBOX UTF8 ({1}\r\nx)\r\n", nil, "UTF8 data must be a literal8"},
		{"a APPEND INBOX UTF8 ~{1}\r\nx\r\n", nil, "expected ("},
		{"a APPEND INBOX UTF8 (~{1}\r\nx\r\n", nil, "expected )"},
		{"a APPEND INBOX UTF8X (~{1}\r\nx)\r\n", nil, "expected message literal"},
		{"a APPEND INBOX CATENATE (UTF8 ({1}\r\nx))\r\n", nil, "UTF8 data must be a literal8"},
	} {
		got, err := parseAppendUTF8(tc.in)
		switch {
		case tc.wantErr != "":
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("%q: err %v, want %q", tc.in, err, tc.wantErr)
			}
		case err != nil:
			t.Errorf("%q: %v", tc.in, err)
		case strings.Join(got, "|") != strings.Join(tc.want, "|"):
			t.Errorf("%q: %q, want %q", tc.in, got, tc.want)
		}
	}
}

// FuzzAppendUTF8 drives APPEND with the UTF8 form admitted: no panic, and
// every refusal says why.
func FuzzAppendUTF8(f *testing.F) {
	for _, s := range []string{
		"a APPEND INBOX UTF8 (~{2+}\r\nä)\r\n",
		"a APPEND INBOX CATENATE (UTF8 (~{1}\r\nx) TEXT {1}\r\ny)\r\n",
		"a APPEND INBOX UTF8 (~{1}\r\nx) UTF8 ({1}\r\ny)\r\n",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		_, err := parseAppendUTF8(in)
		var e *Error
		if err != nil && errors.As(err, &e) && e.Msg == "" {
			t.Fatal("error without message")
		}
	})
}
