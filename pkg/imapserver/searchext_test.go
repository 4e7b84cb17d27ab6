package imapserver

import (
	"strings"
	"testing"
)

// mailFrom is a message with the given From, To and Subject.
func mailFrom(from, to, subject string) string {
	return "From: " + from + "\r\nTo: " + to + "\r\nSubject: " + subject +
		"\r\nDate: Mon, 06 Jan 2025 10:01:00 +0000\r\n\r\nbody of " + subject + "\r\n"
}

// sixMessages fills alice's INBOX with six messages (subjects f, e, d, c,
// b, a; 2, 4 and 5 flagged) and returns her conversation with it selected.
func sixMessages(t *testing.T) (*testSite, *conv) {
	site := newTestSite(t)
	var msgs []string
	for _, s := range []string{"f", "e", "d", "c", "b", "a"} {
		msgs = append(msgs, testMessage(s))
	}
	site.deliver("user.alice", msgs...)
	a := site.login("alice")
	a.ok("SELECT INBOX")
	a.ok(`STORE 2,4,5 +FLAGS.SILENT (\Flagged)`)
	return site, a
}

// fetched returns the sequence numbers of the FETCH responses in lines.
func fetched(lines []string) string {
	var out []string
	for _, l := range lines {
		if f := strings.Fields(l); len(f) > 2 && f[0] == "*" && f[2] == "FETCH" {
			out = append(out, f[1])
		}
	}
	return strings.Join(out, " ")
}

func esearchOf(t *testing.T, lines []string) string {
	t.Helper()
	l := hasPrefix(t, lines, "* ESEARCH (TAG ")
	_, rest, _ := strings.Cut(l, ")")
	return strings.TrimSpace(rest)
}

// RFC 5182 §2 and its examples: SAVE, "$" in FETCH, STORE, SEARCH, COPY,
// MOVE and their UID forms, MIN/MAX saving only what they report, "$"
// empty before any SAVE, after a failed SEARCH and after SELECT.
func TestSearchResSave(t *testing.T) {
	_, a := sixMessages(t)
	if u := a.ok("FETCH $ (UID)"); len(u) != 0 {
		t.Fatalf("$ before any SAVE: %q", u)
	}
	if u := a.ok("SEARCH RETURN (SAVE) FLAGGED"); len(u) != 0 {
		t.Fatalf("SAVE alone answered %q", u)
	}
	if got := fetched(a.ok("FETCH $ (FLAGS)")); got != "2 4 5" {
		t.Fatalf("FETCH $: %q", got)
	}
	has(t, a.ok("UID SEARCH UID $ SMALLER 100000"), "* SEARCH 2 4 5")
	has(t, a.ok("SEARCH $ NOT 4"), "* SEARCH 2 5")
	if got := esearchOf(t, a.ok("SEARCH RETURN (SAVE MIN MAX) FLAGGED")); got != "MIN 2 MAX 5" {
		t.Fatalf("SAVE MIN MAX: %q", got)
	}
	if got := fetched(a.ok("UID FETCH $ (UID)")); got != "2 5" {
		t.Fatalf("SAVE MIN MAX saved %q, want the two reported", got)
	}
	if got := esearchOf(t, a.ok("SEARCH RETURN (SAVE MIN COUNT) FLAGGED")); got != "COUNT 3 MIN 2" {
		t.Fatalf("SAVE MIN COUNT: %q", got)
	}
	if got := fetched(a.ok("FETCH $ (UID)")); got != "2 4 5" {
		t.Fatalf("SAVE with COUNT saved %q, want all", got)
	}
	a.ok(`STORE $ +FLAGS.SILENT (\Seen)`)
	has(t, a.ok("SEARCH SEEN"), "* SEARCH 2 4 5")
	a.ok(`UID STORE $ -FLAGS.SILENT (\Seen)`)
	has(t, a.ok("SEARCH SEEN"), "* SEARCH")
	a.ok("COPY $ Work")
	if u := a.ok("STATUS Work (MESSAGES)"); !strings.Contains(u[0], "MESSAGES 3") {
		t.Fatalf("COPY $: %q", u)
	}
	a.ok("SEARCH RETURN (SAVE) 6")
	a.ok("UID MOVE $ Work")
	if u := a.ok("STATUS Work (MESSAGES)"); !strings.Contains(u[0], "MESSAGES 4") {
		t.Fatalf("UID MOVE $: %q", u)
	}
	// The moved message left "$" with the mailbox.
	if u := a.ok("FETCH $ (UID)"); len(u) != 0 {
		t.Fatalf("$ after its message moved: %q", u)
	}

	a.ok("SEARCH RETURN (SAVE) ALL")
	a.expect("SEARCH RETURN (SAVE) CHARSET KOI8-Q ALL", "NO [BADCHARSET")
	if u := a.ok("FETCH $ (UID)"); len(u) != 0 {
		t.Fatalf("$ after a failed SEARCH: %q", u)
	}
	a.ok("SEARCH RETURN (SAVE) ALL")
	a.expect("SEARCH RETURN (SAVE) NOSUCHKEY", "BAD")
	if got := fetched(a.ok("FETCH $ (UID)")); got != "1 2 3 4 5" {
		t.Fatalf("$ after a BAD SEARCH (unparsed, so unchanged): %q", got)
	}
	a.expect("FETCH $,1 (UID)", "BAD")
	a.expect("FETCH $:3 (UID)", "BAD")
	a.ok("SELECT INBOX")
	if u := a.ok("FETCH $ (UID)"); len(u) != 0 {
		t.Fatalf("$ after SELECT: %q", u)
	}
}

