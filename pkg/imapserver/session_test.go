package imapserver

import (
	"context"
	"strings"
	"testing"
	"time"

	"gocyrus/pkg/quota"
)

func TestGreetingCapabilityLogin(t *testing.T) {
	s := newTestSite(t)
	c := s.dial()
	if !strings.HasPrefix(c.Hi, "* OK [CAPABILITY IMAP4rev1 IMAP4rev2 LITERAL+ ID ENABLE AUTH=") ||
		!strings.HasSuffix(c.Hi, "imap.test gocyrus IMAP "+Version+" server ready") {
		t.Fatalf("greeting %q", c.Hi)
	}
	caps := c.ok("CAPABILITY")
	for _, want := range []string{"ACL", "RIGHTS=kxten", "QUOTA", "UIDPLUS", "MOVE", "IDLE", "SASL-IR", "AUTH=PLAIN"} {
		if !strings.Contains(caps[0]+" ", " "+want+" ") {
			t.Errorf("CAPABILITY lacks %s: %s", want, caps[0])
		}
	}
	c.expect("SELECT INBOX", "BAD Please login first")
	c.expect("LOGIN alice wrong", "NO [AUTHENTICATIONFAILED] Login failed: authentication failure")
	_, st := c.run("LOGIN alice secret")
	if !strings.HasPrefix(st, "OK [CAPABILITY IMAP4rev1") || !strings.Contains(st, "LOGINDISABLED") ||
		!strings.Contains(st, "] User logged in SESSIONID=<imap.test-") {
		t.Fatalf("login: %q", st)
	}
	c.expect("LOGIN alice secret", "BAD Already authenticated")
	c.expect("FETCH 1 FLAGS", "BAD Please select a mailbox first")
	c.expect("BLURDYBLOOP", "BAD Unrecognized command")
	has(t, c.ok("NAMESPACE"), `* NAMESPACE (("" "/")) (("Other Users/" "/")) (("Shared Folders/" "/"))`)
	hasPrefix(t, c.ok(`ID ("name" "test")`), `* ID ("name" "gocyrus IMAPD"`)
	has(t, c.ok("ENABLE CONDSTORE"), "* ENABLED CONDSTORE")
	u, st := c.run("LOGOUT")
	if st != "OK Completed" || u[0] != "* BYE LOGOUT received" {
		t.Fatalf("logout: %q %q", u, st)
	}
}

func TestAuthenticatePlainWithInitialResponse(t *testing.T) {
	s := newTestSite(t)
	c := s.dial()
	// "\x00alice\x00secret"
	c.ok("AUTHENTICATE PLAIN AGFsaWNlAHNlY3JldA==")
	c.ok("SELECT INBOX")
	// Without SASL-IR: an empty challenge, then the response; "*" cancels.
	d := s.dial()
	d.write("b1 AUTHENTICATE PLAIN\r\n")
	if l := d.line(); l != "+ " {
		t.Fatalf("challenge %q", l)
	}
	d.write("*\r\n")
	if _, st := d.until("b1"); !strings.HasPrefix(st, "BAD") {
		t.Fatalf("cancel: %q", st)
	}
	d.write("b2 AUTHENTICATE PLAIN\r\n")
	d.line()
	d.write("AGFsaWNlAHNlY3JldA==\r\n")
	if _, st := d.until("b2"); !strings.HasPrefix(st, "OK") {
		t.Fatalf("authenticate: %q", st)
	}
}

