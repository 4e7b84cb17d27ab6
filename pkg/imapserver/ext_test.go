package imapserver

import (
	"bufio"
	"compress/flate"
	"strings"
	"testing"
)

func TestCompressDeflate(t *testing.T) {
	s := newTestSite(t)
	s.deliver("user.alice", testMessage("squeezed"))
	c := s.dial()
	if caps := c.ok("CAPABILITY")[0]; !strings.Contains(caps, " COMPRESS=DEFLATE ") {
		t.Fatalf("COMPRESS=DEFLATE not advertised: %s", caps)
	}
	c.expect("COMPRESS LZ77", "BAD")
	c.ok("COMPRESS DEFLATE")
	// From here both directions are raw DEFLATE.
	fw, err := flate.NewWriter(c.c, flate.DefaultCompression)
	if err != nil {
		t.Fatal(err)
	}
	c.out = fw
	c.br = bufio.NewReader(flate.NewReader(c.br))
	c.ok("LOGIN alice secret")
	u := c.ok("SELECT INBOX")
	has(t, u, "* 1 EXISTS")
	u = c.ok("FETCH 1 BODY.PEEK[]")
	if !strings.Contains(u[0], "Hello squeezed") {
		t.Fatalf("FETCH through DEFLATE: %q", u)
	}
	c.expect("COMPRESS DEFLATE", "NO [COMPRESSIONACTIVE]")
	if caps := c.ok("CAPABILITY")[0]; strings.Contains(caps, "COMPRESS=") {
		t.Fatalf("COMPRESS still advertised: %s", caps)
	}
	c.write("i1 IDLE\r\n")
	if l := c.line(); !strings.HasPrefix(l, "+ ") {
		t.Fatalf("IDLE: %q", l)
	}
	s.deliver("user.alice", testMessage("while idling"))
	if l := c.line(); l != "* 2 EXISTS" {
		t.Fatalf("IDLE update: %q", l)
	}
	c.write("DONE\r\n")
	c.until("i1")
	c.ok("LOGOUT")
}

func TestUnauthenticate(t *testing.T) {
	s := newTestSite(t)
	a := s.login("alice")
	if caps := a.ok("CAPABILITY")[0]; strings.Contains(caps, "UNAUTHENTICATE") {
		t.Fatalf("UNAUTHENTICATE offered to a user: %s", caps)
	}
	a.expect("UNAUTHENTICATE", "BAD Unrecognized command")
	a.ok("SETACL INBOX cyrus lr")
	c := s.login("cyrus")
	if caps := c.ok("CAPABILITY")[0]; !strings.Contains(caps, " UNAUTHENTICATE") {
		t.Fatalf("UNAUTHENTICATE not offered to an admin: %s", caps)
	}
	c.ok("ENABLE QRESYNC")
	c.ok("SELECT user/alice")
	c.ok("UNAUTHENTICATE")
	c.expect("SELECT INBOX", "BAD Please login first")
	c.expect("UNAUTHENTICATE", "BAD Please login first")
	c.ok("LOGIN alice secret")
	u := c.ok("SELECT INBOX")
	for _, l := range u {
		if strings.Contains(l, "CLOSED") {
			t.Fatalf("selected mailbox survived UNAUTHENTICATE: %q", u)
		}
	}
	// QRESYNC was dropped with the identity.
	c.expect("SELECT INBOX (QRESYNC (1 1))", "BAD")
}

func TestBinaryAppendAndFetch(t *testing.T) {
	s := newTestSite(t)
	a := s.login("alice")
	if caps := a.ok("CAPABILITY")[0]; !strings.Contains(caps, " BINARY ") {
		t.Fatalf("BINARY not advertised: %s", caps)
	}
	body := "Subject: bin\r\nContent-Type: application/octet-stream\r\n\r\nab\x00cd\r\n"
	a.write("x1 APPEND INBOX ~{" + itoa(len(body)) + "+}\r\n" + body + "\r\n")
	if _, st := a.until("x1"); !strings.HasPrefix(st, "OK [APPENDUID") {
		t.Fatalf("APPEND literal8: %q", st)
	}
	a.ok("SELECT INBOX")
	has(t, a.ok("FETCH 1 BINARY.SIZE[1]"), "* 1 FETCH (BINARY.SIZE[1] 7)")
	u := a.ok("FETCH 1 BINARY.PEEK[1]")
	if !strings.Contains(u[0], "BINARY[1] ~{7}\r\nab\x00cd\r\n") {
		t.Fatalf("BINARY fetch: %q", u)
	}
}
