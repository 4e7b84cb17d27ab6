package wire

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"strings"
	"testing"
)

var updateReplies = flag.Bool("update", false, "rewrite testdata/replies.golden from the current parsers")

// malformedCommands are commands a client may get wrong, each with a
// literal or two where the grammar takes one; replyCases adds every
// truncation of parseTests' lines at a token boundary.
var malformedCommands = []string{
	"a", "a ", "a  NOOP", "+ NOOP", "a UID", "a UID ", "a UID 5",
	"a LOGIN", "a LOGIN ", "a LOGIN u", "a LOGIN u ", "a LOGIN u p x", "a LOGIN \"u p", "a LOGIN \"u\\x\" p",
	"a LOGIN {3}\r\nabc {2}\r\nxy", "a LOGIN {3}\r\nabc", "a LOGIN {3+}\r\nabc x", "a LOGIN {3 +}\r\nabc x",
	"a LOGIN {x}", "a LOGIN ~{3}\r\nabc x", "a LOGIN {99999999999999999999}", "a LOGIN \"a\x00b\" x",
	"a LOGIN {3}\r\na\x00c x",
	"a AUTHENTICATE", "a AUTHENTICATE PLAIN ", "a AUTHENTICATE PLAIN !!", "a AUTHENTICATE PLAIN AA== x",
	"a SELECT", "a SELECT INBOX (", "a SELECT INBOX (CONDSTORE", "a SELECT INBOX (QRESYNC (1))",
	"a SELECT INBOX (QRESYNC (1 2 1:5 (1:3 1:3)))", "a SELECT INBOX (QRESYNC (0 2))", "a SELECT INBOX (BOGUS)",
	"a EXAMINE INBOX (QRESYNC (1 2 (1 2)))",
	"a CREATE", "a CREATE x (USE (\\Junk", "a CREATE x (USE (\\Junk)) y", "a CREATE x (PARTITION)", "a CREATE x y",
	"a DELETE", "a DELETE x y", "a RENAME a", "a RENAME a b c", "a RENAME a b c d",
	"a LIST", "a LIST \"\"", "a LIST \"\" %x(", "a LIST (SUBSCRIBED \"\" *", "a LIST (BOGUS) \"\" *",
	"a LIST \"\" * RETURN", "a LIST \"\" * RETURN (CHILDREN", "a LIST \"\" * RETURN (STATUS (MESSAGES",
	"a LIST \"\" () ", "a LIST \"\" (a b", "a LSUB \"\"", "a LSUB \"\" * x",
	"a STATUS", "a STATUS INBOX", "a STATUS INBOX ()", "a STATUS INBOX (BOGUS)", "a STATUS INBOX (MESSAGES",
	"a APPEND", "a APPEND INBOX", "a APPEND INBOX (\\Seen", "a APPEND INBOX (\\Seen) \"bad date\" {1}\r\nx",
	"a APPEND INBOX \"17-Jul-1996 02:44:25 -0700\" x", "a APPEND INBOX {0}\r\n", "a APPEND INBOX {3}\r\nabc x",
	"a APPEND INBOX {99999999999}", "a APPEND INBOX {3+}\r\nabc {3+}", "a APPEND INBOX (\\Seen) {1}\r\nx (\\Seen",
	"a APPEND INBOX ~{3}\r\na\x00c", "a APPEND INBOX CATENATE (URL \"/x\")", "a APPEND INBOX CATENATE (TEXT {2}\r\nab URL \"/y\") {1}\r\nc", "a APPEND INBOX CATENATE ()", "a APPEND INBOX CATENATE (TEXT x)", "a APPEND INBOX CATENATE (URL \"/x\"", "a APPEND INBOX UTF8 (~{2}\r\nab",
	"a FETCH", "a FETCH 1", "a FETCH 0 FLAGS", "a FETCH 1:0 FLAGS", "a FETCH x FLAGS", "a FETCH 1, FLAGS",
	"a FETCH 1 BODY[", "a FETCH 1 BODY[1", "a FETCH 1 BODY[0]", "a FETCH 1 BODY[HEADER.FIELDS (", "a FETCH 1 BODY[]<",
	"a FETCH 1 BODY[]<1", "a FETCH 1 BODY[]<1.", "a FETCH 1 BODY[]<1.2", "a FETCH 1 BINARY[HEADER]", "a FETCH 1 BOGUS",
	"a FETCH 1 (FLAGS) (", "a FETCH 1 (FLAGS) (CHANGEDSINCE", "a FETCH 1 (FLAGS) (CHANGEDSINCE x)", "a FETCH 1 (FLAGS) (BOGUS)",
	"a FETCH 1 (FLAGS) x", "a FETCH 4294967296 FLAGS", "a FETCH 1 BODY[HEADER.FIELDS ({3}\r\nabc)]",
	"a STORE", "a STORE 1", "a STORE 1 FLAGS", "a STORE 1 BOGUS (\\Seen)", "a STORE 1 +FLAGS (\\", "a STORE 1 +FLAGS (\\Seen",
	"a STORE 1 (UNCHANGEDSINCE) FLAGS x", "a STORE 1 (UNCHANGEDSINCE 1 FLAGS x", "a STORE 1 (BOGUS 1) FLAGS x",
	"a STORE 1 FLAGS.SILENT", "a STORE 1 -FLAGS \\Seen \\", "a STORE 1 FLAGS ()x",
	"a SEARCH", "a SEARCH ", "a SEARCH BOGUS", "a SEARCH (", "a SEARCH ()", "a SEARCH (ALL", "a SEARCH ALL)",
	"a SEARCH OR", "a SEARCH OR ALL", "a SEARCH NOT", "a SEARCH FROM", "a SEARCH HEADER", "a SEARCH HEADER x",
	"a SEARCH SINCE", "a SEARCH SINCE 1-Bad-2000", "a SEARCH SINCE 31-Feb-2000", "a SEARCH SINCE \"1-Feb-2000",
	"a SEARCH LARGER", "a SEARCH LARGER x", "a SEARCH LARGER 99999999999999999999", "a SEARCH UID", "a SEARCH UID 0",
	"a SEARCH KEYWORD", "a SEARCH KEYWORD \\Seen", "a SEARCH CHARSET", "a SEARCH CHARSET UTF-8", "a SEARCH RETURN",
	"a SEARCH RETURN (BOGUS) ALL", "a SEARCH RETURN (MIN", "a SEARCH MODSEQ", "a SEARCH MODSEQ \"/flags/x\"",
	"a SEARCH MODSEQ \"/flags/x\" bogus 1", "a SEARCH OLDER", "a SEARCH OLDER 0", "a SEARCH YOUNGER x",
	"a SEARCH " + strings.Repeat("(", 100) + "ALL" + strings.Repeat(")", 100),
	"a SEARCH " + strings.Repeat("NOT ", 100) + "ALL", "a SEARCH SUBJECT {3}\r\nabc x", "a SEARCH 1:*,",
	"a SORT", "a SORT ()", "a SORT (BOGUS) UTF-8 ALL", "a SORT (REVERSE)", "a SORT (REVERSE BOGUS) UTF-8 ALL",
	"a SORT (DATE", "a SORT (DATE)", "a SORT (DATE) UTF-8", "a SORT RETURN () (DATE) UTF-8", "a SORT RETURN (X) (DATE) UTF-8 ALL",
	"a THREAD", "a THREAD REFERENCES", "a THREAD REFERENCES UTF-8", "a THREAD (x) UTF-8 ALL",
	"a COPY", "a COPY 1", "a COPY 1 ", "a COPY x y", "a UID COPY 1:* x y", "a MOVE 1 \"x",
	"a UID EXPUNGE", "a UID EXPUNGE x", "a UID EXPUNGE 1 x", "a EXPUNGE x",
	"a ENABLE", "a ENABLE ", "a ENABLE (x)", "a ID", "a ID x", "a ID (", "a ID (\"a\")", "a ID (\"a\" x)",
	"a ID (\"a\" NIX)", "a ID (" + strings.Repeat("\"k\" \"v\" ", 31) + ")", "a ID NIL x",
	"a SETACL", "a SETACL a b", "a SETACL a b c d", "a DELETEACL a", "a LISTRIGHTS a b c",
	"a GETACL", "a MYRIGHTS x y", "a GETQUOTAROOT", "a GETQUOTA",
	"a SETQUOTA", "a SETQUOTA r", "a SETQUOTA r (", "a SETQUOTA r (STORAGE", "a SETQUOTA r (STORAGE x)",
	"a SETQUOTA r (STORAGE 1 MESSAGE)", "a SETQUOTA r STORAGE 1",
	"a GETMETADATA", "a GETMETADATA x", "a GETMETADATA (MAXSIZE) x y", "a GETMETADATA (DEPTH 2) x y",
	"a GETMETADATA (BOGUS 1) x y", "a GETMETADATA (DEPTH 1) x", "a GETMETADATA x ()", "a GETMETADATA x (a",
	"a SETMETADATA", "a SETMETADATA x", "a SETMETADATA x ()", "a SETMETADATA x (a)", "a SETMETADATA x (a NIX)",
	"a SETMETADATA x (a b)", "a SETMETADATA x (a ~{2}\r\na\x00)", "a SETMETADATA x (a {2}\r\na\x00)",
	"a SETMETADATA x (a NIL", "a NOOP x", "a NOOP {3}\r\nabc", "a NOOP {3+}\r\nabc",
}

