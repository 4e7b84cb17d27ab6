package lmtp

import (
	"bufio"
	"context"
	"io"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"gocyrus/pkg/quota"
)

// rawSession writes input to lmtpd in one piece (pipelined, raw bytes)
// and returns every reply line up to the 221 of QUIT, or up to EOF.
func rawSession(t *testing.T, addr, input string) []string {
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
		line = strings.TrimRight(line, "\r\n")
		lines = append(lines, line)
		if strings.HasPrefix(line, "221 ") {
			return lines
		}
	}
}

// dataReplies returns the replies after "354", without the final 221.
func dataReplies(lines []string) []string {
	for i, l := range lines {
		if strings.HasPrefix(l, "354 ") {
			out := lines[i+1:]
			if n := len(out); n > 0 && strings.HasPrefix(out[n-1], "221 ") {
				out = out[:n-1]
			}
			return out
		}
	}
	return nil
}

// stored returns the messages in box.
func stored(t *testing.T, srv *Server, box string) []string {
	t.Helper()
	mb, _, err := srv.store.Open(context.Background(), box, quota.Ignore)
	if err != nil {
		t.Fatal(err)
	}
	defer mb.Close()
	v, err := mb.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, r := range v.Records {
		b, err := os.ReadFile(mb.MessagePath(r.UID))
		if err != nil {
			t.Fatal(err)
		}
		if int64(len(b)) != int64(r.Size) {
			t.Errorf("%s uid %d: file %d bytes, index says %d", box, r.UID, len(b), r.Size)
		}
		out = append(out, string(b))
	}
	return out
}

// stageEmpty fails unless the stage directory holds no file.
func stageEmpty(t *testing.T, srv *Server) {
	t.Helper()
	root, err := srv.store.PartitionPath("default")
	if err != nil {
		t.Fatal(err)
	}
	ents, _ := os.ReadDir(filepath.Join(root, stageDirName))
	for _, e := range ents {
		t.Errorf("debris in the stage directory: %s", e.Name())
	}
}

const lhlo = "LHLO test\r\n"

// TestDataSmuggling: a "." line next to a bare LF does not end DATA, so
// a second transaction hidden in the message is neither run nor answered:
// one reply, one delivery (with the hidden text as content), nothing for
// the victim.
func TestDataSmuggling(t *testing.T) {
	const hidden = "MAIL FROM:<evil@x>\r\nRCPT TO:<bob>\r\nDATA\r\nSubject: forged\r\n\r\nevil\r\n"
	for _, term := range []string{"\n.\n", "\n.\r\n", "\r\n.\n"} {
		srv, addr := newTestServer(t, []string{"user.alice", "user.bob"})
		in := lhlo + "MAIL FROM:<good@x>\r\nRCPT TO:<alice>\r\nDATA\r\nSubject: real\r\n\r\nbody" + term + hidden + ".\r\nQUIT\r\n"
		lines := rawSession(t, addr, in)
		got := dataReplies(lines)
		if len(got) != 1 || !strings.HasPrefix(got[0], "250 2.1.5 ") {
			t.Errorf("%q: replies after DATA %q", term, got)
		}
		alice, bob := stored(t, srv, "user.alice"), stored(t, srv, "user.bob")
		if len(alice) != 1 || !strings.Contains(alice[0], "body\r\n.\r\n"+hidden) || len(bob) != 0 {
			t.Errorf("%q: alice %q, bob %d messages", term, alice, len(bob))
		}
	}
}

// TestDataRefusals: Cyrus's replies, one per recipient, nothing stored,
// no stage file left, and the session goes on.
func TestDataRefusals(t *testing.T) {
	srv, addr := newTestServer(t, []string{"user.alice", "user.bob"}, "maxmessagesize: 40")
	for _, tc := range []struct{ name, msg, want string }{
		{"NUL in header", "Subject: a\x00b\r\n\r\nbody\r\n", "554 5.6.0 Message contains NUL characters"},
		{"NUL in body", "Subject: a\r\n\r\nbo\x00dy\r\n", "554 5.6.0 Message contains NUL characters"},
		// 35 bytes as received, 49 once each bare LF is CRLF.
		{"too big after conversion", "S: 1\n\n" + strings.Repeat("x\n", 12) + "end\r\n", "552 5.2.3 Message size (49) exceeds fixed maximum message size (40)"},
	} {
		in := lhlo + "MAIL FROM:<a@x>\r\nRCPT TO:<alice>\r\nRCPT TO:<bob>\r\nDATA\r\n" + tc.msg + ".\r\nNOOP\r\nQUIT\r\n"
		got := dataReplies(rawSession(t, addr, in))
		if len(got) != 3 || got[0] != tc.want || got[1] != tc.want || got[2] != "250 2.0.0 ok" {
			t.Errorf("%s: replies %q", tc.name, got)
		}
	}
	if n := len(stored(t, srv, "user.alice")) + len(stored(t, srv, "user.bob")); n != 0 {
		t.Errorf("%d messages stored", n)
	}
	stageEmpty(t, srv)
	// Just under the limit after conversion: stored, CRLF throughout.
	msg := "S: 1\n\n" + strings.Repeat("x\n", 9) + "end\r\n" // 40 bytes stored
	got := dataReplies(rawSession(t, addr, lhlo+"MAIL FROM:<a@x>\r\nRCPT TO:<alice>\r\nDATA\r\n"+msg+".\r\nQUIT\r\n"))
	if len(got) != 1 || !strings.HasPrefix(got[0], "250 ") {
		t.Fatalf("40 bytes: %q", got)
	}
	m := stored(t, srv, "user.alice")
	if len(m) != 1 || !strings.HasSuffix(m[0], "\r\nS: 1\r\n\r\n"+strings.Repeat("x\r\n", 9)+"end\r\n") {
		t.Errorf("stored %q", m)
	}
}

