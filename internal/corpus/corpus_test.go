package corpus

import (
	"bytes"
	"os"
	"strings"
	"testing"
)

func TestParseValue(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{`NIL`, `NIL`},
		{`"a \"q\" b"`, `"a \"q\" b"`},
		{"{3}\r\nx\"y", `"x\"y"`},
		{"~{2}\r\n\x00\xff", `"\x00\xff"`},
		{`("a" NIL (1 2) BODY[HEADER.FIELDS (FROM)]<0>)`, `("a" NIL (1 2) BODY[HEADER.FIELDS (FROM)]<0>)`},
	} {
		v, err := ParseValue(c.in)
		if err != nil || v.String() != c.want {
			t.Errorf("ParseValue(%q) = %s, %v; want %s", c.in, v, err, c.want)
		}
	}
	for _, bad := range []string{``, `(`, `"open`, "{5}\r\nab", `a b`, strings.Repeat("(", maxDepth+2) + strings.Repeat(")", maxDepth+2)} {
		if _, err := ParseValue(bad); err == nil {
			t.Errorf("ParseValue(%q) accepted", bad)
		}
	}
}

// A quoted string and a literal are the same value; the tagged text and
// the item order are free; status and code are not.
func TestDiff(t *testing.T) {
	want, err := ParseReply([]byte("* 1 FETCH (UID 5 BODY[1] {2}\r\nhi ENVELOPE (NIL))\r\nT OK done\r\n"))
	if err != nil {
		t.Fatal(err)
	}
	got, err := ParseReply([]byte("* 1 FETCH (ENVELOPE (NIL) BODY[1] \"hi\")\r\nT OK Completed\r\n"))
	if err != nil {
		t.Fatal(err)
	}
	if d := Diff(want, got); len(d) != 0 {
		t.Errorf("equal answers differ: %v", d)
	}
	no, _ := ParseReply([]byte("T NO [UNKNOWN-CTE] nope\r\n"))
	if d := Diff(want, no); len(d) == 0 {
		t.Error("a NO without the items compared equal to the OK")
	}
	hits, _ := ParseReply([]byte("* SORT 2 1\r\nT OK x\r\n"))
	other, _ := ParseReply([]byte("* SORT 1 2\r\nT OK x\r\n"))
	if d := Diff(hits, other); len(d) != 1 {
		t.Errorf("SORT order ignored: %v", d)
	}
}

// Only the case-insensitive tokens of a body structure fold; values do not.
func TestFoldBodyCase(t *testing.T) {
	a, _ := ParseValue(`(("text" "plain" ("charset" "UTF-8") NIL NIL "base64" 4 1 NIL ("attachment" ("filename" "A.txt")) NIL NIL) "mixed" ("boundary" "Xy") NIL NIL NIL)`)
	b, _ := ParseValue(`(("TEXT" "PLAIN" ("CHARSET" "UTF-8") NIL NIL "BASE64" 4 1 NIL ("ATTACHMENT" ("FILENAME" "A.txt")) NIL NIL) "MIXED" ("BOUNDARY" "Xy") NIL NIL NIL)`)
	if FoldBodyCase(a).String() != FoldBodyCase(b).String() {
		t.Errorf("fold differs:\n%s\n%s", FoldBodyCase(a), FoldBodyCase(b))
	}
	c, _ := ParseValue(`(("TEXT" "PLAIN" ("CHARSET" "utf-8") NIL NIL "BASE64" 4 1 NIL ("ATTACHMENT" ("FILENAME" "a.txt")) NIL NIL) "MIXED" ("BOUNDARY" "xy") NIL NIL NIL)`)
	if FoldBodyCase(a).String() == FoldBodyCase(c).String() {
		t.Error("parameter values folded")
	}
}

func TestTranscriptRoundTrip(t *testing.T) {
	ex := []Exchange{{"FETCH 1 (BODY.PEEK[])", []byte("* 1 FETCH (BODY[] {3}\r\n\xff\n\x00)\r\nT OK x\r\n")}, {"SEARCH ALL", []byte("T OK\r\n")}}
	path := t.TempDir() + "/t.txt"
	if err := WriteTranscript(path, "one\ntwo", ex); err != nil {
		t.Fatal(err)
	}
	data := mustRead(t, path)
	back, err := ReadTranscript(data)
	if err != nil || len(back) != 2 || !bytes.Equal(back[0].Reply, ex[0].Reply) || back[1].Command != "SEARCH ALL" {
		t.Fatalf("round trip: %q, %v", back, err)
	}
	for _, bad := range []string{"junk\n", "> X\n< 99\nshort\n", "> X\n< -1\n\n"} {
		if _, err := ReadTranscript([]byte(bad)); err == nil {
			t.Errorf("ReadTranscript(%q) accepted", bad)
		}
	}
}

// FetchCommands walks multiparts, message/rfc822 and a single part alike.
func TestFetchCommands(t *testing.T) {
	bs, _ := ParseValue(`(("text" "plain" NIL NIL NIL "7bit" 1 1) ("message" "rfc822" NIL NIL NIL "7bit" 9 (NIL NIL NIL NIL NIL NIL NIL NIL NIL NIL) ("text" "plain" NIL NIL NIL "7bit" 1 1) 2) "mixed")`)
	got := strings.Join(FetchCommands(4, bs), "\n")
	for _, want := range []string{"FETCH 4 (BINARY.SIZE[1])", "FETCH 4 (BODY.PEEK[2.HEADER])", "FETCH 4 (BODY.PEEK[2.1.MIME])", "FETCH 4 (BINARY.PEEK[2.1])"} {
		if !strings.Contains(got, want) {
			t.Errorf("no %q in\n%s", want, got)
		}
	}
	if strings.Contains(got, "BINARY.PEEK[2]") {
		t.Errorf("BINARY of a message/rfc822 part:\n%s", got)
	}
}

func FuzzParseReply(f *testing.F) {
	f.Add([]byte("* 1 FETCH (BODY[] {3}\r\nabc ENVELOPE (\"a\" NIL))\r\nT OK x\r\n"))
	f.Add([]byte("* SEARCH 1 2\r\nT NO [PARSE] y\r\n"))
	f.Add([]byte("* 1 FETCH ((((\r\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		if a, err := ParseReply(b); err == nil {
			Diff(a, a)
			for _, v := range a.Fetch {
				FoldBodyCase(v)
				FetchCommands(1, v)
			}
		}
		ReadTranscript(b)
	})
}

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return data
}