// replyCases lists the inputs of TestReplyTexts.
func replyCases() []string {
	cases := append([]string(nil), malformedCommands...)
	for _, tt := range parseTests {
		line := tt.line
		cases = append(cases, line)
		for i := 1; i < len(line); i++ {
			if isAlnum(line[i-1]) != isAlnum(line[i]) {
				cases = append(cases, line[:i])
			}
		}
	}
	return cases
}

func isAlnum(c byte) bool { return isDigit(c) || c|0x20 >= 'a' && c|0x20 <= 'z' }

// describe renders what a session would answer to a parse.
func describe(v any, err error) string {
	if err != nil {
		var e *Error
		switch {
		case !errors.As(err, &e):
			return "IOERR " + err.Error()
		case e.Fatal:
			return "BYE " + e.Msg
		case e.No:
			return "NO [" + e.Code + "] " + e.Msg
		case e.Code != "":
			return "BAD [" + e.Code + "] " + e.Msg
		}
		return "BAD " + e.Msg
	}
	j, jerr := json.Marshal(v)
	if jerr != nil {
		return fmt.Sprintf("OK unprintable %T", v)
	}
	return "OK " + string(j)
}

// TestReplyTexts pins the reply of every malformed command (and the parse
// of every well-formed one) and whether the stream stays in step after
// it: the next command is read as the next Reader call sees it. The golden
// file was captured from the parsers before their sticky-error rewrite.
func TestReplyTexts(t *testing.T) {
	var out bytes.Buffer
	for _, in := range replyCases() {
		c := newConn(in+"\r\nz NOOP\r\n", Options{MaxLineLength: 1024, MaxLiteralSize: 100, MaxStringBuffer: 100})
		cmd, err := c.r.ReadCommand()
		var got string
		if err != nil {
			got = "tag=" + cmd.Tag + " " + describe(nil, err)
		} else {
			got = describe(parseAny(c.r, cmd))
		}
		next, err := c.r.ReadCommand()
		fmt.Fprintf(&out, "%q\n\t%s\n\tnext: %s %s %s conts=%d\n", in, got, next.Tag, next.Name, describe(nil, err), len(c.conts))
	}
	const golden = "testdata/replies.golden"
	if *updateReplies {
		if err := os.WriteFile(golden, out.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(out.Bytes(), want) {
		gotLines, wantLines := strings.Split(out.String(), "\n"), strings.Split(string(want), "\n")
		for i := 0; i < len(gotLines) && i < len(wantLines); i++ {
			if gotLines[i] != wantLines[i] {
				t.Fatalf("line %d differs from %s:\n got: %s\nwant: %s\n(previous: %s)", i+1, golden, gotLines[i], wantLines[i], wantLines[max(i-1, 0)])
			}
		}
		t.Fatalf("output has %d lines, %s %d", len(gotLines), golden, len(wantLines))
	}
}