// RFC 5032: OLDER and YOUNGER on the internal date.
func TestWithin(t *testing.T) {
	site := newTestSite(t)
	site.deliver("user.alice", testMessage("new"))
	a := site.login("alice")
	old := testMessage("old")
	a.ok(`APPEND INBOX "01-Jan-2020 00:00:00 +0000" {` + itoa(len(old)) + "+}\r\n" + old)
	a.ok("SELECT INBOX")
	has(t, a.ok("SEARCH YOUNGER 259200"), "* SEARCH 1")
	has(t, a.ok("SEARCH OLDER 259200"), "* SEARCH 2")
	has(t, a.ok("SEARCH UNSEEN YOUNGER 4294967295"), "* SEARCH 1 2")
	has(t, a.ok("SEARCH OLDER 4294967295"), "* SEARCH")
	has(t, a.ok("SEARCH NOT OLDER 259200"), "* SEARCH 1")
	// Cyrus takes 0 although RFC 5032 wants an nz-number.
	has(t, a.ok("SEARCH YOUNGER 0"), "* SEARCH")
	has(t, a.ok("SEARCH OLDER 0"), "* SEARCH 1 2")
	for _, bad := range []string{"OLDER -5", "OLDER 4294967296", "YOUNGER", "OLDER x"} {
		a.expect("SEARCH "+bad, "BAD")
	}
}

// RFC 5267 §3: SORT RETURN answered by ESEARCH, ALL in sort order (ranges
// only for ascending runs), MIN and MAX the lowest and highest numbers as
// in Cyrus (test/compat/fixtures/esort.txt).
func TestESort(t *testing.T) {
	_, a := sixMessages(t)
	has(t, a.ok("SORT (SUBJECT) UTF-8 ALL"), "* SORT 6 5 4 3 2 1")
	if got := esearchOf(t, a.ok("SORT RETURN (MIN MAX COUNT ALL) (SUBJECT) UTF-8 ALL")); got != "COUNT 6 MIN 1 MAX 6 ALL 6,5,4,3,2,1" {
		t.Fatalf("ESORT: %q", got)
	}
	if got := esearchOf(t, a.ok("SORT RETURN () (REVERSE SUBJECT) UTF-8 ALL")); got != "ALL 1:6" {
		t.Fatalf("ESORT (): %q", got)
	}
	if got := esearchOf(t, a.ok("UID SORT RETURN (COUNT ALL) (SUBJECT) UTF-8 FLAGGED")); got != "UID COUNT 3 ALL 5,4,2" {
		t.Fatalf("UID ESORT: %q", got)
	}
	if got := esearchOf(t, a.ok("SORT RETURN (MIN MAX COUNT ALL) (SUBJECT) UTF-8 SUBJECT nothing")); got != "COUNT 0" {
		t.Fatalf("empty ESORT: %q", got)
	}
	if got := esearchOf(t, a.ok("SORT RETURN (SAVE MIN) (SUBJECT) UTF-8 FLAGGED")); got != "MIN 2" {
		t.Fatalf("ESORT SAVE MIN: %q", got)
	}
	if got := fetched(a.ok("FETCH $ (UID)")); got != "2" {
		t.Fatalf("ESORT SAVE MIN saved %q", got)
	}
	a.expect("SORT RETURN (BOGUS) (SUBJECT) UTF-8 ALL", "BAD")
	a.expect("SORT RETURN ((MIN)) (SUBJECT) UTF-8 ALL", "BAD")
}

