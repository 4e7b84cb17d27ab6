package sieve

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestCompileCorpus compiles every script under testdata/compile. The
// first line says what to expect: "# ok" or "# error L:C message-substring".
func TestCompileCorpus(t *testing.T) {
	files, err := filepath.Glob("testdata/compile/*.sieve")
	if err != nil || len(files) == 0 {
		t.Fatalf("no corpus: %v", err)
	}
	opts := Options{Include: func(name string, global bool) ([]byte, error) {
		if name == "sub" {
			return []byte("require \"variables\";\nset \"x\" \"1\";\n"), nil
		}
		return nil, fs.ErrNotExist
	}}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			src, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			first, _, _ := strings.Cut(string(src), "\n")
			_, cerr := Compile(src, opts)
			if first == "# ok" {
				if cerr != nil {
					t.Fatalf("unexpected error: %v", cerr)
				}
				return
			}
			var line, col int
			var msg string
			if n, _ := fmt.Sscanf(first, "# error %d:%d", &line, &col); n != 2 {
				t.Fatalf("bad expectation line %q", first)
			}
			msg = strings.SplitN(first, " ", 4)[3]
			var se *Error
			if !errors.As(cerr, &se) {
				t.Fatalf("want *Error at %d:%d, got %v", line, col, cerr)
			}
			if se.Line != line || se.Column != col || !strings.Contains(se.Msg, msg) {
				t.Fatalf("got %v, want line %d column %d: ...%s...", se, line, col, msg)
			}
		})
	}
}
