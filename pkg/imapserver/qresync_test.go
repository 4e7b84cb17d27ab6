package imapserver

import (
	"context"
	"regexp"
	"strconv"
	"testing"
	"time"

	"gocyrus/pkg/quota"
)

var highestModSeq = regexp.MustCompile(`^\* OK \[HIGHESTMODSEQ (\d+)\]`)

// modseqOf returns the HIGHESTMODSEQ a SELECT reported.
func modseqOf(t *testing.T, lines []string) string {
	t.Helper()
	for _, l := range lines {
		if m := highestModSeq.FindStringSubmatch(l); m != nil {
			return m[1]
		}
	}
	t.Fatalf("no HIGHESTMODSEQ in %q", lines)
	return ""
}

func TestQResync(t *testing.T) {
	s := newTestSite(t)
	s.deliver("user.alice", testMessage("one"), testMessage("two"), testMessage("three"),
		testMessage("four"), testMessage("five"))
	a := s.login("alice")
	a.expect("SELECT INBOX (QRESYNC (1 1))", "BAD")
	has(t, a.ok("ENABLE QRESYNC CONDSTORE"), "* ENABLED QRESYNC")
	u := a.ok("SELECT INBOX")
	m0 := modseqOf(t, u)
	uv := hasPrefix(t, u, "* OK [UIDVALIDITY ")
	uv = regexp.MustCompile(`\d+`).FindString(uv)

	// Another session changes a flag and expunges two messages.
	b := s.login("alice")
	b.ok("SELECT INBOX")
	b.ok(`STORE 2 +FLAGS.SILENT (\Flagged)`)
	b.ok(`STORE 3,5 +FLAGS.SILENT (\Deleted)`)
	b.ok("EXPUNGE")

	// The selected QRESYNC session hears VANISHED, never EXPUNGE.
	u = a.ok("NOOP")
	has(t, u, "* VANISHED 3,5")
	hasPrefix(t, u, `* 2 FETCH (UID 2 FLAGS (\Flagged`)
	for _, l := range u {
		if regexp.MustCompile(`EXPUNGE$`).MatchString(l) {
			t.Fatalf("EXPUNGE sent with QRESYNC enabled: %q", u)
		}
	}

	// A reconnecting client resynchronises in its SELECT.
	c := s.login("alice")
	c.ok("ENABLE QRESYNC")
	u = c.ok("SELECT INBOX (QRESYNC (" + uv + " " + m0 + "))")
	has(t, u, "* VANISHED (EARLIER) 3,5")
	hasPrefix(t, u, `* 2 FETCH (UID 2 FLAGS (\Flagged) MODSEQ (`)
	u = c.ok("EXAMINE INBOX (QRESYNC (" + uv + " " + m0 + " 1:4))")
	has(t, u, "* VANISHED (EARLIER) 3")
	hasPrefix(t, u, `* 2 FETCH (UID 2 FLAGS (\Flagged) MODSEQ (`)
	u = c.ok("SELECT INBOX (QRESYNC (" + uv + " " + m0 + " 1,4 (1:2 1,4)))")
	for _, l := range u {
		if regexp.MustCompile(`VANISHED|FETCH`).MatchString(l) {
			t.Fatalf("unknown UIDs reported: %q", l)
		}
	}
	other, _ := strconv.Atoi(uv)
	u = c.ok("SELECT INBOX (QRESYNC (" + strconv.Itoa(other%1000+1) + " " + m0 + "))")
	for _, l := range u {
		if regexp.MustCompile(`VANISHED|FETCH`).MatchString(l) {
			t.Fatalf("changes reported across a UIDVALIDITY change: %q", l)
		}
	}

	// UID FETCH with VANISHED.
	u = c.ok("UID FETCH 1:* (FLAGS) (CHANGEDSINCE " + m0 + " VANISHED)")
	if len(u) != 2 || u[0] != "* VANISHED (EARLIER) 3,5" {
		t.Fatalf("UID FETCH VANISHED: %q", u)
	}
	hasPrefix(t, u[1:], `* 2 FETCH (UID 2 FLAGS (\Flagged) MODSEQ (`)
	u = c.ok("UID FETCH 4:* (FLAGS) (CHANGEDSINCE " + m0 + " VANISHED)")
	has(t, u, "* VANISHED (EARLIER) 5")
	c.expect("FETCH 1:* (FLAGS) (CHANGEDSINCE 1 VANISHED)", "BAD")
	c.expect("UID FETCH 1:* (FLAGS) (VANISHED)", "BAD")
	b.expect("UID FETCH 1:* (FLAGS) (CHANGEDSINCE 1 VANISHED)", "BAD")
	hasPrefix(t, c.ok("CAPABILITY"), "* CAPABILITY ")
	if caps := c.ok("CAPABILITY")[0]; !regexp.MustCompile(` QRESYNC `).MatchString(caps) {
		t.Fatalf("QRESYNC not advertised: %s", caps)
	}
}

// After cyr_expire -X compacted the tombstones away, a client
// resynchronising from before is told every absent UID it asks about.
func TestQResyncAfterCompaction(t *testing.T) {
	s := newTestSite(t)
	s.deliver("user.alice", testMessage("one"), testMessage("two"), testMessage("three"),
		testMessage("four"), testMessage("five"))
	a := s.login("alice")
	a.ok("ENABLE QRESYNC")
	u := a.ok("SELECT INBOX")
	m0 := modseqOf(t, u)
	uv := regexp.MustCompile(`\d+`).FindString(hasPrefix(t, u, "* OK [UIDVALIDITY "))
	a.ok(`STORE 3,5 +FLAGS.SILENT (\Deleted)`)
	a.ok("EXPUNGE")
	m1 := modseqOf(t, a.ok("SELECT INBOX"))
	mb, _, err := s.st.Open(context.Background(), "user.alice", quota.Ignore)
	if err != nil {
		t.Fatal(err)
	}
	defer mb.Close()
	if _, err := mb.PurgeExpunged(context.Background(), time.Now().Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	c := s.login("alice")
	c.ok("ENABLE QRESYNC")
	has(t, c.ok("SELECT INBOX (QRESYNC ("+uv+" "+m0+"))"), "* VANISHED (EARLIER) 3,5")
	has(t, c.ok("EXAMINE INBOX (QRESYNC ("+uv+" "+m0+" 1:4))"), "* VANISHED (EARLIER) 3")
	has(t, c.ok("UID FETCH 4:* (FLAGS) (CHANGEDSINCE "+m0+" VANISHED)"), "* VANISHED (EARLIER) 5")
	for _, l := range c.ok("SELECT INBOX (QRESYNC (" + uv + " " + m1 + "))") {
		if regexp.MustCompile(`VANISHED|FETCH`).MatchString(l) {
			t.Fatalf("changes reported since a modseq after the expunge: %q", l)
		}
	}
}