func TestListAndRightsHiding(t *testing.T) {
	s := newTestSite(t)
	a := s.login("alice")
	u := a.ok(`LIST "" "*"`)
	has(t, u, `* LIST (\HasNoChildren) "/" INBOX`)
	has(t, u, `* LIST (\HasNoChildren) "/" Work`)
	has(t, u, `* LIST (\HasNoChildren) "/" "Shared Folders/board"`)
	for _, l := range u {
		if strings.Contains(l, "bob") {
			t.Fatalf("bob's INBOX is visible to alice: %q", l)
		}
	}
	has(t, a.ok(`LIST "" "%"`), `* LIST (\Noselect \HasChildren) "/" "Shared Folders"`)
	has(t, a.ok(`LIST "" ""`), `* LIST (\Noselect) "/" ""`)
	a.expect(`SELECT "Other Users/bob"`, "NO Mailbox does not exist")
	a.expect(`CREATE "Other Users/bob"`, "NO Permission denied")
	a.expect(`CREATE Work`, "NO Mailbox already exists")
	a.expect(`DELETE INBOX`, "NO Operation is not supported on mailbox")
	a.expect(`CREATE "Shared Folders/board/new"`, "NO Permission denied")
	has(t, a.ok("MYRIGHTS INBOX"), "* MYRIGHTS INBOX lrswipkxtecdan")
	has(t, a.ok(`MYRIGHTS "Shared Folders/board"`), `* MYRIGHTS "Shared Folders/board" lrs`)
	u = a.ok(`EXAMINE "Shared Folders/board"`)
	has(t, u, "* OK [PERMANENTFLAGS ()] Ok")

	// Folder management and subscriptions.
	a.ok("CREATE Projects/2026/")
	a.ok("SUBSCRIBE Projects/2026")
	has(t, a.ok(`LSUB "" "*"`), `* LSUB () "/" Projects/2026`)
	has(t, a.ok(`LIST (SUBSCRIBED) "" "*"`), `* LIST (\HasNoChildren \Subscribed) "/" Projects/2026`)
	a.ok("RENAME Projects/2026 Projects/2027")
	has(t, a.ok(`LIST "" "Projects/*"`), `* LIST (\HasNoChildren) "/" Projects/2027`)
	a.ok("CREATE Work/Sub")
	a.expect("DELETE Work", "NO [HASCHILDREN] Mailbox has inferior hierarchical names")
	a.ok("DELETE Work/Sub")
	a.ok("DELETE Projects/2027")
	a.ok("UNSUBSCRIBE Projects/2026")
	a.ok("CREATE Sent (USE (\\Sent))")
	has(t, a.ok(`LIST "" "Sent"`), `* LIST (\HasNoChildren \Sent) "/" Sent`)
	has(t, a.ok(`LIST "" "Work" RETURN (STATUS (MESSAGES UIDNEXT))`), `* STATUS Work (MESSAGES 0 UIDNEXT 1)`)
}

