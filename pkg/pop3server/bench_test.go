package pop3server

import (
	"fmt"
	"strings"
	"testing"
)

// fillInbox appends n messages of about size bytes in batches.
func fillInbox(s *testSite, n, size int) {
	body := strings.Repeat(strings.Repeat("x", 70)+"\r\n", size/72)
	for done := 0; done < n; {
		k := min(n-done, 500)
		msgs := make([]string, k)
		for i := range msgs {
			msgs[i] = fmt.Sprintf("Subject: message %d\r\nFrom: bench@example.org\r\n\r\n%s", done+i, body)
		}
		s.appendMessages(msgs...)
		done += k
	}
}

// BenchmarkRetr1000 is mailbench's pop3-retr: one session retrieving
// 1,000 messages of 4 KiB, each command waiting for its response.
func BenchmarkRetr1000(b *testing.B) {
	s := newTestSite(b, false)
	fillInbox(s, 1000, 4096)
	b.ResetTimer()
	for b.Loop() {
		c, _ := s.dial()
		c.login()
		for i := 1; i <= 1000; i++ {
			if r := c.cmd(fmt.Sprintf("RETR %d", i)); r != "+OK Message follows" {
				b.Fatalf("RETR %d: %q", i, r)
			}
			c.multi()
		}
		c.cmd("QUIT")
		c.conn.Close()
	}
}

// BenchmarkUIDL10k is mailbench's pop3-uidl: UIDL of 10,000 messages.
func BenchmarkUIDL10k(b *testing.B) {
	s := newTestSite(b, false)
	fillInbox(s, 10000, 512)
	c, _ := s.dial()
	c.login()
	b.ResetTimer()
	for b.Loop() {
		if r := c.cmd("UIDL"); r != "+OK unique-id listing follows" {
			b.Fatalf("UIDL: %q", r)
		}
		c.multi()
	}
}

// BenchmarkLogin10k is mailbench's pop3 login on a 10,000-message
// maildrop: connect, USER, PASS (the maildrop opened), QUIT.
func BenchmarkLogin10k(b *testing.B) {
	s := newTestSite(b, false)
	fillInbox(s, 10000, 512)
	b.ResetTimer()
	for b.Loop() {
		c, _ := s.dial()
		c.login()
		if r := c.cmd("QUIT"); !strings.HasPrefix(r, "+OK") {
			b.Fatalf("QUIT: %q", r)
		}
		c.conn.Close()
	}
}
