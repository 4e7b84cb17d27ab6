package imapserver

import (
	"io"
	"runtime"
	"strings"
	"testing"
	"time"
)

// TestAppendRefusals: every refusal of a message literal, with Cyrus's
// texts, nothing stored, and the session still in step afterwards.
func TestAppendRefusals(t *testing.T) {
	s := newTestSite(t, "maxmessagesize", "1000000")
	a := s.login("alice")
	hasPrefix(t, a.ok("CAPABILITY"), "* CAPABILITY")
	if u := a.ok("CAPABILITY"); !strings.Contains(u[0], " APPENDLIMIT=1000000") {
		t.Fatalf("capability %q", u[0])
	}

	// Announced too big: refused before "+ go ahead".
	a.write("t1 APPEND INBOX {1000001}\r\n")
	if l := a.line(); l != "t1 NO [TOOBIG] Message size exceeds fixed limit" {
		t.Fatalf("announced too big: %q", l)
	}
	a.ok("NOOP")

	// Bare LF makes 900,018 bytes 1,350,020 once stored.
	bare := "Subject: bare\n\n" + strings.Repeat("x\n", (900018-15)/2)
	bare += strings.Repeat("y", 900018-len(bare))
	a.write("t2 APPEND INBOX {" + itoa(len(bare)) + "}\r\n")
	if l := a.line(); !strings.HasPrefix(l, "+ ") {
		t.Fatalf("continuation: %q", l)
	}
	a.write(bare + "\r\n")
	if _, st := a.until("t2"); st != "NO [TOOBIG] Message size exceeds fixed limit" {
		t.Fatalf("bare LF over the limit once converted: %q", st)
	}

	a.expect("APPEND INBOX {20+}\r\nSubject: a\x00b\r\n\r\nhi\r\n", "NO Message contains NUL characters")
	a.expect("APPEND INBOX {0+}\r\n", "NO Zero-length message literal")
	a.write("t3 APPEND INBOX {0}\r\n")
	if l := a.line(); l != "t3 NO Zero-length message literal" && !strings.HasPrefix(l, "+ ") {
		t.Fatalf("zero-length: %q", l)
	} else if strings.HasPrefix(l, "+ ") {
		a.write("\r\n")
		if _, st := a.until("t3"); st != "NO Zero-length message literal" {
			t.Fatalf("zero-length: %q", st)
		}
	}
	has(t, a.ok("STATUS INBOX (MESSAGES)"), "* STATUS INBOX (MESSAGES 0)")

	// A literal8 may carry NUL (RFC 3516).
	bin := "Subject: bin\r\n\r\na\x00b\r\n"
	a.ok("APPEND INBOX ~{" + itoa(len(bin)) + "+}\r\n" + bin)
	has(t, a.ok("STATUS INBOX (MESSAGES)"), "* STATUS INBOX (MESSAGES 1)")

	// Over quota: refused before "+ go ahead".
	root := s.login("cyrus")
	root.ok("SETQUOTA user/alice (STORAGE 2)")
	a.write("t4 APPEND INBOX {4000}\r\n")
	if l := a.line(); l != "t4 NO [OVERQUOTA] Over quota" {
		t.Fatalf("over quota: %q", l)
	}
	a.ok("NOOP")
}

// TestAppendBigNULStreamed: a message over the in-memory limit holding NUL
// is refused, its remaining bytes drained, nothing stored.
func TestAppendBigNULStreamed(t *testing.T) {
	s := newTestSite(t)
	a := s.login("alice")
	msg := "Subject: big\r\n\r\n\x00" + strings.Repeat("z", 3<<20) + "\r\n"
	a.expect("APPEND INBOX {"+itoa(len(msg))+"+}\r\n"+msg, "NO Message contains NUL characters")
	a.ok("NOOP")
	has(t, a.ok("STATUS INBOX (MESSAGES)"), "* STATUS INBOX (MESSAGES 0)")
}

// TestMalformedLiteralCloses: once a literal header is in doubt the
// connection is closed; the bytes that follow never run as commands.
func TestMalformedLiteralCloses(t *testing.T) {
	s := newTestSite(t)
	for _, cmd := range []string{
		"APPEND INBOX {000000000000000000005+}",
		"APPEND INBOX {5 +}",
		"APPEND INBOX {5++}",
		"APPEND INBOX {-1}",
		"APPEND INBOX {99999999999999999999}",
		"APPEND INBOX {5}x",
		"APPEND INBOX {5-}",
		"LOGIN alice {5 +}",
		"FROB {5 +}",
		"NOOP {99999999999999999999+}",
	} {
		a := s.login("alice")
		a.write("t1 " + cmd + "\r\nz1 NOOP\r\n")
		a.c.SetReadDeadline(time.Now().Add(10 * time.Second))
		rest, err := io.ReadAll(a.br)
		if err != nil {
			t.Fatalf("%s: %v", cmd, err)
		}
		if !strings.Contains(string(rest), "* BYE ") || strings.Contains(string(rest), "z1 ") {
			t.Fatalf("%s: got %q, want * BYE then close", cmd, rest)
		}
	}
}

// TestHugeLiteralBoundedMemory: 256 MiB of a {1073741824+} literal do not
// grow the server's heap, and other sessions are served meanwhile.
func TestHugeLiteralBoundedMemory(t *testing.T) {
	s := newTestSite(t)
	a := s.login("alice")
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	a.write("t1 APPEND INBOX {1073741824+}\r\nSubject: huge\r\n\r\n")
	chunk := []byte(strings.Repeat("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ!\r\n", 1<<14))
	a.c.SetWriteDeadline(time.Now().Add(5 * time.Minute))
	for sent := 0; sent < 256<<20; sent += len(chunk) {
		if _, err := a.c.Write(chunk); err != nil {
			t.Fatal(err)
		}
	}
	b := s.login("bob")
	b.ok("NOOP")
	runtime.ReadMemStats(&after)
	t.Logf("heap in use %d -> %d, allocated %d", before.HeapInuse, after.HeapInuse, after.TotalAlloc-before.TotalAlloc)
	if after.HeapInuse > before.HeapInuse+32<<20 {
		t.Errorf("heap in use grew from %d to %d", before.HeapInuse, after.HeapInuse)
	}
	a.c.Close() // the message is never finished: nothing is stored
	has(t, s.login("alice").ok("STATUS INBOX (MESSAGES)"), "* STATUS INBOX (MESSAGES 0)")
}
