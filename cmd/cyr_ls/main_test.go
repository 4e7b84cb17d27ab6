package main

import (
	"strings"
	"testing"
)

// TestPrintName covers each of Cyrus's quoting forms and the width it
// counts for the column (bytes; the escaped form counts the name, not its
// backslashes), including hostile names made only of quotes.
func TestPrintName(t *testing.T) {
	for _, c := range []struct {
		name, out string
		n         int
	}{
		{"Sub", " Sub", 4},
		{"Ünï", " Ünï", 6},
		{"&ANw-n&AO8-", "'&ANw-n&AO8-'", 13},
		{"a b", "'a b'", 5},
		{"it's", `"it's"`, 6},
		{`it's "x"`, `'it\'s "x"'`, 10},
		{`'"`, `'\'"'`, 4},
		{"", " ", 1},
	} {
		var b strings.Builder
		if n := printName(&b, c.name); b.String() != c.out || n != c.n {
			t.Errorf("printName(%q) = %q, %d; want %q, %d", c.name, b.String(), n, c.out, c.n)
		}
	}
}

// TestDigitOptions: -1 and -7 reach urfave as long flags wherever getopt
// allows them, and an argument of -C that looks like them stays one.
func TestDigitOptions(t *testing.T) {
	for in, want := range map[string]string{
		"cyr_ls -lR1 user.x":     "cyr_ls -l -R --one -- user.x",
		"cyr_ls user.x -7":       "cyr_ls --utf7 -- user.x",
		"cyr_ls -C -1 -7":        "cyr_ls -C -1 --utf7",
		"cyr_ls -1 -- -7":        "cyr_ls --one -- -7",
		"cyr_ls -C/x.conf -71ip": "cyr_ls -C /x.conf --utf7 --one -i -p",
	} {
		if got := strings.Join(digitOptions(strings.Fields(in)), " "); got != want {
			t.Errorf("%s: %s, want %s", in, got, want)
		}
	}
}
