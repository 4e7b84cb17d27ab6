package smmap

import (
	"io"
	"net"
	"os"
	"strconv"
	"strings"
	"testing"
)

// TestMatchesCyrus replays test/compat/fixtures/smmapd.txt (captured from
// Cyrus 3.6.1 by test/compat/capture/smmapd.py on the same tree as
// tree's): every request on its own connection, the answers up to the
// close byte for byte.
func TestMatchesCyrus(t *testing.T) {
	data, err := os.ReadFile("../../test/compat/fixtures/smmapd.txt")
	if err != nil {
		t.Fatal(err)
	}
	st := tree(t)
	overQuota(t, st, "user.bob")
	s := NewServer(st, nil)
	n := 0
	for line := range strings.Lines(string(data)) {
		if strings.HasPrefix(line, "#") {
			continue
		}
		req, want, ok := strings.Cut(strings.TrimSuffix(line, "\n"), "\t")
		if !ok {
			t.Fatalf("bad fixture line %q", line)
		}
		raw, exp := pyBytes(t, req), pyBytes(t, want)
		c := dial(t, s)
		io.WriteString(c, raw)
		c.(*net.TCPConn).CloseWrite()
		got, _ := io.ReadAll(c)
		if string(got) != exp {
			t.Errorf("%q: got %q, Cyrus 3.6.1 %q", raw, got, exp)
		}
		n++
	}
	if n < 20 {
		t.Fatalf("only %d cases in the fixture", n)
	}
}

// pyBytes reads a Python bytes literal (b'...' or b"...") as repr() writes it.
func pyBytes(t *testing.T, lit string) string {
	t.Helper()
	if len(lit) < 3 || lit[0] != 'b' {
		t.Fatalf("not a bytes literal: %q", lit)
	}
	q, inner := lit[1], lit[2:len(lit)-1]
	if q == '\'' {
		inner = strings.ReplaceAll(strings.ReplaceAll(inner, `\'`, `'`), `"`, `\"`)
	}
	s, err := strconv.Unquote(`"` + inner + `"`)
	if err != nil {
		t.Fatalf("%q: %v", lit, err)
	}
	return s
}
