package imapserver

import (
	"context"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"gocyrus/pkg/imapserver/search"
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

// TestTextIndexSharedHeap: sessions searching one indexed mailbox share
// one mapping of its index and hold none of it on the heap: 20 sessions
// each searching a mailbox whose index is about 4 MB grow the heap by
// less than heapBound (fixed, whatever the number of sessions or the
// size of the index; reading the file into each session cost 20 × 4
// MB). The last session to leave unmaps it.
func TestTextIndexSharedHeap(t *testing.T) {
	const (
		sessions  = 20
		filler    = 300_000 // grams in no needle, to make the index large
		heapBound = 1 << 20
	)
	site := newTestSite(t)
	msgs := []string{testMessage("one"), testMessage("two"), testMessage("three")}
	uids := site.deliver("user.alice", msgs...)
	mb, _, err := site.st.Open(context.Background(), "user.alice", quota.Ignore)
	if err != nil {
		t.Fatal(err)
	}
	v, err := mb.Snapshot()
	mb.Close()
	if err != nil {
		t.Fatal(err)
	}
	// The index squatter would write, padded with filler grams; uid 1 is
	// recorded without its text, so a search that leaves it out proves
	// the index was used.
	b := squat.NewBuilder(v.UIDValidity)
	for i, uid := range uids {
		var grams []uint32
		if i > 0 {
			if grams, err = search.IndexGrams(strings.NewReader(msgs[i]), int64(len(msgs[i])), 0); err != nil {
				t.Fatal(err)
			}
		}
		for g := range uint32(filler) {
			grams = append(grams, g)
		}
		slices.Sort(grams)
		if err := b.Add(uid, slices.Compact(grams)); err != nil {
			t.Fatal(err)
		}
	}
	if err := b.Write(mb.Dir(), v.UIDNext); err != nil {
		t.Fatal(err)
	}
	b = nil
	fi, err := os.Stat(filepath.Join(mb.Dir(), squat.FileName))
	if err != nil {
		t.Fatal(err)
	}

	convs := make([]*conv, sessions)
	for i := range convs {
		convs[i] = site.login("alice")
		convs[i].ok("SELECT INBOX")
	}
	before := heapInuse()
	first := time.Now()
	has(t, convs[0].ok("UID SEARCH BODY hello"), "* SEARCH 2 3")
	firstCost := time.Since(first)
	for _, c := range convs[1:] {
		has(t, c.ok("UID SEARCH BODY hello"), "* SEARCH 2 3")
	}
	after := heapInuse()
	growth := int64(after) - int64(before)
	t.Logf("index %d bytes; first search %v; heap growth for %d sessions %d bytes (%d per session)",
		fi.Size(), firstCost, sessions, growth, growth/sessions)
	if growth > heapBound {
		t.Errorf("heap grew by %d bytes for %d sessions searching a %d-byte index, want under %d",
			growth, sessions, fi.Size(), heapBound)
	}
	if n := site.srv.squat.Mappings(); n != 1 {
		t.Errorf("%d mappings of one index, want 1", n)
	}
	for _, c := range convs {
		c.ok("LOGOUT")
	}
	deadline := time.Now().Add(10 * time.Second)
	for site.srv.squat.Mappings() != 0 {
		if time.Now().After(deadline) {
			t.Fatalf("index still mapped after every session left: %d", site.srv.squat.Mappings())
		}
		runtime.Gosched()
	}
}

// heapInuse is the live heap after a collection.
func heapInuse() uint64 {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapInuse
}