func TestSelectAppendFetchStoreSearch(t *testing.T) {
	s := newTestSite(t)
	s.deliver("user.alice", testMessage("first"), testMessage("second"))
	a := s.login("alice")
	u := a.ok("SELECT INBOX")
	for _, want := range []string{"* 2 EXISTS", "* 2 RECENT", `* FLAGS (\Answered \Flagged \Draft \Deleted \Seen)`,
		`* OK [PERMANENTFLAGS (\Answered \Flagged \Draft \Deleted \Seen \*)] Ok`, "* OK [UNSEEN 1] Ok", "* OK [UIDNEXT 3] Ok",
		"* OK [URLMECH INTERNAL] Ok"} { // as Cyrus 3.6.1 (test/compat/fixtures/imap-transcript.txt)
		has(t, u, want)
	}
	// Synchronising literal and LITERAL+.
	msg := testMessage("third")
	a.write("x1 APPEND INBOX (\\Flagged) {" + itoa(len(msg)) + "}\r\n")
	if l := a.line(); !strings.HasPrefix(l, "+ ") {
		t.Fatalf("continuation %q", l)
	}
	a.write(msg + "\r\n")
	u, st := a.until("x1")
	if !strings.HasPrefix(st, "OK [APPENDUID ") || !strings.HasSuffix(st, " 3] Completed") {
		t.Fatalf("append: %q", st)
	}
	has(t, u, "* 3 EXISTS")
	m4, m5 := testMessage("fourth"), testMessage("fifth")
	a.write("x2 APPEND INBOX {" + itoa(len(m4)) + "+}\r\n" + m4 + " {" + itoa(len(m5)) + "+}\r\n" + m5 + "\r\n")
	if _, st := a.until("x2"); !strings.Contains(st, "APPENDUID") || !strings.Contains(st, " 4:5]") {
		t.Fatalf("multiappend: %q", st)
	}
	a.expect("APPEND Nosuch {1+}\r\nx", "NO [TRYCREATE]")

	u = a.ok("FETCH 1:3 (UID FLAGS RFC822.SIZE)")
	hasPrefix(t, u, "* 3 FETCH (UID 3 FLAGS (\\Flagged")
	u = a.ok("UID FETCH 1 (ENVELOPE BODY.PEEK[HEADER.FIELDS (SUBJECT)])")
	hasPrefix(t, u, `* 1 FETCH (UID 1 ENVELOPE ("Mon, 06 Jan 2025 10:01:00 +0000" "first"`)
	u = a.ok("FETCH 2 BODY[TEXT]")
	l := hasPrefix(t, u, "* 2 FETCH (")
	if !strings.Contains(l, "Hello second") || !strings.Contains(l, `\Seen`) {
		t.Fatalf("BODY[TEXT] with implicit \\Seen: %q", l)
	}
	u = a.ok(`STORE 1 +FLAGS (\Answered $Label1)`)
	hasPrefix(t, u, `* 1 FETCH (UID 1 FLAGS (\Answered $Label1 \Recent)`)
	if u := a.ok(`STORE 1 -FLAGS.SILENT (\Answered)`); len(u) != 0 {
		t.Fatalf("silent store answered %q", u)
	}
	has(t, a.ok("SEARCH SUBJECT second"), "* SEARCH 2")
	has(t, a.ok("UID SEARCH FLAGGED"), "* SEARCH 3")
	if l := hasPrefix(t, a.ok("SEARCH RETURN (MIN MAX COUNT) ALL"), `* ESEARCH (TAG "a`); !strings.HasSuffix(l, `") COUNT 5 MIN 1 MAX 5`) {
		t.Errorf("ESEARCH: %q", l)
	}
	has(t, a.ok("SORT (REVERSE SUBJECT) UTF-8 ALL"), "* SORT 3 2 4 1 5")
	hasPrefix(t, a.ok("THREAD ORDEREDSUBJECT UTF-8 ALL"), "* THREAD (")
	a.expect("SEARCH CHARSET KOI8-Q ALL", "NO [BADCHARSET")
	a.expect("FETCH 9 FLAGS", "BAD")

	// CONDSTORE.
	u = a.ok("FETCH 1 (MODSEQ)")
	hasPrefix(t, u, "* 1 FETCH (MODSEQ (")
	_, st = a.run("STORE 1 (UNCHANGEDSINCE 1) +FLAGS (\\Flagged)")
	if !strings.HasPrefix(st, "OK [MODIFIED 1]") {
		t.Fatalf("unchangedsince: %q", st)
	}

	// COPY, MOVE, EXPUNGE.
	_, st = a.run("COPY 1:2 Work")
	if !strings.HasPrefix(st, "OK [COPYUID ") || !strings.Contains(st, " 1:2 1:2]") {
		t.Fatalf("copy: %q", st)
	}
	u = a.ok("MOVE 3 Work")
	hasPrefix(t, u, "* OK [COPYUID ")
	has(t, u, "* 3 EXPUNGE")
	has(t, a.ok("STATUS Work (MESSAGES UNSEEN)"), "* STATUS Work (MESSAGES 3 UNSEEN 2)")
	a.ok(`STORE 1 +FLAGS (\Deleted)`)
	has(t, a.ok("EXPUNGE"), "* 1 EXPUNGE")
	a.ok(`UID STORE 5 +FLAGS (\Deleted)`)
	has(t, a.ok("UID EXPUNGE 5"), "* 3 EXPUNGE")
	if u := a.ok("NOOP"); len(u) != 0 {
		t.Fatalf("NOOP with nothing pending: %q", u)
	}
}

func itoa(n int) string { return strconvItoa(n) }

