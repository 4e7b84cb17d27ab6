package imapserver

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestFetchMissingFile: FETCH of messages whose file is missing or was
// replaced by a directory answers Cyrus's "* OK Message n no longer
// exists" for each (never an empty "FETCH ()", never a dropped
// connection), sends the other messages of the range, and ends with the
// tagged OK. Items served from the cache alone still work.
func TestFetchMissingFile(t *testing.T) {
	s := newTestSite(t)
	uids := s.deliver("user.alice", testMessage("one"), testMessage("two"), testMessage("three"), testMessage("four"))
	e, err := s.st.Lookup(context.Background(), "user.alice")
	if err != nil {
		t.Fatal(err)
	}
	dir, err := s.st.Dir(e)
	if err != nil {
		t.Fatal(err)
	}
	file := func(uid uint32) string { return filepath.Join(dir, strconv.FormatUint(uint64(uid), 10)+".") }
	if err := os.Remove(file(uids[1])); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(file(uids[2])); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(file(uids[2]), 0o755); err != nil {
		t.Fatal(err)
	}
	a := s.login("alice")
	a.ok("SELECT INBOX")
	for _, items := range []string{"BODY.PEEK[]", "(UID BODY.PEEK[TEXT])", "(FLAGS RFC822)", "BINARY.PEEK[1]", "BINARY.SIZE[1]", "RFC822.HEADER", "(UID BODY[])"} {
		u, st := a.run("FETCH 1:4 " + items)
		if !strings.HasPrefix(st, "OK") {
			t.Fatalf("FETCH %s: %s (%q)", items, st, u)
		}
		for _, l := range u {
			if strings.Contains(l, "FETCH ()") {
				t.Fatalf("FETCH %s: empty FETCH response in %q", items, u)
			}
		}
		has(t, u, "* OK Message 2 no longer exists")
		has(t, u, "* OK Message 3 no longer exists")
		hasPrefix(t, u, "* 1 FETCH (")
		hasPrefix(t, u, "* 4 FETCH (")
	}
	// The cache still answers what it holds.
	hasPrefix(t, a.ok("FETCH 2 (BODYSTRUCTURE ENVELOPE)"), "* 2 FETCH (BODYSTRUCTURE (")
	a.ok("NOOP")
}
