package imapserver

import (
	"strings"
	"testing"
)

// rev2Login opens a conversation of user that has enabled IMAP4rev2.
func (s *testSite) rev2Login(user string) *conv {
	c := s.login(user)
	has(c.t, c.ok("ENABLE IMAP4rev2"), "* ENABLED IMAP4rev2")
	return c
}

func noLineWith(t *testing.T, lines []string, what string) {
	t.Helper()
	for _, l := range lines {
		if strings.Contains(l, what) {
			t.Fatalf("unexpected %q in %q", what, lines)
		}
	}
}

func TestRev2Enable(t *testing.T) {
	s := newTestSite(t)
	c := s.dial()
	if !strings.Contains(c.Hi, " IMAP4rev1 IMAP4rev2 ") {
		t.Fatalf("greeting lacks IMAP4rev2: %q", c.Hi)
	}
	c.expect("ENABLE IMAP4rev2", "BAD Please login first")
	c.ok("LOGIN alice secret")
	if caps := c.ok("CAPABILITY")[0]; !strings.Contains(caps, " IMAP4rev2 ") || !strings.Contains(caps, " STATUS=SIZE ") {
		t.Fatalf("CAPABILITY: %s", caps)
	}
	has(t, c.ok("ENABLE imap4rev2 CONDSTORE"), "* ENABLED IMAP4rev2 CONDSTORE")
	has(t, c.ok("ENABLE IMAP4rev2"), "* ENABLED") // already on: not listed again
}

func TestRev2NoRecent(t *testing.T) {
	s := newTestSite(t)
	s.deliver("user.alice", testMessage("one"), testMessage("two"))
	a := s.rev2Login("alice")
	u := a.ok("SELECT INBOX")
	noLineWith(t, u, "RECENT")
	noLineWith(t, u, "[UNSEEN ")
	has(t, u, "* 2 EXISTS")
	has(t, u, `* LIST (\HasNoChildren) "/" INBOX`)
	noLineWith(t, a.ok("FETCH 1:* FLAGS"), `\Recent`)

	// Another session's delivery: EXISTS alone.
	s.deliver("user.alice", testMessage("three"))
	u = a.ok("NOOP")
	has(t, u, "* 3 EXISTS")
	noLineWith(t, u, "RECENT")

	// The rev2 session claimed nothing: a rev1 session still sees \Recent.
	b := s.login("alice")
	has(t, b.ok("SELECT INBOX"), "* 3 RECENT")

	// ENABLE while selected drops \Recent from the view too.
	b.ok("ENABLE IMAP4rev2")
	noLineWith(t, b.ok("FETCH 1:* FLAGS"), `\Recent`)
}

func TestRev2SearchIsESearch(t *testing.T) {
	s := newTestSite(t)
	s.deliver("user.alice", testMessage("alpha"), testMessage("beta"), testMessage("alpha again"))
	a := s.rev2Login("alice")
	a.ok("SELECT INBOX")
	for _, tc := range []struct{ cmd, want string }{
		{"SEARCH SUBJECT alpha", `) ALL 1,3`},
		{"UID SEARCH ALL", `) UID ALL 1:3`},
		{"SEARCH SUBJECT nothing", `")`},
		{"SEARCH RETURN (COUNT) ALL", `") COUNT 3`},
		{"UID SEARCH CHARSET UTF-8 SUBJECT beta", `") UID ALL 2`},
	} {
		u, st := a.run(tc.cmd)
		if !strings.HasPrefix(st, "OK") || len(u) != 1 || !strings.HasPrefix(u[0], `* ESEARCH (TAG "a`) ||
			!strings.HasSuffix(u[0], tc.want) {
			t.Errorf("%s: %q %q, want ESEARCH ending %q", tc.cmd, u, st, tc.want)
		}
	}
	// Without CHARSET a rev2 search string is UTF-8 (RFC 9051 §6.4.4).
	s.deliver("user.alice", "Subject: =?UTF-8?Q?Entw=C3=BCrfe?=\r\n\r\nx\r\n")
	a.ok("NOOP")
	if l := hasPrefix(t, a.ok(`SEARCH SUBJECT "ENTWÜRFE"`), `* ESEARCH (TAG "a`); !strings.HasSuffix(l, `") ALL 4`) {
		t.Fatalf("UTF-8 search: %q", l)
	}
	// SORT and THREAD keep their own responses.
	has(t, a.ok("SORT (SUBJECT) UTF-8 ALL"), "* SORT 1 3 2 4")
}

func TestRev2SelectClosed(t *testing.T) {
	s := newTestSite(t)
	a := s.rev2Login("alice")
	u := a.ok("SELECT INBOX")
	noLineWith(t, u, "[CLOSED]")
	u = a.ok("EXAMINE Work")
	if len(u) == 0 || u[0] != "* OK [CLOSED] Ok" {
		t.Fatalf("EXAMINE after SELECT: %q", u)
	}
	has(t, u, `* LIST (\HasNoChildren) "/" Work`)
	if u := a.expect("SELECT Nosuch", "NO"); len(u) == 0 || u[0] != "* OK [CLOSED] Ok" {
		t.Fatalf("failed SELECT still closes: %q", u)
	}
	a.expect("FETCH 1 FLAGS", "BAD Please select a mailbox first")
}