func TestSecondSessionObservesFirst(t *testing.T) {
	s := newTestSite(t)
	s.deliver("user.alice", testMessage("one"), testMessage("two"))
	a := s.login("alice")
	b := s.login("alice")
	a.ok("SELECT INBOX")
	b.ok("SELECT INBOX")

	// b idles; a's changes reach it while idling.
	b.write("i1 IDLE\r\n")
	if l := b.line(); l != "+ idling" {
		t.Fatalf("idle: %q", l)
	}
	a.ok(`STORE 2 +FLAGS (\Flagged)`)
	if l := b.line(); !strings.HasPrefix(l, `* 2 FETCH (UID 2 FLAGS (\Flagged`) {
		t.Fatalf("idle flag change: %q", l)
	}
	s.deliver("user.alice", testMessage("three"))
	if l := b.line(); l != "* 3 EXISTS" {
		t.Fatalf("idle new message: %q", l)
	}
	b.line() // RECENT
	a.ok(`STORE 1 +FLAGS (\Deleted)`)
	b.line() // the flag change
	a.ok("EXPUNGE")
	if l := b.line(); l != "* 1 EXPUNGE" {
		t.Fatalf("idle expunge: %q", l)
	}
	b.write("DONE\r\n")
	if _, st := b.until("i1"); st != "OK Completed" {
		t.Fatalf("DONE: %q", st)
	}
	// \Recent went to the first session that saw the message.
	u := a.ok("FETCH 2 FLAGS")
	if strings.Contains(u[len(u)-1], `\Recent`) {
		t.Errorf("message 3 is \\Recent in both sessions: %q", u)
	}
	// No EXPUNGE during FETCH; it waits for a command that allows it.
	a.ok(`STORE 1 +FLAGS (\Deleted)`)
	b.ok("NOOP")
	a.ok("EXPUNGE")
	u = b.ok("FETCH 1:* UID")
	for _, l := range u {
		if strings.Contains(l, "EXPUNGE") {
			t.Fatalf("EXPUNGE sent during FETCH: %q", u)
		}
	}
	has(t, b.ok("NOOP"), "* 1 EXPUNGE")
}

func TestACLCommands(t *testing.T) {
	s := newTestSite(t)
	a := s.login("alice")
	has(t, a.ok("GETACL INBOX"), "* ACL INBOX alice lrswipkxtecdan")
	a.ok("SETACL Work bob lrs")
	has(t, a.ok("GETACL Work"), "* ACL Work alice lrswipkxtecdan bob lrs")
	has(t, a.ok("LISTRIGHTS INBOX bob"), "* LISTRIGHTS INBOX bob p l r s w i k x t e c d a n 0 1 2 3 4 5 6 7 8 9")
	a.expect("SETACL Work bob lrsQ", "NO Invalid rights")
	a.expect(`GETACL "Shared Folders/board"`, "NO Permission denied")

	b := s.login("bob")
	has(t, b.ok(`LIST "" "Other Users/*"`), `* LIST (\HasNoChildren) "/" "Other Users/alice/Work"`)
	has(t, b.ok(`MYRIGHTS "Other Users/alice/Work"`), `* MYRIGHTS "Other Users/alice/Work" lrs`)
	b.ok(`EXAMINE "Other Users/alice/Work"`)
	b.expect(`APPEND "Other Users/alice/Work" {1+}`+"\r\nx", "NO Permission denied")
	a.ok("DELETEACL Work bob")
	b.expect(`SELECT "Other Users/alice/Work"`, "NO Mailbox does not exist")
}

