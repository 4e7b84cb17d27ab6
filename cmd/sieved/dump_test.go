package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"

	"gocyrus/pkg/sieve"
)

// fullLen is the dump's last line.
var fullLen = regexp.MustCompile(`\nfull len is: (\d+)\n$`)

// offsets are the offsets of the dumped commands.
var offsets = regexp.MustCompile(`(?m)^(\d{4,}): `)

// FuzzDump: any script that compiles dumps without panicking, its
// commands at increasing offsets within the length it reports. Seeds: the
// fixture scripts Cyrus's sieved dumped.
func FuzzDump(f *testing.F) {
	files, _ := filepath.Glob("../../test/compat/fixtures/sievec/*.sieve")
	for _, file := range files {
		if src, err := os.ReadFile(file); err == nil {
			f.Add(src)
		}
	}
	f.Add([]byte(`require ["variables","imap4flags"]; set "a" "b"; addflag "${a}"; if header :value "ge" "x" "1" {}`))
	f.Fuzz(func(t *testing.T, src []byte) {
		if _, err := sieve.Compile(src, sieve.Options{}); err != nil {
			return
		}
		cmds, err := sieve.ParseSyntax(src)
		if err != nil {
			t.Fatal(err)
		}
		out := dump(cmds, vacationLimits{3 * 86400, 90 * 86400})
		m := fullLen.FindStringSubmatch(out)
		if m == nil {
			t.Fatalf("no length line:\n%s", out)
		}
		total, _ := strconv.Atoi(m[1])
		prev := headerWords - 1
		for _, o := range offsets.FindAllStringSubmatch(out, -1) {
			n, _ := strconv.Atoi(o[1])
			if n <= prev || n >= total {
				t.Fatalf("offset %d after %d, length %d:\n%s", n, prev, total, out)
			}
			prev = n
		}
	})
}
