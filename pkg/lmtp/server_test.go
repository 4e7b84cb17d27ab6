package lmtp

import (
	"context"
	"fmt"
	"net"
	"net/textproto"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"gocyrus/pkg/config"
	"gocyrus/pkg/cyrusdb"
	"gocyrus/pkg/quota"
	"gocyrus/pkg/store"
)

// newTestServer returns lmtpd over a fresh store with the given mailboxes,
// listening on loopback and trusting its clients (lmtpd -a).
func newTestServer(tb testing.TB, boxes []string, extra ...string) (*Server, string) {
	tb.Helper()
	return newTestServerWith(tb, boxes, nil, extra...)
}

// newTestServerWith is newTestServer with setup run before the server
// accepts connections.
func newTestServerWith(tb testing.TB, boxes []string, setup func(*Server), extra ...string) (*Server, string) {
	tb.Helper()
	dir := tb.TempDir()
	conf := fmt.Sprintf("configdirectory: %s\npartition-default: %s\ndefaultpartition: default\nservername: localhost\nsievedir: %s\n%s\n",
		filepath.Join(dir, "config"), filepath.Join(dir, "spool"), filepath.Join(dir, "sieve"), strings.Join(extra, "\n"))
	cfg, err := config.ParseImapd(strings.NewReader(conf), "imapd.conf")
	if err != nil {
		tb.Fatal(err)
	}
	db, err := cyrusdb.Open(cfg.Configdirectory(), cyrusdb.Options{})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	st, err := store.New(cfg, db, nil)
	if err != nil {
		tb.Fatal(err)
	}
	for _, b := range boxes {
		if _, err := st.CreateMailbox(context.Background(), b, store.CreateOptions{Quota: quota.Ignore}); err != nil {
			tb.Fatal(err)
		}
	}
	srv := NewServer(st, nil)
	// The trusted MTA on loopback (lmtpd -a, as Debian's cyrus.conf has
	// it); auth_test.go's tests turn it off to see the refusal and AUTH.
	srv.PreauthTCP = true
	if setup != nil {
		setup(srv)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			go srv.Handle(ctx, c)
		}
	}()
	tb.Cleanup(func() {
		cancel()
		l.Close()
		srv.Close()
	})
	return srv, l.Addr().String()
}

// lmtpClient is a minimal pipelining-free LMTP client.
type lmtpClient struct {
	tb testing.TB
	tp *textproto.Conn
}

func dialLMTP(tb testing.TB, addr string) *lmtpClient {
	tb.Helper()
	nc, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		tb.Fatal(err)
	}
	nc.SetDeadline(time.Now().Add(5 * time.Minute))
	c := &lmtpClient{tb: tb, tp: textproto.NewConn(nc)}
	tb.Cleanup(func() { c.tp.Close() })
	c.expect(220)
	c.cmd(250, "LHLO test")
	return c
}

func (c *lmtpClient) expect(code int) string {
	c.tb.Helper()
	_, msg, err := c.tp.ReadResponse(code)
	if err != nil {
		c.tb.Fatalf("want %d: %v %s", code, err, msg)
	}
	return msg
}

func (c *lmtpClient) cmd(code int, format string, a ...any) string {
	c.tb.Helper()
	c.tp.PrintfLine(format, a...)
	return c.expect(code)
}

// send delivers msg and returns the DATA reply lines, one per recipient.
func (c *lmtpClient) send(from string, rcpts []string, msg string) []string {
	c.tb.Helper()
	c.cmd(250, "MAIL FROM:<%s>", from)
	for _, r := range rcpts {
		c.cmd(250, "RCPT TO:<%s>", r)
	}
	c.cmd(354, "DATA")
	w := c.tp.DotWriter()
	w.Write([]byte(msg))
	w.Close()
	var out []string
	for range rcpts {
		line, err := c.tp.ReadLine()
		if err != nil {
			c.tb.Fatal(err)
		}
		for len(line) > 3 && line[3] == '-' {
			next, err := c.tp.ReadLine()
			if err != nil {
				c.tb.Fatal(err)
			}
			line += "\n" + next
		}
		out = append(out, line)
	}
	return out
}

func benchMessage(i int) string {
	return fmt.Sprintf("Message-ID: <bench-%d@x>\r\nSubject: bench\r\nTo: alice@localhost\r\n\r\n%s", i,
		strings.Repeat(strings.Repeat("x", 78)+"\r\n", 4096/80))
}

// BenchmarkDeliver: 4 KiB messages over one connection
// (go test -bench Deliver -cpuprofile cpu.out ./pkg/lmtp/).
func BenchmarkDeliver(b *testing.B) {
	_, addr := newTestServer(b, []string{"user.alice"})
	c := dialLMTP(b, addr)
	b.ResetTimer()
	for i := range b.N {
		if r := c.send("bob@x", []string{"alice"}, benchMessage(i)); !strings.HasPrefix(r[0], "250 ") {
			b.Fatal(r)
		}
	}
}

// BenchmarkDeliverParallel: the same over 8 connections.
func BenchmarkDeliverParallel(b *testing.B) {
	_, addr := newTestServer(b, []string{"user.alice"})
	b.SetParallelism(8)
	var n int64
	var mu = make(chan struct{}, 1)
	b.RunParallel(func(pb *testing.PB) {
		c := dialLMTP(b, addr)
		for pb.Next() {
			mu <- struct{}{}
			n++
			i := n
			<-mu
			if r := c.send("bob@x", []string{"alice"}, benchMessage(int(i))); !strings.HasPrefix(r[0], "250 ") {
				b.Error(r)
				return
			}
		}
	})
}
