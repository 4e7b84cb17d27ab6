package pop3server

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestRetrMissingFile: RETR and TOP of a message whose file is missing or
// was replaced by a directory answer -ERR for that message and keep the
// session; the other messages are still retrieved.
func TestRetrMissingFile(t *testing.T) {
	s := newTestSite(t, false)
	uids := s.appendMessages("Subject: one\r\n\r\nbody one\r\n", "Subject: two\r\n\r\nbody two\r\n", "Subject: three\r\n\r\nbody three\r\n")
	e, err := s.st.Lookup(context.Background(), s.inbox)
	if err != nil {
		t.Fatal(err)
	}
	dir, err := s.st.Dir(e)
	if err != nil {
		t.Fatal(err)
	}
	file := func(uid uint32) string { return filepath.Join(dir, strconv.FormatUint(uint64(uid), 10)+".") }
	if err := os.Remove(file(uids[0])); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(file(uids[1])); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(file(uids[1]), 0o755); err != nil {
		t.Fatal(err)
	}
	c, _ := s.dial()
	c.login()
	for _, cmd := range []string{"RETR 1", "TOP 1 0"} {
		if got := c.cmd(cmd); !strings.HasPrefix(got, "-ERR") {
			t.Fatalf("%s of a missing file: %q", cmd, got)
		}
	}
	for _, cmd := range []string{"RETR 2", "TOP 2 0"} {
		if got := c.cmd(cmd); got != "-ERR [SYS/PERM] Could not read message file" {
			t.Fatalf("%s of a directory: %q", cmd, got)
		}
	}
	if got := c.cmd("RETR 3"); !strings.HasPrefix(got, "+OK") {
		t.Fatalf("RETR 3: %q", got)
	}
	if body := c.multi(); !strings.Contains(body, "body three") {
		t.Fatalf("RETR 3 body: %q", body)
	}
	if got := c.cmd("NOOP"); got != "+OK" {
		t.Fatalf("NOOP after: %q", got)
	}
}
