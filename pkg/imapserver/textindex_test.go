package imapserver

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"gocyrus/pkg/quota"
	"gocyrus/pkg/squat"
)

// TestSearchUsesTextIndex: imapd consults squatter's index: an index
// claiming a message lacks a word rules it out (proving it is read — a
// real index never lies); messages it does not cover (appended after) are
// searched directly; a damaged index, or one of another UIDVALIDITY, is
// ignored and the search answers from the files.
func TestSearchUsesTextIndex(t *testing.T) {
	site := newTestSite(t)
	uids := site.deliver("user.alice", testMessage("one"), testMessage("two"), testMessage("three"))
	mb, _, err := site.st.Open(context.Background(), "user.alice", quota.Ignore)
	if err != nil {
		t.Fatal(err)
	}
	v, err := mb.Snapshot()
	mb.Close()
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(mb.Dir(), squat.FileName)
	write := func(uidValidity uint32) []byte {
		b := squat.NewBuilder(uidValidity)
		if err := b.Add(uids[0], nil); err != nil { // covered, no text at all
			t.Fatal(err)
		}
		if err := b.Write(mb.Dir(), v.UIDNext); err != nil {
			t.Fatal(err)
		}
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		return data
	}
	a := site.login("alice")
	a.ok("SELECT INBOX")
	search := func(cmd, want string) {
		t.Helper()
		has(t, a.ok(cmd), want)
	}
	all := "* SEARCH 1 2 3"
	search("UID SEARCH BODY hello", all) // no index yet

	data := write(v.UIDValidity)
	search("UID SEARCH BODY hello", "* SEARCH 2 3") // uid 1 ruled out by the index
	search("UID SEARCH TEXT hello", "* SEARCH 2 3")
	search("UID SEARCH BODY he", all) // too short for the index
	search("UID SEARCH NOT BODY hello", "* SEARCH 1")

	site.deliver("user.alice", testMessage("four")) // stale: uid 4 not covered
	a.ok("NOOP")
	search("UID SEARCH BODY hello", "* SEARCH 2 3 4")

	data[len(data)/2] ^= 0x10 // damaged: ignored
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	search("UID SEARCH BODY hello", "* SEARCH 1 2 3 4")
	search("UID SEARCH BODY hello", "* SEARCH 1 2 3 4") // (and remembered as such)

	write(v.UIDValidity + 1) // another UIDVALIDITY: ignored
	search("UID SEARCH BODY hello", "* SEARCH 1 2 3 4")

	write(v.UIDValidity) // replaced again: read again
	search("UID SEARCH BODY hello", "* SEARCH 2 3 4")
}
