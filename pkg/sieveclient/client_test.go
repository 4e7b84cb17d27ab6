package sieveclient

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"testing"
	"time"
)

const greeting = "\"IMPLEMENTATION\" \"fake\"\r\n\"SASL\" \"PLAIN LOGIN\"\r\n\"STARTTLS\"\r\n\"VERSION\" \"1.0\"\r\nOK\r\n"

// fake runs serve as the server end of a pipe, after the greeting, and
// returns a Client that has read the greeting. serve reads the client's
// commands from r; the pipe is closed at cleanup, which ends serve.
func fake(t *testing.T, serve func(r *bufio.Reader, w io.Writer)) *Client {
	t.Helper()
	cs, ss := net.Pipe()
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer ss.Close()
		if _, err := io.WriteString(ss, greeting); err != nil {
			return
		}
		serve(bufio.NewReader(ss), ss)
	}()
	t.Cleanup(func() { cs.Close(); ss.Close(); <-done })
	c := NewClient(cs, Options{Timeout: 2 * time.Minute, MaxLiteral: 1 << 20})
	if err := c.Greet(); err != nil {
		t.Fatal(err)
	}
	return c
}

// expect reads one command line and fails the test unless it is want.
func expect(t *testing.T, r *bufio.Reader, want string) bool {
	l, err := r.ReadString('\n')
	if err != nil || l != want+"\r\n" {
		t.Errorf("server got %q, %v; want %q", l, err, want)
		return false
	}
	return true
}

func TestGreetingCapabilities(t *testing.T) {
	c := fake(t, func(*bufio.Reader, io.Writer) {})
	if got := c.SASLMechanisms(); strings.Join(got, " ") != "PLAIN LOGIN" {
		t.Errorf("SASL %q", got)
	}
	if _, ok := c.Capability("starttls"); !ok {
		t.Error("STARTTLS not seen")
	}
	if v, _ := c.Capability("IMPLEMENTATION"); v != "fake" {
		t.Errorf("IMPLEMENTATION %q", v)
	}
}

// TestCommands checks each command's wire form and the reading of its
// answer: literals in a list, the active marker, a script as a literal,
// a NO with a response code and a literal text, and the prefixes Cyrus's
// library puts before the server's text.
func TestCommands(t *testing.T) {
	c := fake(t, func(r *bufio.Reader, w io.Writer) {
		if expect(t, r, `AUTHENTICATE "PLAIN" "AGFsaWNlAHMzY3JldA=="`) {
			io.WriteString(w, "OK\r\n")
		}
		if expect(t, r, "LISTSCRIPTS") {
			io.WriteString(w, "\"a\"\r\n{5}\r\nb \"x\" ACTIVE\r\n\"c\\\"d\"\r\nOK \"Listscripts completed.\"\r\n")
		}
		if expect(t, r, `PUTSCRIPT "n\"q" {6+}`) {
			b := make([]byte, 8)
			io.ReadFull(r, b)
			if string(b) != "keep;\n\r\n" {
				t.Errorf("literal %q", b)
			}
			io.WriteString(w, "NO (QUOTA/MAXSIZE) {12}\r\nline 1: bad\n\r\n")
		}
		if expect(t, r, `GETSCRIPT "s"`) {
			io.WriteString(w, "{7}\r\nkeep;\r\n\r\nOK\r\n")
		}
		if expect(t, r, `SETACTIVE ""`) {
			io.WriteString(w, "NO \"Script does not exist\"\r\n")
		}
		if expect(t, r, `DELETESCRIPT "z"`) {
			io.WriteString(w, "NO (NONEXISTENT) \"Script does not exist\"\r\n")
		}
		if expect(t, r, "LOGOUT") {
			io.WriteString(w, "OK\r\n")
		}
	})
	if err := c.AuthenticatePlain("alice", "alice", "s3cret"); err != nil {
		t.Fatal(err)
	}
	l, err := c.ListScripts()
	if got := fmt.Sprint(l); err != nil || got != `[{a false} {b "x" true} {c"d false}]` {
		t.Errorf("list %s, %v", got, err)
	}
	err = c.PutScript(`n"q`, []byte("keep;\n"))
	var se *ServerError
	if !errors.As(err, &se) || se.Code != "QUOTA/MAXSIZE" || err.Error() != "put script: line 1: bad\n" {
		t.Errorf("put: %v (%#v)", err, se)
	}
	if b, err := c.GetScript("s"); err != nil || string(b) != "keep;\r\n" {
		t.Errorf("get %q, %v", b, err)
	}
	if err := c.SetActive(""); err == nil || err.Error() != "Setting script active: Script does not exist" {
		t.Errorf("setactive: %v", err)
	}
	if err := c.DeleteScript("z"); err == nil || err.Error() != "Deleting script: Script does not exist" {
		t.Errorf("delete: %v", err)
	}
	if err := c.Logout(); err != nil {
		t.Errorf("logout: %v", err)
	}
}

