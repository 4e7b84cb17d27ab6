package imapserver

import (
	"strings"
	"testing"

	"gocyrus/internal/faulttest"
)

const replaceDraft = "Date: Thu, 1 Jan 2015 00:05:00 -0500 (EST)\r\nFrom: Fritz Schmidt <fritz.ze@example.org>\r\n" +
	"Subject: happy new year !!\r\nTo: miss.mitzy@example.org\r\n\r\nJust saw the best fireworks show. Wish you were here.\r\n"

// TestReplace follows RFC 8508 §3.4's examples: REPLACE into another
// mailbox, then UID REPLACE within the selected one; APPENDUID in an
// untagged OK, then EXISTS / EXPUNGE.
func TestReplace(t *testing.T) {
	s := newTestSite(t)
	s.deliver("user.alice", testMessage("one"), testMessage("two"), testMessage("three"), testMessage("four"))
	a := s.login("alice")
	if caps := a.ok("CAPABILITY")[0]; !strings.Contains(caps, " REPLACE") {
		t.Fatalf("REPLACE not advertised: %s", caps)
	}
	a.ok("CREATE Drafts")
	a.ok("SELECT INBOX")
	u := a.ok(`REPLACE 4 Drafts (\Seen \Draft) ` + lit(replaceDraft))
	v := hasPrefix(t, u, "* OK [APPENDUID ")
	if !strings.HasSuffix(v, " 1] Replacement Message ready") {
		t.Fatalf("APPENDUID: %q", v)
	}
	has(t, u, "* 4 EXPUNGE")
	has(t, a.ok("STATUS Drafts (MESSAGES)"), "* STATUS Drafts (MESSAGES 1)")
	a.ok("SELECT Drafts")
	has(t, a.ok("FETCH 1 (FLAGS RFC822.SIZE)"), `* 1 FETCH (FLAGS (\Seen \Draft \Recent) RFC822.SIZE `+itoa(len(replaceDraft))+")")

	// UID REPLACE in the selected mailbox (the draft edited again).
	edited := strings.Replace(replaceDraft, "fireworks", "fireworks ever", 1)
	u = a.ok(`UID REPLACE 1 Drafts (\Seen \Draft) ` + lit(edited))
	hasPrefix(t, u, "* OK [APPENDUID ")
	has(t, u, "* 1 EXPUNGE")
	has(t, u, "* 1 EXISTS")
	has(t, a.ok("UID FETCH 2 BODY.PEEK[TEXT]"), "* 1 FETCH (UID 2 BODY[TEXT] {60}\r\nJust saw the best fireworks ever show. Wish you were here.\r\n)")

	// With QRESYNC the old message is reported VANISHED.
	a.ok("ENABLE QRESYNC")
	u = a.ok("UID REPLACE 2 Drafts ~{" + itoa(len(binTop)) + "+}\r\n" + binTop)
	has(t, u, "* VANISHED 2")
	has(t, a.ok("FETCH 1 (UID BINARY.SIZE[1])"), "* 1 FETCH (UID 3 BINARY.SIZE[1] 6)")
}

// TestReplaceRefused: each refusal leaves both mailboxes as they were,
// and a refused REPLACE does not leave its literal to be read as a
// command.
func TestReplaceRefused(t *testing.T) {
	s := newTestSite(t)
	s.deliver("user.alice", testMessage("one"))
	a := s.login("alice")
	a.expect("REPLACE 1 INBOX "+lit(replaceDraft), "BAD") // not selected
	a.ok("SELECT INBOX")
	a.expect("REPLACE 2 INBOX "+lit(replaceDraft), "BAD Invalid message sequence number")
	a.expect("UID REPLACE 7 INBOX "+lit(replaceDraft), "NO Message does not exist")
	a.expect("REPLACE 1 Nowhere "+lit(replaceDraft), "NO [TRYCREATE] Mailbox does not exist")
	a.expect("REPLACE 1 INBOX "+lit(replaceDraft)+" "+lit(replaceDraft), "BAD") // one message only
	a.expect("REPLACE 1 INBOX (\\Bogus) "+lit(replaceDraft), "BAD")
	a.expect("REPLACE 0 INBOX "+lit(replaceDraft), "BAD")
	// A synchronising literal is not invited when the command is refused.
	a.write("s1 REPLACE 9 INBOX {5}\r\n")
	if l := a.line(); !strings.HasPrefix(l, "s1 BAD") {
		t.Fatalf("refused REPLACE invited its literal: %q", l)
	}
	a.ok("EXAMINE INBOX")
	a.expect("REPLACE 1 INBOX "+lit(replaceDraft), "NO Permission denied")
	// Over quota: nothing appended, the old message kept.
	root := s.login("cyrus")
	root.ok("SETQUOTA user/alice (STORAGE 1)")
	a.ok("SELECT INBOX")
	big := replaceDraft + strings.Repeat("x", 2000) + "\r\n"
	a.expect("REPLACE 1 INBOX "+lit(big), "NO [OVERQUOTA]")
	has(t, a.ok("STATUS INBOX (MESSAGES)"), "* STATUS INBOX (MESSAGES 1)")
	has(t, a.ok("FETCH 1 BODY.PEEK[HEADER.FIELDS (SUBJECT)]"), "* 1 FETCH (BODY[HEADER.FIELDS (SUBJECT)] {16}\r\nSubject: one\r\n\r\n)")
}

// TestReplaceFailsBetween: a session that dies after the new message is
// stored and before the old one is expunged leaves both, never neither.
func TestReplaceFailsBetween(t *testing.T) {
	site := newTestSite(t)
	site.deliver("user.alice", testMessage("old"))
	opts := site.srv.opts
	var logs faulttest.Log
	opts.Logger = logs.Logger()
	srv, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	srv.testFault = func(step string) {
		if step == "REPLACE appended" {
			faulttest.Panic()
		}
	}
	site.addr = serveOnLoopback(t, srv.Handle)
	a := site.login("alice")
	a.ok("SELECT INBOX")
	a.write("r1 REPLACE 1 INBOX " + lit(replaceDraft) + "\r\n")
	if got := a.line(); !strings.HasPrefix(got, "* BYE [SERVERBUG]") {
		t.Fatalf("farewell = %q", got)
	}
	b := site.login("alice")
	has(t, b.ok("STATUS INBOX (MESSAGES)"), "* STATUS INBOX (MESSAGES 2)")
	b.ok("SELECT INBOX")
	has(t, b.ok("FETCH 1:2 BODY.PEEK[HEADER.FIELDS (SUBJECT)]"), "* 2 FETCH (BODY[HEADER.FIELDS (SUBJECT)] {30}\r\nSubject: happy new year !!\r\n\r\n)")
}
