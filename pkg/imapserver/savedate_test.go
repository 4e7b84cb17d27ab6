package imapserver

import (
	"regexp"
	"strings"
	"testing"
	"time"
)

var fetchSaveDate = regexp.MustCompile(`SAVEDATE "([^"]+)"`)

// savedDay fetches message 1's SAVEDATE and returns its day as a search
// date ("7-Dec-2026"): the test then holds across midnight.
func savedDay(t *testing.T, c *conv) (time.Time, string) {
	t.Helper()
	l := hasPrefix(t, c.ok("FETCH 1 (SAVEDATE)"), "* 1 FETCH (SAVEDATE ")
	m := fetchSaveDate.FindStringSubmatch(l)
	if m == nil {
		t.Fatalf("no SAVEDATE in %q", l)
	}
	when, err := time.Parse("_2-Jan-2006 15:04:05 -0700", m[1])
	if err != nil {
		t.Fatalf("SAVEDATE %q: %v", m[1], err)
	}
	return when, when.UTC().Format("2-Jan-2006")
}

// TestSaveDate: SAVEDATE (RFC 8514) is when the message entered this
// mailbox — APPEND and COPY set it, COPY keeps INTERNALDATE — and the
// SAVED* keys search it, SAVEDATESUPPORTED matching every message (as
// Cyrus 3.6.1 does, test/compat/fixtures/objectid-savedate-preview.txt).
func TestSaveDate(t *testing.T) {
	site := newTestSite(t)
	a := site.login("alice")
	if caps := hasPrefix(t, a.ok("CAPABILITY"), "* CAPABILITY "); !strings.Contains(caps+" ", " SAVEDATE ") {
		t.Fatalf("SAVEDATE not advertised: %s", caps)
	}
	start := time.Now().Add(-time.Second)
	a.ok(`APPEND INBOX "01-Jan-2024 10:00:00 +0000" {` + itoa(len(objectIDMessage)) + "+}\r\n" + objectIDMessage)
	a.ok("CREATE INBOX.copies")
	a.ok("SELECT INBOX")
	saved, day := savedDay(t, a)
	if saved.Before(start) || saved.After(time.Now().Add(time.Second)) {
		t.Fatalf("SAVEDATE %v is not the time of the APPEND (after %v)", saved, start)
	}
	has(t, a.ok("SEARCH SAVEDON "+day), "* SEARCH 1")
	has(t, a.ok("SEARCH SAVEDSINCE "+day), "* SEARCH 1")
	has(t, a.ok("SEARCH SAVEDBEFORE "+day), "* SEARCH")
	has(t, a.ok("SEARCH SAVEDBEFORE 1-Jan-2020"), "* SEARCH")
	has(t, a.ok("SEARCH SAVEDSINCE 1-Jan-2020"), "* SEARCH 1")
	has(t, a.ok("SEARCH SAVEDON 1-Jan-2024"), "* SEARCH")
	has(t, a.ok("SEARCH ON 1-Jan-2024"), "* SEARCH 1") // the internal date is not the save date
	has(t, a.ok("UID SEARCH SAVEDATESUPPORTED"), "* SEARCH 1")
	has(t, a.ok("SEARCH NOT SAVEDATESUPPORTED"), "* SEARCH")

	a.ok("COPY 1 INBOX.copies")
	a.ok("SELECT INBOX.copies")
	has(t, a.ok("FETCH 1 (INTERNALDATE)"), `* 1 FETCH (INTERNALDATE " 1-Jan-2024 10:00:00 +0000")`)
	copied, _ := savedDay(t, a)
	if copied.Before(saved) {
		t.Fatalf("the copy's SAVEDATE %v is before the original's %v", copied, saved)
	}
	has(t, a.ok("SEARCH SAVEDBEFORE 1-Jan-2024"), "* SEARCH")
	a.expect("SEARCH SAVEDON 32-Jan-2024", "BAD")
}