// RFC 9394: PARTIAL for SEARCH (ascending) and SORT (sort order), ranges
// from the start and from the end, out of range, and hostile ranges.
func TestPartial(t *testing.T) {
	_, a := sixMessages(t)
	for _, tc := range []struct{ cmd, want string }{
		{"SEARCH RETURN (PARTIAL 1:2) ALL", "PARTIAL (1:2 1:2)"},
		{"SEARCH RETURN (PARTIAL -1:-2) ALL", "PARTIAL (-1:-2 5:6)"},
		{"SEARCH RETURN (PARTIAL 2:1) ALL", "PARTIAL (1:2 1:2)"},
		{"SEARCH RETURN (PARTIAL 5:100) ALL", "PARTIAL (5:100 5:6)"},
		{"SEARCH RETURN (PARTIAL 7:100) ALL", "PARTIAL (7:100 NIL)"},
		{"SEARCH RETURN (PARTIAL -7:-100) ALL", "PARTIAL (-7:-100 NIL)"},
		{"SEARCH RETURN (PARTIAL -1:-4294967295) ALL", "PARTIAL (-1:-4294967295 1:6)"},
		{"SEARCH RETURN (PARTIAL 4294967295:4294967295) ALL", "PARTIAL (4294967295:4294967295 NIL)"},
		{"UID SEARCH RETURN (COUNT PARTIAL 2:3) FLAGGED", "UID COUNT 3 PARTIAL (2:3 4:5)"},
		{"SEARCH RETURN (PARTIAL 1:10) SUBJECT nothing", "PARTIAL (1:10 NIL)"},
		{"SORT RETURN (PARTIAL 1:3) (SUBJECT) UTF-8 ALL", "PARTIAL (1:3 6,5,4)"},
		{"SORT RETURN (PARTIAL -1:-2) (SUBJECT) UTF-8 ALL", "PARTIAL (-1:-2 2,1)"},
		{"SORT RETURN (MIN PARTIAL 2:2) (REVERSE SUBJECT) UTF-8 ALL", "MIN 1 PARTIAL (2:2 2)"},
	} {
		if got := esearchOf(t, a.ok(tc.cmd)); got != tc.want {
			t.Errorf("%s: %q, want %q", tc.cmd, got, tc.want)
		}
	}
	// SAVE keeps what PARTIAL reported, as it does for MIN and MAX.
	a.ok("SEARCH RETURN (SAVE PARTIAL -1:-2) ALL")
	if got := fetched(a.ok("FETCH $ (UID)")); got != "5 6" {
		t.Fatalf("SAVE PARTIAL saved %q", got)
	}
	for _, bad := range []string{
		"PARTIAL 0:5", "PARTIAL 1:0", "PARTIAL -0:-5", "PARTIAL 1:-5", "PARTIAL -1:5",
		"PARTIAL 4294967296:1", "PARTIAL 1:99999999999999999999", "PARTIAL", "PARTIAL 1",
		"PARTIAL (1:5)", "ALL PARTIAL 1:5", "PARTIAL 1:5 ALL", "PARTIAL 1:5 PARTIAL 1:5",
		"PARTIAL 1:5,7:8", "PARTIAL *:5", "PARTIAL $",
	} {
		a.expect("SEARCH RETURN ("+bad+") ALL", "BAD")
		a.expect("SORT RETURN ("+bad+") (SUBJECT) UTF-8 ALL", "BAD")
	}
	// Many repeated options are harmless and bounded by the line limit.
	many := strings.Repeat("MIN MAX COUNT ", 2000)
	if got := esearchOf(t, a.ok("SEARCH RETURN ("+many+"SAVE) ALL")); got != "COUNT 6 MIN 1 MAX 6" {
		t.Fatalf("repeated options: %q", got)
	}
	a.ok("NOOP") // the session goes on
}

