package pop3server

import (
	"bufio"
	"context"
	"errors"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"gocyrus/internal/hugemsg"
)

// TestRetrHugeMessageInBoundedMemory retrieves a 256 MiB message
// (hugemsg.Size: a base64 part, a dot-stuffed line and a line of 128 MiB)
// with RETR and TOP over loopback, the server in this process, and checks
// that each allocates a few MiB at most (the client counts the bytes
// through a small buffer): reading the message or a line into memory would
// allocate over a hundred.
func TestRetrHugeMessageInBoundedMemory(t *testing.T) {
	s := newTestSite(t, false)
	uids := s.appendMessages("Subject: placeholder\r\n\r\nx\r\n")
	e, err := s.st.Lookup(context.Background(), s.inbox)
	if err != nil {
		t.Fatal(err)
	}
	dir, err := s.st.Dir(e)
	if err != nil {
		t.Fatal(err)
	}
	// The file stands in for the message: RETR and TOP send the file as
	// it is, whatever the index says of its size.
	l, err := hugemsg.Write(filepath.Join(dir, strconv.FormatUint(uint64(uids[0]), 10)+"."), hugemsg.Size)
	if err != nil {
		t.Fatal(err)
	}
	c, _ := s.dial()
	c.login()
	c.conn.SetDeadline(time.Now().Add(5 * time.Minute)) // a hung server, not the expected time
	for _, tc := range []struct {
		cmd      string
		min, max int64 // bytes of the body as sent (stuffed), up to the final dot
	}{
		{"RETR 1", l.Size + 1, l.Size + 1}, // the dot line gets its "."
		{"TOP 1 0", 100, 200},              // the header and the blank line
		{"TOP 1 3", 200, 400},
		{"TOP 1 100000000", l.Size + 1, l.Size + 1},
	} {
		var n int64
		var rerr error
		start := time.Now()
		u := hugemsg.Measure(func() {
			if got := c.cmd(tc.cmd); got != "+OK Message follows" {
				rerr = errors.New(got)
				return
			}
			n, rerr = countMulti(c.r)
		})
		if rerr != nil {
			t.Fatalf("%s: %v", tc.cmd, rerr)
		}
		hugemsg.Bound(t, tc.cmd+" ("+strconv.FormatInt(n, 10)+" bytes in "+time.Since(start).Round(time.Millisecond).String()+")", u, 4<<20)
		if n < tc.min || n > tc.max {
			t.Errorf("%s: %d bytes, want %d to %d", tc.cmd, n, tc.min, tc.max)
		}
	}
	if got := c.cmd("NOOP"); got != "+OK" {
		t.Fatalf("NOOP after: %q", got)
	}
}

// countMulti reads a multi-line body through r's buffer, without keeping
// it, and returns its size up to the final ".\r\n".
func countMulti(r *bufio.Reader) (int64, error) {
	var n int64
	atStart := true
	for {
		seg, err := r.ReadSlice('\n')
		if err != nil && !errors.Is(err, bufio.ErrBufferFull) {
			return n, err
		}
		if atStart && string(seg) == ".\r\n" {
			return n, nil
		}
		n += int64(len(seg))
		atStart = seg[len(seg)-1] == '\n'
	}
}
