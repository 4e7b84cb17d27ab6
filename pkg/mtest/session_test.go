package mtest

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"net"
	"strings"
	"testing"
	"time"
)

// fakeServer serves one connection with handle and returns its address.
func fakeServer(t *testing.T, handle func(c net.Conn, r *bufio.Reader)) (host, port string) {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	go func() {
		c, err := l.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		c.SetDeadline(time.Now().Add(time.Minute))
		handle(c, bufio.NewReader(c))
	}()
	host, port, _ = net.SplitHostPort(l.Addr().String())
	return host, port
}

func run(t *testing.T, p *Protocol, handle func(c net.Conn, r *bufio.Reader), script string) (string, error) {
	t.Helper()
	host, port := fakeServer(t, handle)
	var out bytes.Buffer
	err := Run(context.Background(), p, Options{Host: host, Port: port, Mech: "plain", AuthID: "u", Password: "pw",
		Script: strings.NewReader(script), Timeout: time.Minute}, &out)
	return out.String(), err
}

// Hostile servers end the session with an error, never a hang or a
// growing buffer.
func TestHostileServers(t *testing.T) {
	cases := map[string]struct {
		handle func(c net.Conn, r *bufio.Reader)
		want   string
	}{
		"endless line": {func(c net.Conn, r *bufio.Reader) {
			c.Write([]byte("* OK "))
			chunk := bytes.Repeat([]byte("x"), 4096)
			for i := 0; i < 2*MaxLine/4096; i++ {
				if _, err := c.Write(chunk); err != nil {
					return
				}
			}
		}, "too long"},
		"refused greeting": {func(c net.Conn, r *bufio.Reader) { c.Write([]byte("* BYE go away\r\n")) }, "refused the connection"},
		"closes in capability": {func(c net.Conn, r *bufio.Reader) {
			c.Write([]byte("* OK hi\r\n"))
			r.ReadString('\n')
		}, "EOF"},
		"endless challenges": {func(c net.Conn, r *bufio.Reader) {
			c.Write([]byte("* OK hi\r\n"))
			r.ReadString('\n')
			c.Write([]byte("* CAPABILITY IMAP4rev1 AUTH=PLAIN\r\nC01 OK done\r\n"))
			r.ReadString('\n')
			for i := 0; i < 100; i++ {
				if _, err := c.Write([]byte("+ \r\n")); err != nil {
					return
				}
				r.ReadString('\n')
			}
		}, "too many SASL rounds"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := run(t, IMAP, tc.handle, "")
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("%v, want %q", err, tc.want)
			}
		})
	}
}

// Without SASL-IR the PLAIN response follows the empty challenge; the
// script waits for authentication and the server's close ends the run.
func TestPlainWithoutIR(t *testing.T) {
	got := make(chan string, 4)
	out, err := run(t, IMAP, func(c net.Conn, r *bufio.Reader) {
		c.Write([]byte("* OK hi\r\n"))
		r.ReadString('\n')
		c.Write([]byte("* CAPABILITY IMAP4rev1 AUTH=PLAIN\r\nC01 OK done\r\n"))
		l, _ := r.ReadString('\n')
		got <- l
		c.Write([]byte("+ \r\n"))
		l, _ = r.ReadString('\n')
		got <- l
		c.Write([]byte("A01 OK welcome\r\n"))
		l, _ = r.ReadString('\n')
		got <- l
		c.Write([]byte("* BYE bye\r\n"))
	}, "x NOOP\n")
	if err != nil {
		t.Fatal(err)
	}
	if a := <-got; a != "A01 AUTHENTICATE PLAIN\r\n" {
		t.Errorf("command %q", a)
	}
	if a := <-got; a != "AHUAcHc=\r\n" {
		t.Errorf("response %q", a)
	}
	if a := <-got; a != "x NOOP\r\n" {
		t.Errorf("script line %q", a)
	}
	if !strings.Contains(out, "Authenticated.\nSecurity strength factor: 0\n") || !strings.Contains(out, "* BYE bye\nConnection closed.\n") {
		t.Errorf("output:\n%s", out)
	}
	if errors.Is(err, ErrLineTooLong) {
		t.Fatal(err)
	}
}
