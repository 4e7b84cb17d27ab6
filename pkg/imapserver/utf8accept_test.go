package imapserver

import (
	"strings"
	"testing"
)

// utf8Login opens a conversation of user that has enabled UTF8=ACCEPT.
func (s *testSite) utf8Login(user string) *conv {
	c := s.login(user)
	has(c.t, c.ok("ENABLE UTF8=ACCEPT"), "* ENABLED UTF8=ACCEPT")
	return c
}

func TestUTF8AcceptEnable(t *testing.T) {
	s := newTestSite(t)
	c := s.login("alice")
	if caps := c.ok("CAPABILITY")[0]; !strings.Contains(caps, " UTF8=ACCEPT ") {
		t.Fatalf("CAPABILITY lacks UTF8=ACCEPT: %s", caps)
	}
	has(t, c.ok("ENABLE utf8=accept"), "* ENABLED UTF8=ACCEPT")
	has(t, c.ok("ENABLE UTF8=ACCEPT"), "* ENABLED") // already on: not listed again
}

// Names are UTF-8 on the wire after the enable (RFC 6855 §3), in every
// response that names a mailbox; another session sees modified UTF-7.
func TestUTF8AcceptMailboxNames(t *testing.T) {
	s := newTestSite(t)
	a := s.utf8Login("alice")
	r1 := s.login("alice")

	a.ok(`CREATE "Entwürfe"`)
	a.ok(`SUBSCRIBE "Entwürfe"`)
	has(t, a.ok(`LIST "" "Entw*"`), `* LIST (\HasNoChildren) "/" {9}`+"\r\nEntwürfe")
	has(t, a.ok(`LSUB "" "Entw*"`), `* LSUB () "/" {9}`+"\r\nEntwürfe")
	has(t, a.ok(`STATUS "Entwürfe" (MESSAGES)`), "* STATUS {9}\r\nEntwürfe (MESSAGES 0)")
	has(t, r1.ok(`LIST "" "Entw*"`), `* LIST (\HasNoChildren) "/" Entw&APw-rfe`)
	has(t, a.ok(`LIST (SUBSCRIBED) "" "*" RETURN (STATUS (MESSAGES))`), "* STATUS {9}\r\nEntwürfe (MESSAGES 0)")
	a.ok(`SELECT "Entwürfe"`)
	a.ok(`RENAME "Entwürfe" "Brouillons é"`)
	has(t, r1.ok(`LIST "" "Brouillons*"`), `* LIST (\HasNoChildren) "/" "Brouillons &AOk-"`)
	a.ok(`DELETE "Brouillons é"`)
	if u := r1.ok(`LIST "" "Brouillons*"`); len(u) != 0 {
		t.Fatalf("DELETE left %q", u)
	}
}

// Malformed UTF-8 in a name after the enable is BAD, and nothing is
// created, subscribed or renamed; the session goes on.
func TestUTF8AcceptMalformedNames(t *testing.T) {
	s := newTestSite(t)
	a := s.utf8Login("alice")
	a.ok("CREATE Plain")
	for _, cmd := range []string{
		"CREATE \"bad\xff\"",
		"CREATE \"half\xc3\"",
		"CREATE \"over\xc0\xaf\"",
		"SUBSCRIBE \"bad\xfe\"",
		"RENAME Plain \"bad\xff\"",
		"SELECT \"bad\xff\"",
		"STATUS \"bad\xff\" (MESSAGES)",
		"APPEND \"bad\xff\" {3+}\r\nx\r\n",
		"LIST \"\" \"bad\xff*\"",
		"LIST \"bad\xff\" \"*\"",
		"LSUB \"\" \"bad\xff*\"",
	} {
		a.expect(cmd, "BAD")
	}
	u := s.login("alice").ok(`LIST "" "*"`)
	for _, name := range []string{"bad", "half", "over"} {
		noLineWith(t, u, name)
	}
	has(t, u, `* LIST (\HasNoChildren) "/" Plain`)
	if u := a.ok(`LSUB "" "*"`); len(u) != 0 {
		t.Fatalf("subscribed: %q", u)
	}
	// Without the enable the same name is refused as before: NO.
	s.login("alice").expect("CREATE \"bad\xff\"", "NO Invalid mailbox name")
}

