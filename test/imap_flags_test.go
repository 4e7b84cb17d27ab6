package test

import (
	"bufio"
	"fmt"
	"net"
	"strings"
	"testing"
	"time"
)

// rawIMAP is a line-level IMAP conversation, every read bounded.
type rawIMAP struct {
	t  *testing.T
	nc net.Conn
	r  *bufio.Reader
	n  int
}

func dialRaw(t *testing.T, addr string) *rawIMAP {
	t.Helper()
	nc, err := net.DialTimeout("tcp", addr, hangTimeout)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { nc.Close() })
	c := &rawIMAP{t: t, nc: nc, r: bufio.NewReader(nc)}
	c.line() // greeting
	return c
}

func (c *rawIMAP) line() string {
	c.t.Helper()
	c.nc.SetReadDeadline(time.Now().Add(hangTimeout))
	l, err := c.r.ReadString('\n')
	if err != nil {
		c.t.Fatalf("reading: %v (got %q)", err, l)
	}
	return strings.TrimRight(l, "\r\n")
}

func (c *rawIMAP) send(s string) {
	c.t.Helper()
	if _, err := c.nc.Write([]byte(s + "\r\n")); err != nil {
		c.t.Fatal(err)
	}
}

// ok runs a command (its literals sent with LITERAL+) that must succeed
// and returns its untagged responses.
func (c *rawIMAP) ok(cmd string) []string {
	c.t.Helper()
	c.n++
	tag := fmt.Sprintf("t%d", c.n)
	c.send(tag + " " + cmd)
	var u []string
	for {
		l := c.line()
		if rest, ok := strings.CutPrefix(l, tag+" "); ok {
			if !strings.HasPrefix(rest, "OK") {
				c.t.Fatalf("%s: %s (untagged %q)", cmd, rest, u)
			}
			return u
		}
		u = append(u, l)
	}
}

// keywordAnnounced fails unless lines list kw in FLAGS and PERMANENTFLAGS
// before any FETCH that shows it.
func keywordAnnounced(t *testing.T, lines []string, kw string) {
	t.Helper()
	flags, perm, fetch := -1, -1, -1
	for i, l := range lines {
		switch {
		case flags < 0 && strings.HasPrefix(l, "* FLAGS (") && strings.Contains(l, " "+kw+")"):
			flags = i
		case perm < 0 && strings.HasPrefix(l, "* OK [PERMANENTFLAGS (") && strings.Contains(l, " "+kw+` \*)]`):
			perm = i
		case fetch < 0 && strings.Contains(l, " FETCH (") && strings.Contains(l, kw):
			fetch = i
		}
	}
	if flags < 0 || perm < 0 || (fetch >= 0 && (flags > fetch || perm > fetch)) {
		t.Fatalf("want FLAGS and PERMANENTFLAGS listing %s before a FETCH showing it:\n%s", kw, strings.Join(lines, "\n"))
	}
}

// TestImapNewKeywordAcrossProcesses: RFC 3501 §7.2.6 — a keyword a
// session in one imapd process introduces is announced (FLAGS,
// PERMANENTFLAGS) to a session of ANOTHER imapd process with the mailbox
// selected before it sees a FETCH using it: on NOOP, on a FETCH, and
// while idling.
func TestImapNewKeywordAcrossProcesses(t *testing.T) {
	s := newSite(t, "allowplaintext: yes")
	addr1 := startImapd(t, s)           // serves the databases to both
	addr2 := startDaemon(t, s, "imapd") // a second process
	a := dialRaw(t, addr1)
	a.ok("LOGIN alice secret")
	a.ok("SELECT INBOX")
	b := dialRaw(t, addr2)
	b.ok("LOGIN alice secret")
	b.ok("SELECT INBOX")

	keywordAnnounced(t, b.ok("STORE 1 +FLAGS (xproc)"), "xproc")
	keywordAnnounced(t, a.ok("NOOP"), "xproc")

	b.ok("STORE 2 +FLAGS.SILENT (xfetch)")
	keywordAnnounced(t, a.ok("FETCH 2 (FLAGS)"), "xfetch")

	// While idling: the append in the other process wakes the session,
	// which lists the new keyword with the new message.
	a.n++
	tag := fmt.Sprintf("t%d", a.n)
	a.send(tag + " IDLE")
	if l := a.line(); !strings.HasPrefix(l, "+") {
		t.Fatalf("IDLE: %q", l)
	}
	msg := "From: carol@example.org\r\nSubject: idle\r\n\r\nhi\r\n"
	b.ok(fmt.Sprintf("APPEND INBOX (xidle) {%d+}\r\n%s", len(msg), msg))
	var u []string
	for len(u) == 0 || !strings.HasSuffix(u[len(u)-1], " EXISTS") {
		u = append(u, a.line())
	}
	a.send("DONE")
	for l := a.line(); !strings.HasPrefix(l, tag+" "); l = a.line() {
		u = append(u, l)
	}
	keywordAnnounced(t, u, "xidle")
}