func TestRev2UTF8MailboxNames(t *testing.T) {
	s := newTestSite(t)
	a := s.rev2Login("alice")
	r1 := s.login("alice")

	a.ok(`CREATE "Entwürfe"`)
	a.ok(`CREATE "Tom & Jerry"`)
	has(t, a.ok(`LIST "" "Entw*"`), `* LIST (\HasNoChildren) "/" {9}`+"\r\nEntwürfe")
	has(t, a.ok(`LIST "" "Tom*"`), `* LIST (\HasNoChildren) "/" "Tom & Jerry"`)
	// A rev1 session sees the same mailboxes in modified UTF-7.
	has(t, r1.ok(`LIST "" "Entw*"`), `* LIST (\HasNoChildren) "/" Entw&APw-rfe`)
	has(t, r1.ok(`LIST "" "Tom*"`), `* LIST (\HasNoChildren) "/" "Tom &- Jerry"`)

	has(t, a.ok(`STATUS "Entwürfe" (MESSAGES)`), "* STATUS {9}\r\nEntwürfe (MESSAGES 0)")
	has(t, a.ok(`STATUS "Tom &- Jerry" (MESSAGES)`), `* STATUS "Tom & Jerry" (MESSAGES 0)`)
	// Modified UTF-7 runs and "&-" are still understood (go-imap sends them).
	a.ok(`SELECT Entw&APw-rfe`)
	a.ok(`EXAMINE "Tom &- Jerry"`)
	a.ok("UNSELECT")

	// RENAME tells the new name with the old one (OLDNAME).
	u := a.ok(`RENAME "Entwürfe" "Brouillons é"`)
	has(t, u, `* LIST (\HasNoChildren) "/" {13}`+"\r\nBrouillons é"+` ("OLDNAME" ({9}`+"\r\nEntwürfe))")
	// No OLDNAME for rev1.
	if u := r1.ok(`RENAME "Tom &- Jerry" Cartoons`); len(u) != 0 {
		t.Fatalf("rev1 RENAME untagged: %q", u)
	}
	has(t, r1.ok(`LIST "" "Brouillons*"`), `* LIST (\HasNoChildren) "/" "Brouillons &AOk-"`)

	// A rev1 session given raw UTF-8 (as go-imap sends once it sees
	// IMAP4rev2 advertised) gets the same mailbox.
	has(t, r1.ok(`STATUS "Brouillons é" (MESSAGES)`), "* STATUS {13}\r\nBrouillons é (MESSAGES 0)")
	r1.expect("CREATE \"bad\xff\"", "NO")
}

func TestDecodeClientUTF8(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"INBOX", "INBOX"},
		{"Entwürfe", "Entwürfe"},
		{"Entw&APw-rfe", "Entwürfe"},
		{"Tom &- Jerry", "Tom & Jerry"},
		{"Tom & Jerry", "Tom & Jerry"},
		{"a&b-c", "a&b-c"}, // not a valid run: a literal '&'
		{"&", "&"},
		{"é&AOk-", "éé"},
	} {
		got, err := decodeClientUTF8(tc.in)
		if err != nil || got != tc.want {
			t.Errorf("decodeClientUTF8(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
		}
	}
	if _, err := decodeClientUTF8("bad\xff"); err == nil {
		t.Error("invalid UTF-8 accepted")
	}
}

// TestRev2Baseline runs, in a rev2 session, the extensions RFC 9051 makes
// part of the base protocol.
func TestRev2Baseline(t *testing.T) {
	s := newTestSite(t)
	s.deliver("user.alice", testMessage("one"), testMessage("two"), testMessage("three"))
	a := s.rev2Login("alice")

	hasPrefix(t, a.ok("NAMESPACE"), "* NAMESPACE ((")
	u := a.ok(`LIST "" "*" RETURN (STATUS (MESSAGES DELETED))`)
	has(t, u, "* STATUS INBOX (MESSAGES 3 DELETED 0)")
	a.ok("SELECT INBOX")
	a.ok(`STORE 1 +FLAGS (\Deleted)`)
	u = a.ok("STATUS INBOX (MESSAGES DELETED SIZE)")
	if l := hasPrefix(t, u, "* STATUS INBOX (MESSAGES 3 DELETED 1 SIZE "); strings.HasSuffix(l, "SIZE 0)") {
		t.Fatalf("STATUS SIZE: %q", l)
	}
	has(t, a.ok("UID EXPUNGE 1"), "* 1 EXPUNGE")
	u = a.ok("MOVE 1 Work")
	hasPrefix(t, u, "* OK [COPYUID ")
	has(t, u, "* 1 EXPUNGE")
	l := hasPrefix(t, a.ok("FETCH 1 (BINARY.PEEK[1] BINARY.SIZE[1])"), "* 1 FETCH (")
	if !strings.Contains(l, "BINARY[1] {13}\r\nHello three\r\n") || !strings.Contains(l, "BINARY.SIZE[1] 13") {
		t.Fatalf("FETCH BINARY: %q", l)
	}
	m := testMessage("appended")
	_, st := a.run("APPEND INBOX {" + itoa(len(m)) + "+}\r\n" + m) // LITERAL- (a subset of LITERAL+)
	if !strings.HasPrefix(st, "OK [APPENDUID ") {
		t.Fatalf("APPEND with LITERAL-: %q", st)
	}

	// IDLE: another session's delivery arrives without RECENT.
	a.write("i1 IDLE\r\n")
	if l := a.line(); l != "+ idling" {
		t.Fatalf("idle: %q", l)
	}
	s.deliver("user.alice", testMessage("four"))
	if l := a.line(); l != "* 3 EXISTS" {
		t.Fatalf("while idling: %q", l)
	}
	a.write("DONE\r\n")
	if _, st := a.until("i1"); !strings.HasPrefix(st, "OK") {
		t.Fatalf("idle end: %q", st)
	}
	a.ok("UNSELECT")
	a.expect("FETCH 1 FLAGS", "BAD")
}
