package test

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// fixtureCase is one captured command of a test/compat/fixtures block
// file (the format quota.txt's header describes).
type fixtureCase struct {
	args           string // the command line after "-C <imapd.conf> "
	code           int
	stdout, stderr string
}

var (
	fixtureHead   = regexp.MustCompile(`(?m)^\$ (.*)\n\[exit (\d+)\]\n--- stdout \((\d+) bytes\)\n`)
	fixtureStderr = regexp.MustCompile(`^\n--- stderr \((\d+) bytes\)\n`)
)

// readFixtureCases parses every block of a fixture file, in order.
func readFixtureCases(t *testing.T, file string) []fixtureCase {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("compat", "fixtures", file))
	if err != nil {
		t.Fatal(err)
	}
	var cases []fixtureCase
	for pos := 0; ; {
		m := fixtureHead.FindSubmatchIndex(data[pos:])
		if m == nil {
			return cases
		}
		c := fixtureCase{args: string(data[pos+m[2] : pos+m[3]])}
		c.code, _ = strconv.Atoi(string(data[pos+m[4] : pos+m[5]]))
		outLen := string(data[pos+m[6] : pos+m[7]])
		pos += m[1]
		c.stdout, pos = fixtureBytes(t, file, data, pos, outLen)
		errHead := fixtureStderr.FindSubmatch(data[pos:])
		if errHead == nil {
			t.Fatalf("%s: no stderr part for %q", file, c.args)
		}
		pos += len(errHead[0])
		c.stderr, pos = fixtureBytes(t, file, data, pos, string(errHead[1]))
		if _, rest, ok := strings.Cut(c.args, " -C "); ok {
			_, c.args, _ = strings.Cut(rest, " ")
		}
		cases = append(cases, c)
	}
}

// fixtureBytes returns the count (decimal) bytes of data at pos and the
// position after them.
func fixtureBytes(t *testing.T, file string, data []byte, pos int, count string) (string, int) {
	t.Helper()
	n, err := strconv.Atoi(count)
	if err != nil || pos+n > len(data) {
		t.Fatalf("%s: bad byte count %q at %d", file, count, pos)
	}
	return string(data[pos : pos+n]), pos + n
}

// fixture returns the nth (from 0) case of file whose arguments are args.
func fixture(t *testing.T, file, args string, nth int) fixtureCase {
	t.Helper()
	for _, c := range readFixtureCases(t, file) {
		if c.args == args {
			if nth == 0 {
				return c
			}
			nth--
		}
	}
	t.Fatalf("%s: no case %q", file, args)
	return fixtureCase{}
}

// ctimeDate is a date as ctime(3) prints it.
var ctimeDate = regexp.MustCompile(`[A-Z][a-z]{2} [A-Z][a-z]{2} [ 0-9]\d \d\d:\d\d:\d\d \d{4}`)

// outputShape blanks what legitimately differs between two runs: times
// (on the lines named), the hex time of DELETED names, and the message
// count of cyr_expire's summary (Cyrus counts its index's expunged
// records too).
func outputShape(s string, timeLines ...string) string {
	lines := strings.SplitAfter(s, "\n")
	for i, l := range lines {
		for _, prefix := range timeLines {
			if strings.HasPrefix(l, prefix) {
				lines[i] = ctimeDate.ReplaceAllString(l, "<date>")
			}
		}
	}
	s = strings.Join(lines, "")
	s = regexp.MustCompile(`(DELETED\.\S+)\.[0-9A-F]{8}\b`).ReplaceAllString(s, "$1.<hex>")
	return regexp.MustCompile(`out of \d+ messages`).ReplaceAllString(s, "out of N messages")
}

// compareWithFixture runs prog with the case's arguments and checks exit
// code, stdout and stderr against the capture, after outputShape.
func compareWithFixture(t *testing.T, s *site, prog string, c fixtureCase, timeLines ...string) {
	t.Helper()
	args := strings.Fields(c.args)
	for i, a := range args {
		args[i] = strings.Trim(a, "'") // the shell's quotes
	}
	r := s.run("", prog, args...)
	got := result{r.code, outputShape(r.stdout, timeLines...), outputShape(r.stderr, timeLines...)}
	want := result{c.code, outputShape(c.stdout, timeLines...), outputShape(c.stderr, timeLines...)}
	if got != want {
		t.Errorf("%s %s differs from Cyrus 3.6.1:\ngot  exit %d\n%s\n--stderr--\n%s\nwant exit %d\n%s\n--stderr--\n%s",
			prog, c.args, got.code, got.stdout, got.stderr, want.code, want.stdout, want.stderr)
	}
}

func TestExpireFixtureParser(t *testing.T) {
	cases := readFixtureCases(t, "unexpunge.txt")
	if len(cases) < 10 || cases[0].args != "-l user/alice" || !strings.HasPrefix(cases[0].stdout, "UID: 1\n") ||
		!bytes.HasSuffix([]byte(cases[0].stdout), []byte("\n\n")) {
		t.Fatalf("parsed %d cases; first %+v", len(cases), cases[0])
	}
}
