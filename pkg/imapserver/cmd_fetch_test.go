package imapserver

import (
	"strings"
	"testing"
)

// A FETCH over many messages that asks for the envelope and for header
// fields still gets both: only an envelope-only FETCH skips the rest of
// each cache record.
func TestFetchEnvelopeWithHeaderFields(t *testing.T) {
	s := newTestSite(t)
	s.deliver("user.alice", testMessage("one"), testMessage("two"))
	a := s.login("alice")
	a.ok("SELECT INBOX")
	u := a.ok("FETCH 1:* (ENVELOPE BODY.PEEK[HEADER.FIELDS (SUBJECT)])")
	n := 0
	for _, l := range u {
		if strings.Contains(l, "ENVELOPE (") && strings.Contains(l, "BODY[HEADER.FIELDS (SUBJECT)]") {
			n++
		}
	}
	if n != 2 || !strings.Contains(strings.Join(u, "\n"), "Subject: two") {
		t.Fatalf("FETCH ENVELOPE + header fields:\n%s", strings.Join(u, "\n"))
	}
}