// TestHostileServer: whatever the server sends, the client ends with an
// error, without reading (or allocating) past its bounds, and is unusable
// afterwards.
func TestHostileServer(t *testing.T) {
	for _, tc := range []struct {
		name  string
		reply func(w io.Writer)
		want  string
	}{
		{"huge literal", func(w io.Writer) { io.WriteString(w, "{999999999999}\r\n") }, "literal of 999999999999 bytes"},
		{"endless line", func(w io.Writer) {
			chunk := strings.Repeat("x", 4096)
			for i := 0; i <= MaxLine/4096+1; i++ {
				if _, err := io.WriteString(w, chunk); err != nil {
					return
				}
			}
		}, "too long"},
		{"endless list", func(w io.Writer) {
			for i := 0; i <= maxResponseLines; i++ {
				if _, err := io.WriteString(w, "\"s\"\r\n"); err != nil {
					return
				}
			}
		}, "too long"},
		{"unterminated quote", func(w io.Writer) { io.WriteString(w, "\"abc\r\nOK\r\n") }, "unterminated"},
		{"bad response code", func(w io.Writer) { io.WriteString(w, "NO (ABC \"x\"\r\n") }, "without ')'"},
		{"eof", func(w io.Writer) { io.WriteString(w, "\"a\"\r\n") }, "unexpected EOF"},
		{"bye", func(w io.Writer) { io.WriteString(w, "BYE \"going away\"\r\n") }, "going away"},
		{"short literal", func(w io.Writer) { io.WriteString(w, "{10}\r\nabc") }, "unexpected EOF"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := fake(t, func(r *bufio.Reader, w io.Writer) {
				if expect(t, r, "LISTSCRIPTS") {
					tc.reply(w)
				}
			})
			_, err := c.ListScripts()
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err %v, want %q", err, tc.want)
			}
			if _, err := c.ListScripts(); !errors.Is(err, ErrBroken) {
				t.Errorf("after: %v, want ErrBroken", err)
			}
		})
	}
}

func TestQuote(t *testing.T) {
	for in, want := range map[string]string{
		"a":      `"a"`,
		`a"b\c`:  `"a\"b\\c"`,
		"x\r\ny": "{4+}\r\nx\r\ny",
		"":       `""`,
	} {
		if got := quote(in); got != want {
			t.Errorf("quote(%q) = %q, want %q", in, got, want)
		}
	}
}

func FuzzResponse(f *testing.F) {
	for _, s := range []string{"\"a\" ACTIVE\r\nOK\r\n", "{3}\r\nabc\r\nNO (X) {2}\r\nhi\r\n", "BYE\r\n", "OK (SASL \"x\")\r\n", "\"\\\r\n"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		cs, ss := net.Pipe()
		go io.Copy(io.Discard, ss) // the command, read so the client's write ends
		go func() { io.WriteString(ss, s); ss.Close() }()
		c := NewClient(cs, Options{Timeout: time.Minute, MaxLiteral: 1 << 16})
		c.ListScripts()
		cs.Close()
	})
}
