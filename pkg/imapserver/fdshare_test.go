package imapserver

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// spoolFDs counts this process's descriptors open on named files under
// root (unnamed files of the append pool are bounded apart, pkg/mailbox).
func spoolFDs(t *testing.T, root string) int {
	t.Helper()
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range ents {
		target, err := os.Readlink(filepath.Join("/proc/self/fd", e.Name()))
		if err == nil && strings.HasPrefix(target, root+"/") && !strings.HasSuffix(target, " (deleted)") {
			n++
		}
	}
	return n
}

// Sessions of one process selecting one mailbox share its descriptors: N
// selected sessions hold O(1) descriptors on the spool (one reader's
// cyrus.lock, cyrus.index and cyrus.cache and one writer's), so an idle
// session costs its socket alone. Each still sees the others' changes.
func TestSelectedSessionsShareMailboxDescriptors(t *testing.T) {
	s := newTestSite(t)
	s.deliver("user.alice", testMessage("one"), testMessage("two"))
	root, err := filepath.EvalSymlinks(s.st.Config().Partitions()["default"])
	if err != nil {
		t.Fatal(err)
	}
	const n = 40
	var cs []*conv
	for range n {
		c := s.login("alice")
		has(t, c.ok("SELECT INBOX"), "* 2 EXISTS")
		cs = append(cs, c)
	}
	cs[0].ok("STORE 1 +FLAGS (\\Flagged)")
	for _, c := range cs[1:] {
		has(t, c.ok("NOOP"), "* 1 FETCH (UID 1 FLAGS (\\Flagged))")
	}
	if got := spoolFDs(t, root); got > 6 {
		t.Fatalf("%d sessions selecting one mailbox hold %d descriptors on the spool, want at most 6", n, got)
	}
}
