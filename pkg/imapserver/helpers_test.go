package imapserver

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"gocyrus/pkg/acl"
	"gocyrus/pkg/auth"
	"gocyrus/pkg/config"
	"gocyrus/pkg/cyrusdb"
	"gocyrus/pkg/mailbox"
	"gocyrus/pkg/quota"
	"gocyrus/pkg/sasldb"
	"gocyrus/pkg/store"
)

// testSite is a store with users alice, bob and the admin cyrus (password
// "secret" each), their INBOXes, alice's "Work" folder and the shared
// folder "board", and a server listening on loopback.
type testSite struct {
	t    testing.TB
	st   *store.Store
	srv  *Server
	addr string
}

func newTestSite(t testing.TB, kv ...string) *testSite {
	t.Helper()
	dir := t.TempDir()
	cfg := config.New()
	settings := append([]string{
		"configdirectory", filepath.Join(dir, "config"),
		"partition-default", filepath.Join(dir, "spool"),
		"servername", "imap.test",
		"allowplaintext", "1",
		"admins", "cyrus",
	}, kv...)
	for i := 0; i+1 < len(settings); i += 2 {
		if err := cfg.Set(settings[i], settings[i+1]); err != nil {
			t.Fatalf("Set(%s): %v", settings[i], err)
		}
	}
	db, err := cyrusdb.Open(filepath.Join(dir, "config"), cyrusdb.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	st, err := store.New(cfg, db, nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for _, u := range []string{"alice", "bob", "cyrus"} {
		if err := sasldb.New(db).SetPassword(ctx, u, "secret", true); err != nil {
			t.Fatal(err)
		}
	}
	for _, name := range []string{"user.alice", "user.alice.Work", "user.bob", "board"} {
		if _, err := st.CreateMailbox(ctx, name, store.CreateOptions{Quota: quota.Ignore}); err != nil {
			t.Fatal(err)
		}
	}
	icfg := cfg.ForService("imap")
	a, err := auth.New(icfg, auth.Options{SASLDB: sasldb.New(db), Service: "imap", FailureDelay: auth.NoFailureDelay})
	if err != nil {
		t.Fatal(err)
	}
	srv, err := New(Options{Config: icfg, Store: st, Auth: a, Groups: &acl.GroupReader{Path: filepath.Join(dir, "group")}})
	if err != nil {
		t.Fatal(err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	sctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			go srv.Handle(sctx, c)
		}
	}()
	t.Cleanup(func() { cancel(); l.Close(); <-done })
	return &testSite{t: t, st: st, srv: srv, addr: l.Addr().String()}
}

// deliver appends raw messages to a mailbox behind the server's back (as
// lmtpd or another process would) and returns their UIDs.
func (s *testSite) deliver(name string, msgs ...string) []uint32 {
	s.t.Helper()
	mb, _, err := s.st.Open(context.Background(), name, quota.Ignore)
	if err != nil {
		s.t.Fatal(err)
	}
	defer mb.Close()
	var am []mailbox.AppendMessage
	for _, m := range msgs {
		am = append(am, mailbox.AppendMessage{Body: strings.NewReader(m)})
	}
	uids, err := mb.Append(context.Background(), am)
	if err != nil {
		s.t.Fatal(err)
	}
	return uids
}

func testMessage(subject string) string {
	return "From: Bob <bob@example.org>\r\nTo: alice@example.org\r\nSubject: " + subject +
		"\r\nMessage-ID: <" + strings.ReplaceAll(subject, " ", ".") + "@example.org>\r\n" +
		"Date: Mon, 06 Jan 2025 10:01:00 +0000\r\n\r\nHello " + subject + "\r\n"
}

// conv is one client conversation: it sends commands with generated tags
// and collects the untagged responses until the tagged one.
type conv struct {
	t   testing.TB
	c   net.Conn
	br  *bufio.Reader
	out io.Writer // nil: c itself (a compression layer sets it)
	n   int
	Hi  string // the greeting
}

func (s *testSite) dial() *conv {
	s.t.Helper()
	c, err := net.Dial("tcp", s.addr)
	if err != nil {
		s.t.Fatal(err)
	}
	s.t.Cleanup(func() { c.Close() })
	cv := &conv{t: s.t, c: c, br: bufio.NewReader(c)}
	cv.Hi = cv.line()
	return cv
}

// login opens a conversation logged in as user.
func (s *testSite) login(user string) *conv {
	cv := s.dial()
	cv.ok("LOGIN " + user + " secret")
	return cv
}

var literalAtEnd = regexp.MustCompile(`\{(\d+)\+?\}$`)

// line reads one response, literals included (their bytes inline).
func (c *conv) line() string {
	c.t.Helper()
	c.c.SetReadDeadline(time.Now().Add(hangTimeout))
	var b strings.Builder
	for {
		l, err := c.br.ReadString('\n')
		if err != nil {
			c.t.Fatalf("reading response: %v (so far %q)", err, b.String()+l)
		}
		l = strings.TrimSuffix(l, "\r\n")
		b.WriteString(l)
		m := literalAtEnd.FindStringSubmatch(l)
		if m == nil {
			return b.String()
		}
		n, _ := strconv.Atoi(m[1])
		buf := make([]byte, n)
		if _, err := io.ReadFull(c.br, buf); err != nil {
			c.t.Fatal(err)
		}
		b.WriteString("\r\n")
		b.Write(buf)
	}
}

func (c *conv) write(s string) {
	c.t.Helper()
	out := c.out
	if out == nil {
		out = c.c
	}
	if _, err := io.WriteString(out, s); err != nil {
		c.t.Fatal(err)
	}
	if f, ok := out.(interface{ Flush() error }); ok {
		if err := f.Flush(); err != nil {
			c.t.Fatal(err)
		}
	}
}

// run sends a command and returns the untagged lines and the tagged one
// (without its tag).
func (c *conv) run(cmd string) (untagged []string, status string) {
	c.t.Helper()
	c.n++
	tag := fmt.Sprintf("a%03d", c.n)
	c.write(tag + " " + cmd + "\r\n")
	return c.until(tag)
}

func (c *conv) until(tag string) (untagged []string, status string) {
	c.t.Helper()
	for {
		l := c.line()
		if rest, ok := strings.CutPrefix(l, tag+" "); ok {
			return untagged, rest
		}
		untagged = append(untagged, l)
	}
}

// ok runs a command that must succeed and returns its untagged lines.
func (c *conv) ok(cmd string) []string {
	c.t.Helper()
	u, st := c.run(cmd)
	if !strings.HasPrefix(st, "OK") {
		c.t.Fatalf("%s: %s (untagged %q)", cmd, st, u)
	}
	return u
}

// expect runs a command and checks the tagged status starts with want.
func (c *conv) expect(cmd, want string) []string {
	c.t.Helper()
	u, st := c.run(cmd)
	if !strings.HasPrefix(st, want) {
		c.t.Fatalf("%s: got %q, want %q (untagged %q)", cmd, st, want, u)
	}
	return u
}

// has fails unless one of lines equals want.
func has(t testing.TB, lines []string, want string) {
	t.Helper()
	for _, l := range lines {
		if l == want {
			return
		}
	}
	t.Fatalf("missing %q in:\n%s", want, strings.Join(lines, "\n"))
}

// hasPrefix fails unless one of lines starts with want.
func hasPrefix(t testing.TB, lines []string, want string) string {
	t.Helper()
	for _, l := range lines {
		if strings.HasPrefix(l, want) {
			return l
		}
	}
	t.Fatalf("no line starting %q in:\n%s", want, strings.Join(lines, "\n"))
	return ""
}

func strconvItoa(n int) string { return strconv.Itoa(n) }

func mustWrite(t testing.TB, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// hangTimeout bounds a wait for something that should happen at once: long
// enough that on a loaded machine (or under -race) only a hang reaches it.
const hangTimeout = 2 * time.Minute
