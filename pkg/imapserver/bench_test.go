package imapserver

import (
	"fmt"
	"strings"
	"testing"
)

// BenchmarkAppend measures one client appending 4 KiB messages with
// LITERAL+ to a mailbox it has not selected, as mailbench's append
// workload does: every message fsync'd before its tagged OK.
func BenchmarkAppend(b *testing.B) {
	s := newTestSite(b)
	c := s.login("alice")
	body := testMessage("benchmark") + strings.Repeat("x", 4096-len(testMessage("benchmark")))
	cmd := fmt.Sprintf("APPEND Work {%d+}\r\n%s", len(body), body)
	b.SetBytes(int64(len(body)))
	b.ResetTimer()
	for b.Loop() {
		c.ok(cmd)
	}
}

// bigSite is a site whose alice has n messages in INBOX.
func bigSite(b *testing.B, n int) *conv {
	s := newTestSite(b)
	msgs := make([]string, n)
	for i := range msgs {
		msgs[i] = testMessage(fmt.Sprintf("message %d about things", i))
	}
	s.deliver("user.alice", msgs...)
	return s.login("alice")
}

// BenchmarkBigbox runs mailbench's bigbox commands over 20000 messages.
func BenchmarkBigbox(b *testing.B) {
	c := bigSite(b, 20000)
	for _, bc := range []struct{ name, cmd string }{
		{"select", "SELECT INBOX"},
		{"fetch-flags", "FETCH 1:* (UID FLAGS RFC822.SIZE INTERNALDATE)"},
		{"fetch-envelope", "FETCH 1:* ENVELOPE"},
		{"search-subject", "UID SEARCH SUBJECT \"about\""},
		{"search-header", "SEARCH HEADER Message-ID \"message.77.\""},
		{"store-seen", "STORE 1:* +FLAGS (\\Seen)"},
		{"store-unseen", "STORE 1:* -FLAGS (\\Seen)"},
	} {
		b.Run(bc.name, func(b *testing.B) {
			c.ok("SELECT INBOX")
			for b.Loop() {
				c.ok(bc.cmd)
			}
		})
	}
}