// RFC 7162 §3.1.5: SORT with a MODSEQ key ends in "(MODSEQ n)" as SEARCH
// does (Cyrus: "* SORT 1 2 3 (MODSEQ 6)"), and ESORT carries MODSEQ.
func TestSortModSeq(t *testing.T) {
	_, a := sixMessages(t)
	u := a.ok("SORT (SUBJECT) UTF-8 MODSEQ 1")
	l := hasPrefix(t, u, "* SORT 6 5 4 3 2 1 (MODSEQ ")
	s := a.ok("SEARCH MODSEQ 1")
	l2 := hasPrefix(t, s, "* SEARCH 1 2 3 4 5 6 (MODSEQ ")
	if l[len("* SORT 6 5 4 3 2 1"):] != l2[len("* SEARCH 1 2 3 4 5 6"):] {
		t.Fatalf("SORT %q and SEARCH %q disagree on MODSEQ", l, l2)
	}
	has(t, a.ok("SORT (SUBJECT) UTF-8 MODSEQ 999999"), "* SORT")
	if got := esearchOf(t, a.ok("SORT RETURN (COUNT) (SUBJECT) UTF-8 MODSEQ 1")); !strings.HasPrefix(got, "COUNT 6 MODSEQ ") {
		t.Fatalf("ESORT MODSEQ: %q", got)
	}
}

// RFC 5957: DISPLAYFROM/DISPLAYTO sort on the display name (decoded), the
// addr-spec without one, a group's name for a group.
func TestSortDisplay(t *testing.T) {
	site := newTestSite(t)
	site.deliver("user.alice",
		mailFrom(`"Zed" <a@x.example>`, `Team: y@x.example;`, "1"),
		mailFrom(`b@y.example`, `"" <m@x.example>`, "2"),
		mailFrom(`Team: c@z.example, d@z.example;`, `Omega <o@x.example>`, "3"),
		mailFrom(`=?utf-8?q?Al?= <z@z.example>`, `Beta <b@x.example>`, "4"),
		mailFrom(`  (comment) carl@c.example`, `undisclosed-recipients:;`, "5"),
	)
	a := site.login("alice")
	a.ok("SELECT INBOX")
	has(t, a.ok("SORT (DISPLAYFROM) UTF-8 ALL"), "* SORT 4 2 5 3 1")
	has(t, a.ok("SORT (REVERSE DISPLAYFROM) UTF-8 ALL"), "* SORT 1 3 5 2 4")
	has(t, a.ok("SORT (DISPLAYTO) UTF-8 ALL"), "* SORT 4 2 3 1 5")
	has(t, a.ok("UID SORT (DISPLAYTO SUBJECT) UTF-8 ALL"), "* SORT 4 2 3 1 5")
}

// CAPABILITY lists the extensions once they work.
func TestSearchCapabilities(t *testing.T) {
	site := newTestSite(t)
	a := site.login("alice")
	u := a.ok("CAPABILITY")
	for _, c := range []string{"ESORT", "SORT=DISPLAY", "WITHIN", "SEARCHRES", "PARTIAL"} {
		if !strings.Contains(u[0]+" ", " "+c+" ") {
			t.Errorf("CAPABILITY lacks %s: %q", c, u[0])
		}
	}
}
