package imapserver

import (
	"fmt"
	"strings"
	"testing"
)

func lit(s string) string { return fmt.Sprintf("{%d+}\r\n%s", len(s), s) }

// uidValidity returns a mailbox's UIDVALIDITY as the session reports it.
func uidValidity(t *testing.T, c *conv, mbox string) string {
	t.Helper()
	l := hasPrefix(t, c.ok("STATUS "+mbox+" (UIDVALIDITY)"), "* STATUS")
	i := strings.Index(l, "UIDVALIDITY ")
	return strings.TrimSuffix(l[i+len("UIDVALIDITY "):], ")")
}

// fetchBody returns BODY[] of a message of a mailbox, selected for the purpose.
func fetchBody(t *testing.T, c *conv, mbox string, uid int) string {
	t.Helper()
	c.ok("EXAMINE " + mbox)
	l := hasPrefix(t, c.ok(fmt.Sprintf("UID FETCH %d BODY.PEEK[]", uid)), "* ")
	_, body, ok := strings.Cut(l, "}\r\n")
	if !ok {
		t.Fatalf("no literal in %q", l)
	}
	return strings.TrimSuffix(body, ")")
}

// TestCatenate: RFC 4469 §5's forms — an absolute-path URL with
// UIDVALIDITY and a section, TEXT, a URL relative to the selected
// mailbox, an imap:// URL naming this server — assemble one message,
// appended with APPENDUID; with MULTIAPPEND all are appended together.
func TestCatenate(t *testing.T) {
	s := newTestSite(t)
	src := testMessage("source")
	hdr, text, _ := strings.Cut(src, "\r\n\r\n")
	hdr += "\r\n\r\n"
	s.deliver("user.alice", src)
	a := s.login("alice")
	hasPrefix(t, a.ok("CAPABILITY"), "* CAPABILITY")
	if c := a.ok("CAPABILITY")[0]; !strings.Contains(c, " CATENATE ") {
		t.Fatalf("CATENATE not advertised: %q", c)
	}
	v := uidValidity(t, a, "INBOX")
	wv := uidValidity(t, a, "Work")
	a.ok("SELECT INBOX")

	_, st := a.run(`APPEND Work (\Flagged) CATENATE (URL "/INBOX;UIDVALIDITY=` + v + `/;UID=1/;SECTION=HEADER" TEXT ` +
		lit("Added text\r\n") + ` URL ";UID=1/;SECTION=TEXT" URL "imap://alice@imap.test/INBOX/;UID=1/;SECTION=TEXT/;PARTIAL=0.5")`)
	if want := "OK [APPENDUID " + wv + " 1]"; !strings.HasPrefix(st, want) {
		t.Fatalf("CATENATE: %q, want %q", st, want)
	}
	if got, want := fetchBody(t, a, "Work", 1), hdr+"Added text\r\n"+text+text[:5]; got != want {
		t.Fatalf("assembled %q, want %q", got, want)
	}

	// MULTIAPPEND: a CATENATE message between two literals.
	a.ok("SELECT INBOX")
	_, st = a.run(`APPEND Work ` + lit(testMessage("one")) + ` CATENATE (URL "/INBOX/;UID=1") ` + lit(testMessage("three")))
	if want := "OK [APPENDUID " + wv + " 2:4]"; !strings.HasPrefix(st, want) {
		t.Fatalf("MULTIAPPEND with CATENATE: %q, want %q", st, want)
	}
	if got := fetchBody(t, a, "Work", 3); got != src {
		t.Fatalf("whole-message URL gave %q", got)
	}
}

