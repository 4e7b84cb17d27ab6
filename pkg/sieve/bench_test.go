package sieve

import (
	"context"
	"fmt"
	"strings"
	"testing"
)

// rules30 is a typical 30-rule user script.
func rules30() string {
	var b strings.Builder
	b.WriteString(`require ["fileinto", "envelope", "imap4flags", "variables", "relational", "comparator-i;ascii-numeric", "subaddress", "body"];` + "\n")
	for i := 0; i < 10; i++ {
		fmt.Fprintf(&b, "if header :contains \"Subject\" \"[list%d]\" { fileinto \"INBOX.lists.list%d\"; stop; }\n", i, i)
	}
	for i := 0; i < 8; i++ {
		fmt.Fprintf(&b, "if address :domain :is \"From\" \"sender%d.example\" { addflag \"$From%d\"; }\n", i, i)
	}
	for i := 0; i < 5; i++ {
		fmt.Fprintf(&b, "if header :matches \"List-Id\" \"*<list%d.*>*\" { fileinto \"INBOX.l.${2}\"; stop; }\n", i)
	}
	b.WriteString(`if header :value "ge" :comparator "i;ascii-numeric" "X-Spam-Score" "10" { fileinto "INBOX.Junk"; stop; }
if envelope :detail "to" "spam" { discard; stop; }
if anyof (header :contains "X-Mailer" "bulk", exists "X-Campaign") { fileinto "INBOX.Bulk"; }
if size :over 5M { addflag "$Big"; }
if address :all :is ["To", "Cc"] "boss@example.com" { addflag "\\Flagged"; }
if body :contains "unsubscribe" { addflag "$Newsletter"; }
if not exists "Date" { fileinto "INBOX.Junk"; }
`)
	return b.String()
}

func BenchmarkCompileRun30Rules(b *testing.B) {
	src := []byte(rules30())
	msg := newTestMessage(b, basicMessage)
	env := Env{Envelope: Envelope{From: "alice@example.org", To: "yourname@youraddress.com"}}
	b.ReportAllocs()
	for b.Loop() {
		s, err := Compile(src, Options{})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := s.Run(context.Background(), msg, env); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkRun30Rules(b *testing.B) {
	s, err := Compile([]byte(rules30()), Options{})
	if err != nil {
		b.Fatal(err)
	}
	msg := newTestMessage(b, basicMessage)
	env := Env{Envelope: Envelope{From: "alice@example.org", To: "yourname@youraddress.com"}}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.Run(context.Background(), msg, env); err != nil {
			b.Fatal(err)
		}
	}
}

// TestConcurrentRuns shares one Script between goroutines (run with -race).
func TestConcurrentRuns(t *testing.T) {
	s, err := Compile([]byte(rules30()), Options{})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan string, 8)
	for i := 0; i < 8; i++ {
		go func() {
			res, err := s.Run(context.Background(), newTestMessage(t, basicMessage), Env{})
			if err != nil {
				done <- err.Error()
				return
			}
			done <- actionsString(res.Actions)
		}()
	}
	first := <-done
	for i := 1; i < 8; i++ {
		if got := <-done; got != first {
			t.Fatalf("runs differ: %q vs %q", got, first)
		}
	}
}
