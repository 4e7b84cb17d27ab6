package imapserver

import (
	"crypto/sha1"
	"encoding/hex"
	"regexp"
	"strings"
	"testing"
)

// objectIDMessage is the first message of the Cyrus 3.6.1 capture
// (test/compat/fixtures/objectid-savedate-preview.txt), whose EMAILID there
// is M81125ddcba6fcdb66a748077.
const objectIDMessage = "From: a@example.com\r\nTo: b@example.com\r\nSubject: hi\r\n" +
	"Date: Mon, 1 Jan 2024 10:00:00 +0000\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n" +
	"Hello   world,\r\n\r\nthis is\ta   preview test.\r\n"

var mailboxIDCode = regexp.MustCompile(`^OK \[MAILBOXID \(([a-z0-9]{24})\)\] Completed$`)

// createWithID runs CREATE and returns the MAILBOXID of its OK.
func createWithID(t *testing.T, c *conv, name string) string {
	t.Helper()
	u, st := c.run("CREATE " + name)
	m := mailboxIDCode.FindStringSubmatch(st)
	if m == nil {
		t.Fatalf("CREATE %s: %q (untagged %q), want OK [MAILBOXID (id)] Completed", name, st, u)
	}
	return m[1]
}

// TestObjectIDMatchesCyrus replays the OBJECTID part of the Cyrus 3.6.1
// capture: MAILBOXID from CREATE, STATUS and LIST-STATUS, kept by RENAME,
// new after DELETE and CREATE; EMAILID the same after COPY; THREADID NIL;
// the EMAILID and THREADID search keys, garbage ids matching nothing.
func TestObjectIDMatchesCyrus(t *testing.T) {
	site := newTestSite(t)
	a := site.login("alice")
	hasPrefix(t, a.ok("CAPABILITY"), "* CAPABILITY ")
	if caps := hasPrefix(t, a.ok("CAPABILITY"), "* CAPABILITY "); !strings.Contains(caps+" ", " OBJECTID ") {
		t.Fatalf("OBJECTID not advertised: %s", caps)
	}

	id := createWithID(t, a, "INBOX.objtest")
	internal, err := site.st.Namespace().ToInternal("INBOX.objtest", "alice", false)
	if err != nil {
		t.Fatal(err)
	}
	e, err := site.st.Lookup(t.Context(), internal)
	if err != nil || e.UniqueID != id {
		t.Fatalf("MAILBOXID %s, uniqueid %v (err %v)", id, e, err)
	}
	status := "* STATUS INBOX.objtest (MAILBOXID (" + id + "))"
	has(t, a.ok("STATUS INBOX.objtest (MAILBOXID)"), status)
	has(t, a.ok(`LIST "" "INBOX.objtest" RETURN (STATUS (MAILBOXID))`), status)
	has(t, a.ok("STATUS INBOX.objtest (MESSAGES MAILBOXID)"), "* STATUS INBOX.objtest (MESSAGES 0 MAILBOXID ("+id+"))")

	ren := createWithID(t, a, "INBOX.objren")
	a.ok("RENAME INBOX.objren INBOX.objren2")
	has(t, a.ok("STATUS INBOX.objren2 (MAILBOXID)"), "* STATUS INBOX.objren2 (MAILBOXID ("+ren+"))")
	a.ok("DELETE INBOX.objren2")
	again := createWithID(t, a, "INBOX.objren2")
	if again == ren {
		t.Fatalf("DELETE and CREATE kept the MAILBOXID %s", ren)
	}

	a.ok("APPEND INBOX.objtest {" + itoa(len(objectIDMessage)) + "+}\r\n" + objectIDMessage)
	sum := sha1.Sum([]byte(objectIDMessage))
	emailID := "M" + hex.EncodeToString(sum[:12])
	if emailID != "M81125ddcba6fcdb66a748077" {
		t.Fatalf("EMAILID %s differs from Cyrus's for the same bytes", emailID)
	}
	createWithID(t, a, "INBOX.objtest2")
	a.ok("SELECT INBOX.objtest")
	has(t, a.ok("FETCH 1 (EMAILID THREADID)"), "* 1 FETCH (EMAILID ("+emailID+") THREADID NIL)")
	a.ok("COPY 1 INBOX.objtest2")
	has(t, a.ok("SEARCH EMAILID "+emailID), "* SEARCH 1")
	for _, garbage := range []string{"Mxxxxxxxxxxxxxxxxxxxxxxx", strings.Repeat("A", 300), "M81125DDCBA6FCDB66A748077",
		emailID[:24], emailID + "0", `""`, "{3+}\r\nM81"} {
		has(t, a.ok("SEARCH EMAILID "+garbage), "* SEARCH")
	}
	has(t, a.ok("SEARCH THREADID T1234"), "* SEARCH")
	has(t, a.ok("SEARCH NOT THREADID T1234"), "* SEARCH 1")
	a.ok("SELECT INBOX.objtest2")
	has(t, a.ok("FETCH 1 (EMAILID THREADID)"), "* 1 FETCH (EMAILID ("+emailID+") THREADID NIL)")
	has(t, a.ok("UID SEARCH EMAILID "+emailID), "* SEARCH 1")
	a.expect("SEARCH EMAILID", "BAD")
	a.expect("STATUS INBOX.objtest (MAILBOXID", "BAD")
}
