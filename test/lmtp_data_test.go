package test

import (
	"bufio"
	"io"
	"net"
	"strings"
	"testing"
	"time"
)

// rawLMTP writes input to lmtpd at addr in one piece and returns the
// reply lines up to the 221 of QUIT.
func rawLMTP(t *testing.T, addr, input string) []string {
	t.Helper()
	nc, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	nc.SetDeadline(time.Now().Add(time.Minute))
	go io.WriteString(nc, input)
	var lines []string
	br := bufio.NewReader(nc)
	for {
		line, err := br.ReadString('\n')
		if err != nil {
			return lines
		}
		lines = append(lines, strings.TrimRight(line, "\r\n"))
		if strings.HasPrefix(line, "221 ") {
			return lines
		}
	}
}

// TestLMTPDataFraming runs the real lmtpd: a message hiding a second
// transaction behind a bare-LF "." is one delivery with one reply; NUL
// and control characters are refused with Cyrus's replies; deliver
// passes a "." line of its input through as text.
func TestLMTPDataFraming(t *testing.T) {
	ls := newLMTPSite(t)
	ls.mkbox("user.alice", "")
	ls.mkbox("user.bob", "")
	ls.start()
	const hidden = "MAIL FROM:<evil@x>\r\nRCPT TO:<bob>\r\nDATA\r\nSubject: forged\r\n\r\nevil\r\n"
	lines := rawLMTP(t, ls.tcp, "LHLO t\r\nMAIL FROM:<good@x>\r\nRCPT TO:<alice>\r\nDATA\r\n"+
		"Subject: real\r\n\r\nbody\n.\n"+hidden+".\r\n"+
		"MAIL FROM:<good@x>\r\nRCPT TO:<alice>\r\nDATA\r\nSubject: nul\r\n\r\na\x00b\r\n.\r\n"+
		"MAIL FROM:<\"s\x01\"@x>\r\nQUIT\r\n")
	want := []string{"250 2.1.0 ok", "250 2.1.5 ok", "354 go ahead", "250 2.1.5 Success SESSIONID=",
		"250 2.1.0 ok", "250 2.1.5 ok", "354 go ahead", "554 5.6.0 Message contains NUL characters",
		"501 5.5.4 Syntax error in parameters", "221 2.0.0 bye"}
	i := 0
	for i < len(lines) && !strings.HasPrefix(lines[i], "250 Ok SESSIONID") {
		i++
	}
	got := lines[min(i+1, len(lines)):]
	if len(got) != len(want) {
		t.Fatalf("replies %q", lines)
	}
	for j := range want {
		if !strings.HasPrefix(got[j], want[j]) {
			t.Errorf("reply %d: %q, want %q", j, got[j], want[j])
		}
	}
	alice, bob := ls.messages("user.alice"), ls.messages("user.bob")
	if len(alice) != 1 || !strings.Contains(alice[0], "body\r\n.\r\n"+hidden) || len(bob) != 0 {
		t.Fatalf("alice %q, bob %d messages", alice, len(bob))
	}

	r := ls.run("Subject: via deliver\n\nline\n.\nMAIL FROM:<evil@x>\n", "deliver", "-f", "good@x", "bob")
	if r.code != 0 {
		t.Fatalf("deliver: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if m := ls.messages("user.bob"); len(m) != 1 || !strings.HasSuffix(m[0], "\r\nline\r\n.\r\nMAIL FROM:<evil@x>\r\n") {
		t.Errorf("stored by deliver: %q", m)
	}
}