// TestCatenateRefusals: every refusal leaves the target untouched (no
// message of a MULTIAPPEND is kept) and the session in step: a URL the
// user may not read ([BADURL], the same answer as for one that does not
// exist), a malformed or foreign URL, an assembled message over
// maxmessagesize ([TOOBIG]), NUL in a TEXT literal, and bad syntax.
func TestCatenateRefusals(t *testing.T) {
	s := newTestSite(t, "maxmessagesize", "2000")
	s.deliver("user.alice", testMessage("mine"))
	s.deliver("user.bob", testMessage("bob's"))
	root := s.login("cyrus")
	root.ok("SETACL user/bob alice l") // visible, not readable
	a := s.login("alice")
	v := uidValidity(t, a, "INBOX")

	for _, tc := range []struct{ cmd, want string }{
		{`APPEND Work CATENATE (URL "/Other%20Users/bob/;UID=1")`, `NO [BADURL "/Other%20Users/bob/;UID=1"]`},
		{`APPEND Work CATENATE (URL "/Other%20Users/nobody/;UID=1")`, `NO [BADURL "/Other%20Users/nobody/;UID=1"]`},
		{`APPEND Work CATENATE (URL "/INBOX/;UID=2")`, `NO [BADURL "/INBOX/;UID=2"]`},
		{`APPEND Work CATENATE (URL "/INBOX;UIDVALIDITY=1` + v + `/;UID=1")`, `NO [BADURL`},
		{`APPEND Work CATENATE (URL "/INBOX/;UID=1/;SECTION=BOGUS")`, `NO [BADURL`},
		{`APPEND Work CATENATE (URL ";UID=1")`, `NO [BADURL ";UID=1"]`}, // nothing selected
		{`APPEND Work CATENATE (URL "imap://elsewhere.example/INBOX/;UID=1")`, `NO [BADURL`},
		{`APPEND Work CATENATE (URL "/IN%00BOX/;UID=1")`, `NO [BADURL "/IN%00BOX/;UID=1"]`},
		{`APPEND Work CATENATE (URL "/IN\"BOX/;UID=1")`, `NO [BADURL "/IN\"BOX/;UID=1"]`},
		{`APPEND Work CATENATE (URL "/INBOX/;UID=1;URLAUTH=anonymous")`, `NO [BADURL`},
		// A BADURL after a TEXT part and after a whole message of a MULTIAPPEND.
		{`APPEND Work ` + lit(testMessage("kept?")) + ` CATENATE (TEXT ` + lit("Subject: x\r\n\r\n") + ` URL "/INBOX/;UID=9")`, `NO [BADURL "/INBOX/;UID=9"]`},
		// 3 x ~150 bytes of URL + 1800 of TEXT: over 2000 only once assembled.
		{`APPEND Work CATENATE (URL "/INBOX/;UID=1" URL "/INBOX/;UID=1" URL "/INBOX/;UID=1" TEXT ` + lit(strings.Repeat("x", 1800)) + `)`, `NO [TOOBIG] Message size exceeds fixed limit`},
		{`APPEND Work CATENATE (TEXT ` + lit("Subject: a\x00b\r\n\r\nhi\r\n") + `)`, `NO Message contains NUL characters`},
		{`APPEND Work CATENATE ()`, `BAD`},
		{`APPEND Work CATENATE (BOGUS "x")`, `BAD`},
		{`APPEND Work CATENATE (URL)`, `BAD`},
		{`APPEND Work CATENATE URL "/INBOX/;UID=1"`, `BAD`},
	} {
		a.expect(tc.cmd, tc.want)
		has(t, a.ok("STATUS Work (MESSAGES)"), "* STATUS Work (MESSAGES 0)")
	}
	// A synchronising TEXT literal over the limit is refused before "+".
	a.write("t1 APPEND Work CATENATE (URL \"/INBOX/;UID=1\" TEXT {2001}\r\n")
	if l := a.line(); l != "t1 NO [TOOBIG] Message size exceeds fixed limit" {
		t.Fatalf("announced TEXT too big: %q", l)
	}
	a.ok("NOOP")
	has(t, a.ok("STATUS Work (MESSAGES)"), "* STATUS Work (MESSAGES 0)")
	// The quota applies to the assembled message: 1 KiB of storage holds
	// each part alone but not the whole.
	root.ok("SETQUOTA user/alice (STORAGE 1)")
	a.expect(`APPEND Work CATENATE (TEXT `+lit("Subject: q\r\n\r\n"+strings.Repeat("q", 600))+` URL "/INBOX/;UID=1" TEXT `+lit(strings.Repeat("r", 600))+`)`,
		"NO [OVERQUOTA] Over quota")
	has(t, a.ok("STATUS Work (MESSAGES)"), "* STATUS Work (MESSAGES 0)")
	root.ok("SETQUOTA user/alice ()")
	// With r granted, bob's message may be catenated.
	root.ok("SETACL user/bob alice lr")
	a.ok(`APPEND Work CATENATE (URL "/Other%20Users/bob/;UID=1")`)
}

// TestCatenateLiteral8Text: a CATENATE TEXT part sent as a literal8 may
// carry a binary part with NUL and bare LF (RFC 4469 §5 with RFC 3516);
// the assembled message is stored as a literal8 APPEND is — the binary
// part base64 — so BODY[] never holds NUL and BINARY[1] gives back the
// exact bytes.
func TestCatenateLiteral8Text(t *testing.T) {
	s := newTestSite(t)
	a := s.login("alice")
	a.ok(`APPEND INBOX CATENATE (TEXT ~{` + itoa(len(binMultiNUL)) + "+}\r\n" + binMultiNUL + `)`)
	a.ok("SELECT INBOX")
	body := a.ok("FETCH 1 BODY.PEEK[]")[0]
	if strings.IndexByte(body, 0) >= 0 || !strings.HasPrefix(body, "* 1 FETCH (BODY[] {") {
		t.Fatalf("BODY[] of the assembled message: %q", body)
	}
	if got := a.ok("FETCH 1 BINARY.PEEK[1]")[0]; !strings.Contains(got, "BINARY[1] ~{7}\r\nab\x00c\nd\n") {
		t.Fatalf("BINARY[1]: %q", got)
	}
}
