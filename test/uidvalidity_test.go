package test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
)

// appendOne appends a small message to mailbox and returns its APPENDUID.
func appendOne(t *testing.T, c *imapclient.Client, mailbox, subject string) (uidValidity uint32, uid uint32) {
	t.Helper()
	msg := "From: a@example.org\r\nSubject: " + subject + "\r\n\r\nbody\r\n"
	app := c.Append(mailbox, int64(len(msg)), nil)
	if _, err := app.Write([]byte(msg)); err != nil {
		t.Fatal(err)
	}
	if err := app.Close(); err != nil {
		t.Fatal(err)
	}
	data, err := app.Wait()
	if err != nil {
		t.Fatalf("APPEND %s: %v", mailbox, err)
	}
	return data.UIDValidity, uint32(data.UID)
}

// TestCreateDeleteCreateNewUIDValidity is issue 15 item 8: CREATE uv1;
// APPEND; DELETE uv1; CREATE uv1; APPEND within one second answered
// [APPENDUID v 1] twice with the same v, two different messages under one
// (name, UIDVALIDITY, UID) — RFC 3501 §2.3.1.1 forbids it.
func TestCreateDeleteCreateNewUIDValidity(t *testing.T) {
	for _, mode := range []string{"delayed", "immediate"} {
		t.Run(mode, func(t *testing.T) {
			s := newSite(t, "allowplaintext: yes", "unixhierarchysep: 0", "delete_mode: "+mode)
			addr := startImapd(t, s)
			alice := dialIMAP(t, addr, "alice", nil)
			start := time.Now()
			seen := map[uint32]int{}
			for round := range 3 {
				if err := alice.Create("uv1", nil).Wait(); err != nil {
					t.Fatal(err)
				}
				v, uid := appendOne(t, alice, "uv1", "round")
				if prev, dup := seen[v]; dup {
					t.Fatalf("round %d: [APPENDUID %d %d], the UIDVALIDITY of round %d", round, v, uid, prev)
				}
				seen[v] = round
				sel, err := alice.Select("uv1", nil).Wait()
				if err != nil || sel.UIDValidity != v {
					t.Fatalf("SELECT uv1: %+v %v (APPENDUID said %d)", sel, err, v)
				}
				if err := alice.Unselect().Wait(); err != nil {
					t.Fatal(err)
				}
				if err := alice.Delete("uv1").Wait(); err != nil {
					t.Fatal(err)
				}
			}
			t.Logf("3 rounds in %v: %v", time.Since(start), seen)
		})
	}
}

// TestReconstructLostIndexNewUIDValidity: reconstruct of a mailbox whose
// cyrus.index is gone cannot know uidnext (the last messages may have been
// expunged with their files), so the mailbox starts a new UIDVALIDITY and
// the next APPEND cannot reuse a UID under the old one.
func TestReconstructLostIndexNewUIDValidity(t *testing.T) {
	s := newSite(t, "allowplaintext: yes", "unixhierarchysep: 0", "expunge_mode: immediate")
	addr := startImapd(t, s)
	alice := dialIMAP(t, addr, "alice", nil)
	if err := alice.Create("uvr", nil).Wait(); err != nil {
		t.Fatal(err)
	}
	before, _ := appendOne(t, alice, "uvr", "one")
	_, uid2 := appendOne(t, alice, "uvr", "two")
	if _, err := alice.Select("uvr", nil).Wait(); err != nil {
		t.Fatal(err)
	}
	deleted := &imap.StoreFlags{Op: imap.StoreFlagsAdd, Silent: true, Flags: []imap.Flag{imap.FlagDeleted}}
	if err := alice.Store(imap.UIDSetNum(imap.UID(uid2)), deleted, nil).Close(); err != nil {
		t.Fatal(err)
	}
	if err := alice.Expunge().Close(); err != nil {
		t.Fatal(err)
	}
	if err := alice.Unselect().Wait(); err != nil {
		t.Fatal(err)
	}
	dir := strings.TrimSpace(s.must("", "mbpath", "user.alice.uvr"))
	if err := os.Remove(filepath.Join(dir, "cyrus.index")); err != nil {
		t.Fatal(err)
	}
	out := s.must("", "reconstruct", "user.alice.uvr")
	t.Logf("reconstruct:\n%s", out)
	after, uid := appendOne(t, alice, "uvr", "three")
	if after == before {
		t.Fatalf("after losing the index: [APPENDUID %d %d], the old UIDVALIDITY (uid %d was expunged)", after, uid, uid2)
	}
}