func TestQuotaCommands(t *testing.T) {
	s := newTestSite(t)
	root := s.login("cyrus")
	has(t, root.ok("NAMESPACE"), `* NAMESPACE NIL (("user/" "/")) (("" "/"))`)
	has(t, root.ok("MYRIGHTS user/alice"), "* MYRIGHTS user/alice la")
	root.expect("SELECT user/alice", "NO Permission denied")
	has(t, root.ok("SETQUOTA user/alice (STORAGE 1 MESSAGE 2)"), "* QUOTA user/alice (STORAGE 0 1 MESSAGE 0 2)")
	has(t, root.ok("GETQUOTA user/alice"), "* QUOTA user/alice (STORAGE 0 1 MESSAGE 0 2)")
	root.expect("GETQUOTA user/bob", "NO Quota root does not exist")
	root.expect("SETQUOTA user/bob (FROBS 1)", "NO Unsupported quota resource")

	a := s.login("alice")
	u := a.ok("GETQUOTAROOT INBOX")
	has(t, u, "* QUOTAROOT INBOX INBOX")
	has(t, u, "* QUOTA INBOX (STORAGE 0 1 MESSAGE 0 2)")
	a.expect("GETQUOTA INBOX", "NO Permission denied")
	a.expect("SETQUOTA INBOX (STORAGE 1)", "NO Permission denied")
	big := strings.Repeat("x", 2000)
	a.expect("APPEND INBOX {"+itoa(len(big))+"+}\r\n"+big, "NO [OVERQUOTA] Over quota")
	a.ok("APPEND INBOX {3+}\r\nabc")
	s.deliver("user.alice.Work", testMessage("w1"), testMessage("w2"))
	a.ok("SELECT Work")
	a.expect("COPY 1:2 INBOX", "NO [OVERQUOTA]")
	q, _ := s.st.GetQuota(context.Background(), "user.alice")
	if q.Usage[quota.Message] != 3 { // the append above, plus the two delivered with quota ignored
		t.Logf("usage %v", q.Usage)
	}
}

func TestShutdownAndMotd(t *testing.T) {
	s := newTestSite(t)
	msgDir := s.srv.cfg.Configdirectory() + "/msg"
	mustWrite(t, msgDir+"/motd", "Maintenance tonight\n")
	c := s.dial()
	u := c.ok("LOGIN alice secret")
	has(t, u, "* OK [ALERT] Maintenance tonight")
	mustWrite(t, msgDir+"/shutdown", "Down for upgrade\n")
	d := s.dial()
	if d.Hi != "* BYE Down for upgrade" {
		t.Fatalf("greeting under shutdown: %q", d.Hi)
	}
}

func TestLiteralLimitsAndBadInput(t *testing.T) {
	s := newTestSite(t, "maxmessagesize", "100")
	a := s.login("alice")
	a.write("t1 APPEND INBOX {500}\r\n")
	if _, st := a.until("t1"); !strings.HasPrefix(st, "NO [TOOBIG]") {
		t.Fatalf("too big: %q", st)
	}
	a.ok("NOOP")
	a.write("t2 LIST \"\" \"*\" garbage\r\n")
	if _, st := a.until("t2"); !strings.HasPrefix(st, "BAD") {
		t.Fatalf("garbage: %q", st)
	}
	a.ok("NOOP")
	_ = time.Second
}

// TestAppendKeptTarget: the session keeps its APPEND target open between
// commands, but a mailbox deleted and created again under the same name,
// or renamed, is not appended to through the old one.
func TestAppendKeptTarget(t *testing.T) {
	s := newTestSite(t)
	c := s.login("alice")
	msg := testMessage("kept")
	appendCmd := func(box string) string {
		return "APPEND " + box + " {" + itoa(len(msg)) + "+}\r\n" + msg
	}
	c.ok("CREATE Kept")
	c.ok(appendCmd("Kept"))
	c.ok(appendCmd("Kept"))
	has(t, c.ok("STATUS Kept (MESSAGES)"), "* STATUS Kept (MESSAGES 2)")
	c.ok("DELETE Kept")
	c.expect(appendCmd("Kept"), "NO [TRYCREATE]")
	c.ok("CREATE Kept")
	c.ok(appendCmd("Kept"))
	has(t, c.ok("STATUS Kept (MESSAGES)"), "* STATUS Kept (MESSAGES 1)")
	c.ok("RENAME Kept Moved")
	c.ok("CREATE Kept")
	c.ok(appendCmd("Kept"))
	has(t, c.ok("STATUS Kept (MESSAGES)"), "* STATUS Kept (MESSAGES 1)")
	has(t, c.ok("STATUS Moved (MESSAGES)"), "* STATUS Moved (MESSAGES 1)")
}
