package managesieve

import (
	"bufio"
	"context"
	"crypto/tls"
	"encoding/base64"
	"errors"
	"io"
	"log/slog"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	"gocyrus/pkg/auth"
	"gocyrus/pkg/config"
	"gocyrus/pkg/sievescripts"
	"gocyrus/pkg/userdeny"
)

// fakeCheck stands in for pkg/sieve: a script containing "bad" fails at
// the line and column of the word.
func fakeCheck(src []byte, _ []string, _ IncludeFunc) error {
	for i, line := range strings.Split(string(src), "\n") {
		if col := strings.Index(line, "bad"); col >= 0 {
			return errors.New("line " + strconv.Itoa(i+1) + " column " + strconv.Itoa(col+1) + ": unknown command \"bad\"")
		}
	}
	return nil
}

type testServer struct {
	addr  string
	store *sievescripts.Store
}

type serverOpts struct {
	conf        string
	tls         *tls.Config
	idle        time.Duration
	maxScripts  int
	maxSize     int
	extensions  []string
	implicitTLS bool
	logger      *slog.Logger
	fault       func(command string) // Server.testFault
	deny        *userdeny.Guard
}

// startServer serves ManageSieve on a loopback port for the test's life.
func startServer(t *testing.T, so serverOpts) *testServer {
	t.Helper()
	conf := so.conf
	for _, def := range []string{"allowplaintext: 1", "sasl_pwcheck_method: alwaystrue", "admins: admin"} {
		key, _, _ := strings.Cut(def, ":")
		if !strings.Contains(so.conf, key+":") {
			conf += def + "\n"
		}
	}
	cfg, err := config.ParseImapd(strings.NewReader(conf), "imapd.conf")
	if err != nil {
		t.Fatal(err)
	}
	authn, err := auth.New(cfg, auth.Options{Service: "sieve", FailureDelay: auth.NoFailureDelay})
	if err != nil {
		t.Fatal(err)
	}
	if so.maxScripts == 0 {
		so.maxScripts = 5
	}
	if so.maxSize == 0 {
		so.maxSize = 32 << 10
	}
	if so.extensions == nil {
		so.extensions = []string{"fileinto", "reject", "envelope"}
	}
	store := sievescripts.New(sievescripts.Options{Dir: t.TempDir(), MaxScripts: so.maxScripts, MaxSize: so.maxSize})
	srv, err := New(Options{
		Config: cfg, Auth: authn, Scripts: store, Extensions: so.extensions, Check: fakeCheck,
		TLS: so.tls, ImplicitTLS: so.implicitTLS, IdleTimeout: so.idle, Logger: so.logger, Deny: so.deny,
	})
	if err != nil {
		t.Fatal(err)
	}
	srv.testFault = so.fault
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go srv.Handle(ctx, c)
		}
	}()
	t.Cleanup(func() { cancel(); ln.Close(); <-done })
	return &testServer{addr: ln.Addr().String(), store: store}
}

type client struct {
	t    *testing.T
	conn net.Conn
	r    *bufio.Reader
}

// dial connects and returns the client with the greeting read.
func (ts *testServer) dial(t *testing.T) (*client, string) {
	t.Helper()
	conn, err := net.Dial("tcp", ts.addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	c := &client{t: t, conn: conn, r: bufio.NewReader(conn)}
	return c, c.response()
}

func (c *client) send(s string) {
	c.t.Helper()
	c.conn.SetWriteDeadline(time.Now().Add(hangTimeout))
	if _, err := c.conn.Write([]byte(s)); err != nil {
		c.t.Fatal(err)
	}
}

// response reads up to and including the next OK/NO/BYE line, following
// literals, and returns it with CRLF shown as "\n".
func (c *client) response() string {
	c.t.Helper()
	c.conn.SetReadDeadline(time.Now().Add(hangTimeout))
	var b strings.Builder
	for {
		line, err := c.r.ReadString('\n')
		if err != nil {
			c.t.Fatalf("reading a response after %q: %v", b.String(), err)
		}
		b.WriteString(strings.TrimSuffix(line, "\r\n") + "\n")
		if n, ok := announcedLiteral([]byte(line)); ok {
			buf := make([]byte, n)
			if _, err := io.ReadFull(c.r, buf); err != nil {
				c.t.Fatal(err)
			}
			b.Write(buf)
			continue
		}
		if strings.HasPrefix(line, "OK") || strings.HasPrefix(line, "NO") || strings.HasPrefix(line, "BYE") {
			return b.String()
		}
	}
}

// cmd sends one command line and returns the response.
func (c *client) cmd(line string) string {
	c.t.Helper()
	c.send(line + "\r\n")
	return c.response()
}

// login authenticates user with PLAIN and an initial response.
func (c *client) login(user string) {
	c.t.Helper()
	ir := base64.StdEncoding.EncodeToString([]byte("\x00" + user + "\x00pw"))
	if got := c.cmd(`AUTHENTICATE "PLAIN" "` + ir + `"`); got != "OK\n" {
		c.t.Fatalf("login as %s: %q", user, got)
	}
}

// expect runs a command and compares the whole response.
func (c *client) expect(line, want string) {
	c.t.Helper()
	if got := c.cmd(line); got != want {
		c.t.Errorf("%s\n got: %q\nwant: %q", line, got, want)
	}
}

// putScript uploads src with a non-synchronizing literal.
func (c *client) putScript(name, src string) string {
	c.t.Helper()
	c.send("PUTSCRIPT " + quote(name) + " {" + strconv.Itoa(len(src)) + "+}\r\n" + src + "\r\n")
	return c.response()
}

// hangTimeout bounds a wait for something that should happen at once: long
// enough that on a loaded machine (or under -race) only a hang reaches it.
const hangTimeout = 2 * time.Minute
