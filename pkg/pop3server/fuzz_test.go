package pop3server

import (
	"bufio"
	"bytes"
	"strings"
	"testing"
)

func TestParseCommand(t *testing.T) {
	for _, tc := range []struct {
		line string
		verb string
		args []string
		rest string
		err  error
	}{
		{"stat", "STAT", nil, "", nil},
		{"LIST 1", "LIST", []string{"1"}, "1", nil},
		{"top  2   10 ", "TOP", []string{"2", "10"}, " 2   10 ", nil},
		{"PASS a secret with spaces", "PASS", []string{"a", "secret", "with", "spaces"}, "a secret with spaces", nil},
		{"", "", nil, "", errEmptyCommand},
		{"   ", "", nil, "", errEmptyCommand},
		{"XY", "", nil, "", errBadCommand},
		{"RETRIEVE 1", "", nil, "", errBadCommand},
		{"R3TR 1", "", nil, "", errBadCommand},
		{"USER al\x00ice", "", nil, "", errNUL},
		{"PASS secret\x00", "", nil, "", errNUL},
		{"\x00", "", nil, "", errNUL},
	} {
		cmd, err := parseCommand(tc.line)
		if err != tc.err {
			t.Errorf("%q: err %v, want %v", tc.line, err, tc.err)
			continue
		}
		if err != nil {
			continue
		}
		if cmd.Verb != tc.verb || strings.Join(cmd.Args, "|") != strings.Join(tc.args, "|") || cmd.Rest != tc.rest {
			t.Errorf("%q: %+v", tc.line, cmd)
		}
	}
}

func FuzzParseCommand(f *testing.F) {
	for _, s := range []string{"STAT", "LIST 1", "TOP 1 10", "PASS x y", "", " ", "\x00", "AUTH PLAIN =", "RETR 99999999999"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, line string) {
		cmd, err := parseCommand(line)
		if err != nil {
			return
		}
		if len(cmd.Verb) < 3 || len(cmd.Verb) > 4 || cmd.Verb != strings.ToUpper(cmd.Verb) {
			t.Fatalf("verb %q", cmd.Verb)
		}
		if len(cmd.Args) > maxArgs+1 {
			t.Fatalf("%d args", len(cmd.Args))
		}
		for _, a := range cmd.Args {
			if a == "" || strings.Contains(a, " ") {
				t.Fatalf("arg %q", a)
			}
			if n, err := parseNumber(a); err == nil && n < 0 {
				t.Fatalf("negative number %d", n)
			}
		}
	})
}

// unstuff reverses a multi-line body: strips the final ".\r\n" and one
// leading dot of each line.
func unstuff(t *testing.T, b []byte) []byte {
	if !bytes.HasSuffix(b, []byte("\n.\r\n")) && !bytes.Equal(b, []byte(".\r\n")) {
		t.Fatalf("no terminator: %q", b)
	}
	b = b[:len(b)-3]
	var out []byte
	for _, l := range bytes.SplitAfter(b, []byte("\n")) {
		if len(l) > 0 && l[0] == '.' {
			if len(l) < 2 || l[1] != '.' {
				t.Fatalf("unstuffed dot line %q", l)
			}
			l = l[1:]
		}
		out = append(out, l...)
	}
	return out
}

func FuzzCopyStuffed(f *testing.F) {
	for _, s := range []string{msgPlain, msgDots, msgNoEOL, "", ".", "\r\n", "a\n.b\n", strings.Repeat(".", 20000) + "\r\n."} {
		f.Add(s, -1)
		f.Add(s, 1)
	}
	f.Fuzz(func(t *testing.T, msg string, lines int) {
		if lines < -1 {
			lines = -1
		}
		var out bytes.Buffer
		w := bufio.NewWriter(&out)
		if err := copyStuffed(w, strings.NewReader(msg), bufio.NewReaderSize(nil, 16), lines); err != nil {
			t.Fatal(err)
		}
		w.Flush()
		got := unstuff(t, out.Bytes())
		want := msg
		if msg != "" && !strings.HasSuffix(msg, "\n") {
			want += "\r\n"
		}
		if lines == -1 && string(got) != want {
			t.Fatalf("round trip %q -> %q", want, got)
		}
		if lines >= 0 && !strings.HasPrefix(want, string(got)) {
			t.Fatalf("TOP output %q is not a prefix of %q", got, want)
		}
	})
}
