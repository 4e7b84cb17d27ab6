package test

import (
	"bufio"
	"net"
	"strings"
	"testing"
	"time"
)

// shellWords splits a captured command line as the shell did: words
// separated by spaces, single quotes grouping.
func shellWords(s string) []string {
	var words []string
	var b strings.Builder
	quoted, in := false, false
	for _, r := range s {
		switch {
		case r == '\'':
			quoted, in = !quoted, true
		case r == ' ' && !quoted:
			if in {
				words = append(words, b.String())
				b.Reset()
				in = false
			}
		default:
			b.WriteRune(r)
			in = true
		}
	}
	if in {
		words = append(words, b.String())
	}
	return words
}

// TestCyrDenyMatchesCyrus replays Cyrus 3.6.1's cyr_deny session
// (test/compat/fixtures/cyr_deny.txt, capture: test/compat/capture/cyr_deny.py)
// in order, offline, comparing exit codes and stdout byte for byte (-l's
// table included) and the usage Cyrus prints on stderr for a misuse. Left
// out on purpose (cyr_deny.8, DIFFERENCES): the first -l, which Cyrus fails
// for want of a user_deny.db file, and -h, checked against the usage.
func TestCyrDenyMatchesCyrus(t *testing.T) {
	s := newSite(t)
	cases := readFixtureCases(t, "cyr_deny.txt")
	if len(cases) < 10 {
		t.Fatalf("cyr_deny.txt: %d cases", len(cases))
	}
	firstList := true
	for _, c := range cases {
		switch {
		case c.args == "-h":
			checkUsage(t, "cyr_deny", c)
			continue
		case c.args == "-l" && firstList:
			firstList = false
			continue
		}
		r := s.run("", "cyr_deny", shellWords(c.args)...)
		if r.code != c.code || r.stdout != c.stdout {
			t.Errorf("cyr_deny %s:\ngot  exit %d\n%s%s\nwant exit %d\n%s%s", c.args, r.code, r.stdout, r.stderr, c.code, c.stdout, c.stderr)
		}
		if c.code == 64 && !strings.HasPrefix(r.stderr, c.stderr) {
			t.Errorf("cyr_deny %s: stderr %q, want Cyrus's usage first", c.args, r.stderr)
		}
	}
}

// TestCyrDenyRefusesHostile: a message that would break a reply line, a
// TAB in the services: refused with a clear error, nothing stored.
func TestCyrDenyRefusesHostile(t *testing.T) {
	s := newSite(t)
	for _, args := range [][]string{
		{"-m", "hi\r\n* OK forged", "alice"},
		{"-s", "imap\tpop3", "alice"},
		{"-m", strings.Repeat("x", 2000), "alice"},
	} {
		r := s.run("", "cyr_deny", args...)
		if r.code != 1 || !strings.HasPrefix(r.stderr, "cyr_deny: failed to deny access for alice: ") {
			t.Errorf("cyr_deny %q: exit %d, %q", args, r.code, r.stderr)
		}
	}
	if got := s.must("", "cyr_deny", "-l"); strings.Count(got, "\n") != 1 {
		t.Errorf("entries stored by refused commands:\n%s", got)
	}
}

// TestCyrDenyEndsSessionsOnline: through a running db service, cyr_deny
// ends the open IMAP sessions of the user within a bounded wait (no
// command sent), leaves another user's IMAP session and the user's POP3
// session (a service not denied) alone, and refuses a new IMAP login.
func TestCyrDenyEndsSessionsOnline(t *testing.T) {
	s := newSite(t, "allowplaintext: yes")
	s.populate(map[string]int{"user.alice": 1, "user.bob": 0})
	serveDatabases(t, s, "alice", "bob")
	imapd := startImapdDaemon(t, s, "imapd.log")
	pop3 := startDaemon(t, s, "pop3d")
	dial := func(addr string) (net.Conn, *bufio.Reader) {
		c, err := net.DialTimeout("tcp", addr, 10*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		c.SetDeadline(time.Now().Add(hangTimeout))
		br := bufio.NewReader(c)
		br.ReadString('\n')
		return c, br
	}
	say := func(c net.Conn, br *bufio.Reader, line string) string {
		t.Helper()
		c.Write([]byte(line + "\r\n"))
		for {
			l, err := br.ReadString('\n')
			if err != nil {
				t.Fatalf("%q: %v", line, err)
			}
			if !strings.HasPrefix(l, "* ") {
				return strings.TrimRight(l, "\r\n")
			}
		}
	}
	alice, aliceR := dial(imapd.addr)
	if r := say(alice, aliceR, "a LOGIN alice secret"); !strings.HasPrefix(r, "a OK") {
		t.Fatal(r)
	}
	say(alice, aliceR, "b SELECT INBOX")
	bob, bobR := dial(imapd.addr)
	if r := say(bob, bobR, "a LOGIN bob secret"); !strings.HasPrefix(r, "a OK") {
		t.Fatal(r)
	}
	pop, popR := dial(pop3)
	say(pop, popR, "USER alice")
	if r := say(pop, popR, "PASS secret"); !strings.HasPrefix(r, "+OK") {
		t.Fatal(r)
	}
	s.must("", "cyr_deny", "-s", "imap", "-m", "Moved to the new server", "alice")
	alice.SetReadDeadline(time.Now().Add(30 * time.Second))
	if l, err := aliceR.ReadString('\n'); err != nil || l != "* BYE [ALERT] Moved to the new server\r\n" {
		t.Fatalf("alice's open IMAP session: %q, %v", l, err)
	}
	if r := say(bob, bobR, "n NOOP"); r != "n OK Completed" {
		t.Errorf("bob's session after alice's deny: %q", r)
	}
	if r := say(pop, popR, "NOOP"); r != "+OK" {
		t.Errorf("alice's POP3 session (pop3 not denied): %q", r)
	}
	c, br := dial(imapd.addr)
	if r := say(c, br, "a LOGIN alice secret"); r != "a NO Login failed: authorization failure" {
		t.Errorf("new IMAP login while denied: %q", r)
	}
	want := "Username                       Service(s)           Message\n" +
		"alice                          imap                 Moved to the new server\n"
	if got := s.must("", "cyr_deny", "-l"); got != want {
		t.Errorf("cyr_deny -l:\n%s\nwant\n%s", got, want)
	}
	s.must("", "cyr_deny", "-a", "alice")
	if r := say(c, br, "b LOGIN alice secret"); !strings.HasPrefix(r, "b OK") {
		t.Errorf("login after cyr_deny -a: %q", r)
	}
}
