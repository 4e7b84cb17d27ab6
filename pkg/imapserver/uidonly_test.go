package imapserver

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// UIDONLY (RFC 9586): after ENABLE UIDONLY message numbers are refused
// with BAD [UIDREQUIRED] (changing nothing), FETCH responses carry the UID
// as UIDFETCH, and expunges are VANISHED even without QRESYNC.
func TestUIDOnly(t *testing.T) {
	s := newTestSite(t)
	a := s.login("alice")
	if caps := strings.Fields(a.ok("CAPABILITY")[0]); !slices.Contains(caps, "UIDONLY") {
		t.Fatalf("CAPABILITY: %q", caps)
	}
	s.deliver("user.alice", testMessage("one"), testMessage("two"), testMessage("three"))
	if got := a.ok("ENABLE UIDONLY"); !slices.Equal(got, []string{"* ENABLED UIDONLY"}) {
		t.Fatalf("ENABLE UIDONLY: %q", got)
	}
	a.ok("SELECT INBOX")
	// Message 1 goes: numbers and UIDs differ from here on.
	a.ok(`UID STORE 1 +FLAGS.SILENT (\Deleted)`)
	if got := a.ok("EXPUNGE"); !slices.Equal(got, []string{"* VANISHED 1"}) {
		t.Errorf("EXPUNGE: %q", got)
	}
	for _, cmd := range []string{
		"FETCH 1 FLAGS", `STORE 1 +FLAGS (\Flagged)`, "SEARCH ALL", "COPY 1 Work", "MOVE 1 Work",
		"SORT (DATE) UTF-8 ALL", "THREAD REFERENCES UTF-8 ALL",
		"UID SEARCH 1:2", "UID SEARCH OR 1 UID 2", "UID SORT (DATE) UTF-8 NOT 1",
	} {
		if u := a.expect(cmd, "BAD [UIDREQUIRED]"); len(u) != 0 {
			t.Errorf("%s: untagged %q", cmd, u)
		}
	}
	// Nothing was flagged, copied or moved.
	has(t, a.ok("UID FETCH 2:3 FLAGS"), `* 2 UIDFETCH (FLAGS (\Recent))`)
	// UID only when asked for.
	has(t, a.ok("UID FETCH 2 (UID FLAGS)"), `* 2 UIDFETCH (UID 2 FLAGS (\Recent))`)
	has(t, a.ok(`STATUS Work (MESSAGES)`), `* STATUS Work (MESSAGES 0)`)
	// UID commands work, and answer with UIDs only.
	has(t, a.ok(`UID STORE 3 +FLAGS (\Flagged)`), `* 3 UIDFETCH (FLAGS (\Flagged \Recent))`)
	has(t, a.ok("UID SEARCH FLAGGED"), "* SEARCH 3")
	has(t, a.ok("UID SEARCH UID 2:*"), "* SEARCH 2 3")
	// Another session's change arrives as UIDFETCH and VANISHED too.
	b := s.login("alice")
	b.ok("SELECT INBOX")
	b.ok(`STORE 1 +FLAGS (\Seen)`) // b did not enable UIDONLY: message 1 is UID 2
	has(t, a.ok("NOOP"), `* 2 UIDFETCH (FLAGS (\Seen \Recent))`)
	b.ok(`UID STORE 2 +FLAGS.SILENT (\Deleted)`)
	b.ok("EXPUNGE")
	has(t, a.ok("NOOP"), "* VANISHED 2")
	a.ok("UID MOVE 3 Work")
	has(t, a.ok(`STATUS Work (MESSAGES)`), `* STATUS Work (MESSAGES 1)`)
}

// Before ENABLE UIDONLY nothing changes: numbers are accepted and FETCH
// and EXPUNGE are answered as ever.
func TestUIDOnlyNotEnabled(t *testing.T) {
	s := newTestSite(t)
	a := s.login("alice")
	s.deliver("user.alice", testMessage("one"), testMessage("two"))
	a.ok("SELECT INBOX")
	has(t, a.ok("FETCH 2 UID"), "* 2 FETCH (UID 2)")
	a.ok(`STORE 1 +FLAGS.SILENT (\Deleted)`)
	has(t, a.ok("EXPUNGE"), "* 1 EXPUNGE")
	has(t, a.ok("SEARCH 1"), "* SEARCH 1")
}

// Under UIDONLY a QRESYNC SELECT may name known UIDs but not message
// numbers: its match data is BAD [UIDREQUIRED], and the mailbox selected
// before stays selected (nothing was done).
func TestUIDOnlyQResyncSeqMatch(t *testing.T) {
	s := newTestSite(t)
	s.deliver("user.alice", testMessage("one"), testMessage("two"))
	a := s.login("alice")
	a.ok("ENABLE QRESYNC UIDONLY")
	u := a.ok("SELECT INBOX")
	noLineWith(t, u, "[UNSEEN ") // a message number
	validity := strings.TrimSuffix(strings.TrimPrefix(hasPrefix(t, u, "* OK [UIDVALIDITY "), "* OK [UIDVALIDITY "), "] Ok")
	if u := a.expect("SELECT INBOX (QRESYNC ("+validity+" 1 1:2 (1:2 1:2)))", "BAD [UIDREQUIRED]"); len(u) != 0 {
		t.Fatalf("refused SELECT sent %q", u)
	}
	a.expect("EXAMINE INBOX (QRESYNC ("+validity+" 1 (1 1)))", "BAD [UIDREQUIRED]")
	// Still selected: a UID command works without a new SELECT.
	a.ok("UID FETCH 1 FLAGS")
	a.ok("SELECT INBOX (QRESYNC (" + validity + " 1 1:2))")
}

// A message whose file is gone is named by UID, not number, under UIDONLY.
func TestUIDOnlyMissingFile(t *testing.T) {
	s := newTestSite(t)
	uids := s.deliver("user.alice", testMessage("one"), testMessage("two"), testMessage("three"))
	e, err := s.st.Lookup(context.Background(), "user.alice")
	if err != nil {
		t.Fatal(err)
	}
	dir, err := s.st.Dir(e)
	if err != nil {
		t.Fatal(err)
	}
	a := s.login("alice")
	a.ok("ENABLE UIDONLY")
	a.ok("SELECT INBOX")
	a.ok(`UID STORE 1 +FLAGS.SILENT (\Deleted)`)
	a.ok("EXPUNGE") // numbers and UIDs differ from here on
	if err := os.Remove(filepath.Join(dir, strconv.FormatUint(uint64(uids[2]), 10)+".")); err != nil {
		t.Fatal(err)
	}
	u := a.ok("UID FETCH 2:3 BODY.PEEK[]")
	has(t, u, "* OK Message UID 3 no longer exists")
	hasPrefix(t, u, "* 2 UIDFETCH (")
}