// TestDataEmpty: an empty DATA is delivered, as Cyrus 3.6 delivers it:
// the stored message is the trace headers alone.
func TestDataEmpty(t *testing.T) {
	srv, addr := newTestServer(t, []string{"user.alice", "user.bob"})
	got := dataReplies(rawSession(t, addr, lhlo+"MAIL FROM:<a@x>\r\nRCPT TO:<alice>\r\nRCPT TO:<bob>\r\nDATA\r\n.\r\nQUIT\r\n"))
	if len(got) != 2 || !strings.HasPrefix(got[0], "250 2.1.5 ") || !strings.HasPrefix(got[1], "250 2.1.5 ") {
		t.Fatalf("replies %q", got)
	}
	for _, box := range []string{"user.alice", "user.bob"} {
		m := stored(t, srv, box)
		if len(m) != 1 || !strings.HasPrefix(m[0], "Return-Path: <a@x>\r\n") || !strings.Contains(m[0], "Received: ") {
			t.Errorf("%s: stored %q", box, m)
		}
	}
	stageEmpty(t, srv)
}

// TestEnvelopeControlChars: NUL, CR, other controls and DEL in MAIL FROM
// or RCPT TO, quoted local parts and xtext-decoded AUTH= included, are
// refused with 501 5.5.4 and change nothing.
func TestEnvelopeControlChars(t *testing.T) {
	srv, addr := newTestServer(t, []string{"user.alice"})
	for _, cmd := range []string{
		"MAIL FROM:<s\x00@x>", "MAIL FROM:<s\r@x>", "MAIL FROM:<\"s\x01\"@x>", "MAIL FROM:<s\x7f@x>",
		"MAIL FROM:<s@x> AUTH=a+00b", "MAIL FROM:<s@x> AUTH=a+0Db", "MAIL FROM:<s@x>\tSIZE=1",
	} {
		lines := rawSession(t, addr, lhlo+cmd+"\r\nQUIT\r\n")
		if n := len(lines); n < 2 || lines[n-2] != "501 5.5.4 Syntax error in parameters" {
			t.Errorf("%q: %q", cmd, lines)
		}
	}
	for _, rcpt := range []string{"RCPT TO:<ali\x00ce>", "RCPT TO:<\"ali\rce\">", "RCPT TO:<alice\x1b>"} {
		lines := rawSession(t, addr, lhlo+"MAIL FROM:<s@x>\r\n"+rcpt+"\r\nDATA\r\nQUIT\r\n")
		n := len(lines)
		if n < 4 || lines[n-3] != "501 5.5.4 Syntax error in parameters" || !strings.HasPrefix(lines[n-2], "503 5.5.1 No recipients") {
			t.Errorf("%q: %q", rcpt, lines)
		}
	}
	if m := stored(t, srv, "user.alice"); len(m) != 0 {
		t.Errorf("stored %q", m)
	}
}

// TestDataAbandoned: a connection closed in the middle of DATA stores
// nothing, leaves no stage file, and its goroutine and descriptors go.
func TestDataAbandoned(t *testing.T) {
	srv, addr := newTestServer(t, []string{"user.alice"})
	// One full delivery first, so lazily opened files (pools, databases)
	// are open before the counts are taken.
	if r := rawSession(t, addr, lhlo+"MAIL FROM:<a@x>\r\nRCPT TO:<alice>\r\nDATA\r\nS: 1\r\n\r\nx\r\n.\r\nQUIT\r\n"); len(dataReplies(r)) != 1 {
		t.Fatal(r)
	}
	fds0, gs0 := countFDs(t), runtime.NumGoroutine()
	for _, partial := range []string{"Subject: cut\r\n\r\nhalf a bo", "Subject: cut\r\n\r\nbody\n.\n", "S: x\r\n\r\n" + strings.Repeat("y", 200<<10)} {
		nc, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		nc.SetDeadline(time.Now().Add(time.Minute))
		br := bufio.NewReader(nc)
		io.WriteString(nc, lhlo+"MAIL FROM:<a@x>\r\nRCPT TO:<alice>\r\nDATA\r\n")
		for {
			line, err := br.ReadString('\n')
			if err != nil {
				t.Fatal(err)
			}
			if strings.HasPrefix(line, "354 ") {
				break
			}
		}
		io.WriteString(nc, partial)
		nc.Close()
	}
	deadline := time.Now().Add(30 * time.Second)
	for countFDs(t) > fds0 || runtime.NumGoroutine() > gs0 {
		if time.Now().After(deadline) {
			t.Fatalf("descriptors %d -> %d, goroutines %d -> %d", fds0, countFDs(t), gs0, runtime.NumGoroutine())
		}
		runtime.Gosched()
		time.Sleep(10 * time.Millisecond) // polling interval, not synchronisation
	}
	if m := stored(t, srv, "user.alice"); len(m) != 1 {
		t.Errorf("%d messages stored, want the first only", len(m))
	}
	stageEmpty(t, srv)
}

func countFDs(t *testing.T) int {
	t.Helper()
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Fatal(err)
	}
	return len(ents)
}
