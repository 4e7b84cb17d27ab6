package sieve

import (
	"strings"
	"testing"
)

func TestLexer(t *testing.T) {
	cases := []struct {
		src  string
		kind tokKind
		text string
		num  int64
	}{
		{`"a\"b\\c\d"`, tokString, `a"b\cd`, 0},
		{"10K", tokNumber, "", 10 << 10},
		{"2m", tokNumber, "", 2 << 20},
		{"1G", tokNumber, "", 1 << 30},
		{":Contains", tokTag, ":contains", 0},
		{"FileInto", tokIdent, "fileinto", 0},
		{"text: # c\r\nline\r\n..dot\r\n.\r\n", tokString, "line\r\n.dot\r\n", 0},
		{"text:\n.\n", tokString, "", 0},
		{"# only comment\n/* c */ ;", tokSemicolon, "", 0},
	}
	for _, tc := range cases {
		tok, err := newLexer([]byte(tc.src)).next()
		if err != nil {
			t.Errorf("%q: %v", tc.src, err)
			continue
		}
		if tok.kind != tc.kind || tok.text != tc.text || tok.num != tc.num {
			t.Errorf("%q: got %v %q %d", tc.src, tok.kind, tok.text, tok.num)
		}
	}
	bad := []struct {
		src       string
		line, col int
	}{
		{"99999999999999999999", 1, 1},
		{"\n  text: x\n.\n", 2, 9},
		{"text:\nno end\n", 1, 1},
		{"  ä", 1, 3},
		{": x", 1, 1},
	}
	for _, tc := range bad {
		_, err := newLexer([]byte(tc.src)).next()
		if err == nil || err.Line != tc.line || err.Column != tc.col {
			t.Errorf("%q: got %v, want %d:%d", tc.src, err, tc.line, tc.col)
		}
	}
}

func TestParseErrors(t *testing.T) {
	cases := []struct {
		src, msg  string
		line, col int
	}{
		{"if (true) { keep; }", "if needs exactly one test", 1, 1},
		{"if frob { keep; }", `unknown test "frob"`, 1, 4},
		{"if true { keep;", `expected "}"`, 1, 16},
		{"keep }", `expected ";" or "{" after keep`, 1, 6},
		{"if anyof true { keep; }", "needs a test list", 1, 4},
		{"if not (true, false) { keep; }", "not needs exactly one test", 1, 4},
		{"if true { keep; } elsif { keep; }", "elsif needs exactly one test", 1, 19},
		{"stop 1;", "stop takes no arguments", 1, 6},
	}
	for _, tc := range cases {
		_, err := Compile([]byte(tc.src), Options{})
		se, ok := err.(*Error)
		if !ok || se.Line != tc.line || se.Column != tc.col || !strings.Contains(se.Msg, tc.msg) {
			t.Errorf("%q: got %v, want %d:%d %s", tc.src, err, tc.line, tc.col, tc.msg)
		}
	}
}
