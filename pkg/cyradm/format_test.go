package cyradm

import (
	"bufio"
	"strings"
	"testing"
)

func TestWriteColumns(t *testing.T) {
	var b strings.Builder
	writeColumns(&b, []string{"aa", "bbbb", "c", "dd", "e"}, 12)
	// width 5 (longest + 1), 2 per 12-column line, 3 rows, column-major,
	// every entry padded to width+1.
	want := "aa    dd    \nbbbb  e     \nc     \n"
	if b.String() != want {
		t.Errorf("got %q, want %q", b.String(), want)
	}
	b.Reset()
	writeColumns(&b, []string{strings.Repeat("x", 100)}, 79)
	if b.String() != strings.Repeat("x", 100)+"\n" {
		t.Errorf("wide entry: %q", b.String())
	}
}

func TestPerlNumber(t *testing.T) {
	tests := map[float64]string{0: "0", 12.34: "12.34", 100: "100", 100.0 / 3: "33.3333333333333", 0.4: "0.4", 1e20: "1e+20", 250: "250"}
	for in, want := range tests {
		if got := perlNumber(in); got != want {
			t.Errorf("perlNumber(%v) = %q, want %q", in, got, want)
		}
	}
}

func TestFormatResources(t *testing.T) {
	var b strings.Builder
	formatResources(&b, []QuotaResource{{"STORAGE", 1234, 10000}, {"MESSAGE", 2, 500}, {"X", 5, 0}})
	if want := " STORAGE 1234/10000 (12.34%) MESSAGE 2/500 (0.4%) X 5/0"; b.String() != want {
		t.Errorf("got %q, want %q", b.String(), want)
	}
}

func TestReadResponse(t *testing.T) {
	in := "* LIST (\\HasNoChildren \\Sent) \"/\" \"Shared Folders/board\"\r\n" +
		"* ACL user/alice alice lrswipkxtecdan {3}\r\nbob lrs\r\n" +
		"* QUOTA user/alice (STORAGE 0 10000 MESSAGE 2 500)\r\n" +
		"* 3 EXISTS\r\n" +
		"C1 NO [TRYCREATE] Mailbox does not exist\r\n" +
		"+ dGVzdA==\r\n" +
		"* ID NIL\r\n"
	br := bufio.NewReader(strings.NewReader(in))
	want := []string{
		`* LIST [[\HasNoChildren \Sent] / Shared Folders/board] "" ""`,
		`* ACL [user/alice alice lrswipkxtecdan bob lrs] "" ""`,
		`* QUOTA [user/alice [STORAGE 0 10000 MESSAGE 2 500]] "" ""`,
		`* EXISTS [] "" ""`,
		`C1 NO [] "TRYCREATE" "Mailbox does not exist"`,
		`+  [] "" "dGVzdA=="`,
		`* ID [<nil>] "" ""`,
	}
	for _, w := range want {
		r, err := readResponse(br)
		if err != nil {
			t.Fatal(err)
		}
		got := r.Tag + " " + r.Name + " " + sprintArgs(r.Args) + " " + quote(r.Code) + " " + quote(r.Text)
		if got != w {
			t.Errorf("got  %s\nwant %s", got, w)
		}
	}
	for _, bad := range []string{"* LIST (\\a\r\n", "* X {99999999999}\r\n", "* X \"abc\r\n", "", "* X {5}\r\nab", "* X " + strings.Repeat("(", 40) + "\r\n"} {
		if _, err := readResponse(bufio.NewReader(strings.NewReader(bad))); err == nil {
			t.Errorf("readResponse(%q) succeeded", bad)
		}
	}
}

func quote(s string) string { return `"` + s + `"` }

func sprintArgs(args []any) string {
	parts := []string{}
	for _, a := range args {
		switch v := a.(type) {
		case List:
			parts = append(parts, sprintArgs(v))
		case nil:
			parts = append(parts, "<nil>")
		default:
			parts = append(parts, str(v))
		}
	}
	return "[" + strings.Join(parts, " ") + "]"
}

func FuzzReadResponse(f *testing.F) {
	for _, s := range []string{"* OK [CAPABILITY IMAP4rev1] hi\r\n", "* LIST (\\X) \"/\" a\r\n", "* ACL a {2}\r\nxy b\r\n", "+ \r\n", "C1 BAD x\r\n", "* 1 FETCH (BODY[HEADER] {1}\r\nx)\r\n"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		br := bufio.NewReader(strings.NewReader(s))
		for i := 0; i < 100; i++ {
			if _, err := readResponse(br); err != nil {
				return
			}
		}
	})
}
