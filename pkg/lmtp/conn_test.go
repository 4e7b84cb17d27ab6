package lmtp

import (
	"bufio"
	"bytes"
	"net"
	"strings"
	"testing"
)

func TestParsePath(t *testing.T) {
	tests := []struct {
		arg, prefix, addr, params string
		ok                        bool
	}{
		{"FROM:<bob@x>", "FROM:", "bob@x", "", true},
		{"from: <bob@x> AUTH=postman SIZE=10", "FROM:", "bob@x", "AUTH=postman SIZE=10", true},
		{"FROM:<>", "FROM:", "", "", true},
		{"TO:<alice> IGNOREQUOTA", "TO:", "alice", "IGNOREQUOTA", true},
		{"TO:alice", "TO:", "alice", "", true},
		{"TO:<alice", "TO:", "", "", false},
		{"TO:", "TO:", "", "", false},
		{"FROM<x>", "FROM:", "", "", false},
	}
	for _, tc := range tests {
		addr, params, ok := parsePath(tc.arg, tc.prefix)
		if ok != tc.ok || (ok && (addr != tc.addr || strings.Join(params, " ") != tc.params)) {
			t.Errorf("parsePath(%q) = %q, %q, %v", tc.arg, addr, params, ok)
		}
	}
}

func TestReplyLines(t *testing.T) {
	got := strings.Join(replyUnknownUser.lines(), "|")
	want := "550-Mailbox unknown.  Either there is no mailbox associated with this|" +
		"550-name or you do not have authorization to see it.|550 5.1.1 User unknown"
	if got != want {
		t.Errorf("lines = %q", got)
	}
	if got := replyGoAhead.lines(); len(got) != 1 || got[0] != "354 go ahead" {
		t.Errorf("354 = %q", got)
	}
}

// readDataFrom runs conn.readData over input.
func readDataFrom(input string, max int64) ([]byte, bool, error) {
	client, server := net.Pipe()
	defer client.Close()
	defer server.Close()
	go func() { client.Write([]byte(input)) }()
	c := &conn{srv: &Server{maxSize: max}, nc: server, r: bufio.NewReaderSize(server, 16), w: bufio.NewWriter(server)}
	return c.readData()
}

func TestReadData(t *testing.T) {
	msg, big, err := readDataFrom("a\r\n..b\r\n.c\r\n"+strings.Repeat("y", 40)+".\r\n.\r\n", 0)
	if err != nil || big || string(msg) != "a\r\n.b\r\nc\r\n"+strings.Repeat("y", 40)+".\r\n" {
		t.Fatalf("readData = %q, %v, %v", msg, big, err)
	}
	// A long line whose tail looks like the terminator is not one.
	long := strings.Repeat("z", 16) + ".\r\n"
	msg, _, err = readDataFrom(long+".\r\n", 0)
	if err != nil || !bytes.Equal(msg, []byte(long)) {
		t.Fatalf("long line: %q, %v", msg, err)
	}
	if _, big, err = readDataFrom(strings.Repeat("x\r\n", 50)+".\r\n", 20); err != nil || !big {
		t.Fatalf("too big not noticed: %v, %v", big, err)
	}
}

func FuzzParsePath(f *testing.F) {
	for _, s := range []string{"FROM:<a@b> AUTH=x", "TO:<+board> IGNOREQUOTA", "TO:x", "TO:<", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, arg string) {
		addr, _, ok := parsePath(arg, "TO:")
		if ok && strings.ContainsAny(addr, ">") && strings.HasPrefix(strings.TrimLeft(arg[3:], " "), "<") {
			t.Fatalf("%q: address %q holds '>'", arg, addr)
		}
	})
}