// SEARCH with a CHARSET is BAD after the enable; SORT and THREAD take
// UTF-8 only (RFC 6855 §3, erratum 4029). Strings are UTF-8 and match
// an 8-bit header.
func TestUTF8AcceptSearchCharset(t *testing.T) {
	s := newTestSite(t)
	s.deliver("user.alice", "From: a@example.com\r\nSubject: Grüße aus Köln\r\n\r\nbody\r\n", testMessage("plain"))
	a := s.utf8Login("alice")
	a.ok("SELECT INBOX")
	a.expect("SEARCH CHARSET UTF-8 ALL", "BAD")
	a.expect("UID SEARCH CHARSET US-ASCII ALL", "BAD")
	has(t, a.ok(`SEARCH SUBJECT "Köln"`), "* SEARCH 1")
	has(t, a.ok(`SORT (SUBJECT) UTF-8 ALL`), "* SORT 1 2")
	a.expect(`SORT (SUBJECT) ISO-8859-1 ALL`, "BAD")
	a.ok(`THREAD REFERENCES UTF-8 ALL`)
	a.expect(`THREAD REFERENCES KOI8-R ALL`, "BAD")
	// Another session keeps CHARSET.
	r1 := s.login("alice")
	r1.ok("SELECT INBOX")
	has(t, r1.ok("SEARCH CHARSET UTF-8 SUBJECT plain"), "* SEARCH 2")
}

// APPEND's "UTF8 (literal8)" form (RFC 6855 §4): stored with its 8-bit
// header as sent; refused (BAD, nothing stored, stream in step) without
// the enable or with an ordinary literal.
func TestUTF8AcceptAppend(t *testing.T) {
	s := newTestSite(t)
	msg := "From: jörg@example.com\r\nSubject: Grüße\r\n\r\nHallo\r\n"
	lit := "~{" + itoa(len(msg)) + "+}\r\n" + msg

	count := func(c *conv, want string) {
		t.Helper()
		has(t, c.ok("STATUS INBOX (MESSAGES)"), "* STATUS INBOX (MESSAGES "+want+")")
	}
	r1 := s.login("alice")
	r1.expect("APPEND INBOX UTF8 ("+lit+")", "BAD")
	count(r1, "0")

	a := s.utf8Login("alice")
	a.ok(`APPEND INBOX (\Seen) UTF8 (` + lit + ")")
	a.ok("APPEND INBOX UTF8 (" + lit + ") " + "{" + itoa(len(msg)) + "+}\r\n" + msg)
	a.ok("APPEND INBOX CATENATE (UTF8 (" + lit + ") TEXT {" + itoa(len("more\r\n")) + "+}\r\nmore\r\n)")
	count(a, "4")
	// An ordinary literal, a missing ")" and an unknown word are BAD,
	// nothing of the command is kept, and the next command runs.
	a.expect("APPEND INBOX UTF8 ({"+itoa(len(msg))+"+}\r\n"+msg+")", "BAD")
	a.expect("APPEND INBOX UTF8 ("+lit, "BAD")
	a.expect("APPEND INBOX UTF8 ("+lit+") UTF8 ("+lit, "BAD")
	a.expect("APPEND INBOX UTF9 ("+lit+")", "BAD")
	a.expect("APPEND INBOX CATENATE (UTF8 ("+lit+")", "BAD")
	count(a, "4")

	a.ok("SELECT INBOX")
	u := a.ok("FETCH 1:4 BODY.PEEK[HEADER.FIELDS (SUBJECT)]")
	for i, l := range u {
		if !strings.Contains(l, "Subject: Grüße\r\n") {
			t.Fatalf("message %d: 8-bit header not returned as stored: %q", i+1, l)
		}
	}
	has(t, a.ok("FETCH 4 BODY.PEEK[TEXT]"), "* 4 FETCH (BODY[TEXT] {13}\r\nHallo\r\nmore\r\n)")
}
