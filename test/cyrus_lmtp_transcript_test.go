package test

import (
	"bufio"
	"fmt"
	"net"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"
)

// TestLMTPTranscriptMatchesCyrus replays the client lines of
// test/compat/fixtures/lmtp-transcript.txt (a real Cyrus 3.6.1 lmtpd, on
// its UNIX socket and on TCP) against lmtpd on the same starting state
// and compares every reply after lmtpNormalize. A difference must be
// listed with its reason in test/compat/lmtp-transcript-differences.md; a
// listed one that no longer differs fails too.
func TestLMTPTranscriptMatchesCyrus(t *testing.T) {
	sessions := readIMAPTranscript(t, filepath.Join("compat", "fixtures", "lmtp-transcript.txt"))
	allowed := readTranscriptDifferences(t, filepath.Join("compat", "lmtp-transcript-differences.md"))
	ls, _ := startTranscriptSite(t)

	seen := map[string]bool{}
	for _, s := range sessions {
		network, addr := "tcp", ls.tcp
		if strings.Contains(s.header, "UNIX socket") {
			network, addr = "unix", ls.unix
		}
		conn, err := net.Dial(network, addr)
		if err != nil {
			t.Fatal(err)
		}
		conn.SetDeadline(time.Now().Add(hangTimeout))
		r := bufio.NewReader(conn)
		var last []string // lmtpd's last reply
		check := func(key string, cyrus []string, read func(n int) []string, n int) {
			want := lmtpNormalize(cyrus)
			last = read(n)
			got := lmtpNormalize(last)
			if strings.Join(want, "\n") == strings.Join(got, "\n") {
				return
			}
			if _, ok := allowed[key]; ok {
				seen[key] = true
				return
			}
			t.Errorf("session %d: %s differs from Cyrus 3.6.1 (fix it, or list %q in test/compat/lmtp-transcript-differences.md with the reason):\n  Cyrus:  %s\n  lmtpd:  %s",
				s.number, key, key, strings.Join(want, "\n          "), strings.Join(got, "\n          "))
		}
		read := func(n int) []string {
			var lines []string
			for final := 0; final < n; {
				line, err := r.ReadString('\n')
				if err != nil {
					t.Fatalf("session %d: reading a reply: %v (read so far: %q)", s.number, err, lines)
				}
				line = strings.TrimRight(line, "\r\n")
				lines = append(lines, line)
				if finalReply.MatchString(line) {
					final++
				}
			}
			return lines
		}
		check(fmt.Sprintf("%d greeting", s.number), s.greeting, read, 1)
		// After the data's ".", LMTP answers once per recipient lmtpd
		// accepted (RFC 2033 §4.2), which may differ from Cyrus's count.
		accepted, inData := 0, false
		for i, ex := range s.exchanges {
			if _, err := conn.Write([]byte(ex.command + "\r\n")); err != nil {
				t.Fatalf("session %d: %s: %v", s.number, ex.command, err)
			}
			if inData && ex.command != "." {
				continue // a line of message text: the reply comes after "."
			}
			n := 1
			if inData && ex.command == "." {
				n, inData = accepted, false
			}
			// The same command may recur in a session: the key names its place.
			check(fmt.Sprintf("%d %d:%s", s.number, i+1, ex.command), ex.replies, read, n)
			verb := strings.ToUpper(strings.SplitN(ex.command, " ", 2)[0])
			ok := len(last) > 0 && strings.HasPrefix(last[len(last)-1], "2")
			switch {
			case verb == "MAIL" || verb == "RSET":
				accepted = 0
			case verb == "RCPT" && ok:
				accepted++
			case verb == "DATA" && strings.HasPrefix(last[len(last)-1], "354"):
				inData = true
			}
		}
		conn.Close()
	}
	var stale []string
	for key := range allowed {
		if !seen[key] {
			stale = append(stale, key)
		}
	}
	sort.Strings(stale)
	for _, key := range stale {
		t.Errorf("test/compat/lmtp-transcript-differences.md lists %q, but lmtpd now answers as Cyrus does: remove the row", key)
	}
}

// finalReply is the last line of an SMTP/LMTP reply: "250 ..." (not "250-").
var finalReply = regexp.MustCompile(`^\d{3}( |$)`)

var lmtpGreeting = regexp.MustCompile(`^220 (\S+) \S+ LMTP \S+ server ready$`)

// lmtpNormalize blanks what must differ: session ids and the product name
// and version in the greeting (the host name is compared).
func lmtpNormalize(lines []string) []string {
	out := make([]string, len(lines))
	for i, l := range lines {
		l = sessionIDText.ReplaceAllString(l, "SESSIONID=<...>")
		out[i] = lmtpGreeting.ReplaceAllString(l, "220 $1 ... LMTP ... server ready")
	}
	return out
}
