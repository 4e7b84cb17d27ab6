package store

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"gocyrus/pkg/acl"
	"gocyrus/pkg/mailbox"
	"gocyrus/pkg/quota"
)

// An imported mailbox is listed with its uniqueid, UIDVALIDITY and ACL,
// keeps its UIDs and modseqs, is charged to its quota root, and a rerun
// changes nothing; the UIDVALIDITY counter never hands the imported value
// out again.
func TestImportMailbox(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	src := filepath.Join(t.TempDir(), "9.")
	if err := os.WriteFile(src, []byte("Subject: x\r\n\r\nhello\r\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	a, err := acl.Parse("alice\tlrswipkxtecdan\tbob\tlr\t")
	if err != nil {
		t.Fatal(err)
	}
	e := &Entry{Name: "user.alice", Partition: "default", UniqueID: "abu0ipb6hebltxg3j1j711kp", UIDValidity: 4000000000, ACL: a}
	if err := s.SetQuota(ctx, "user.alice", quota.Limits{quota.Storage: 100}); err != nil {
		t.Fatal(err)
	}
	idx := mailbox.ImportIndex{UIDNext: 12, HighestModSeq: 50, Records: []mailbox.ImportRecord{
		{UID: 9, Flags: mailbox.FlagSeen, Keywords: []string{"$Label1"}, ModSeq: 44, InternalDate: time.Unix(1577880000, 0), Source: src}}}
	for run := range 2 {
		if err := s.ImportMailbox(ctx, e, nil, idx); err != nil {
			t.Fatalf("run %d: %v", run, err)
		}
	}
	mb, got, err := s.Open(ctx, "user.alice", quota.Ignore)
	if err != nil {
		t.Fatal(err)
	}
	defer mb.Close()
	v, err := mb.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	if got.UniqueID != e.UniqueID || got.UIDValidity != 4000000000 || got.ACL.String() != a.String() {
		t.Errorf("entry %+v", got)
	}
	if v.UIDValidity != 4000000000 || v.UIDNext != 12 || v.HighestModSeq != 50 || len(v.Records) != 1 || v.Records[0].UID != 9 || v.Records[0].ModSeq != 44 {
		t.Errorf("view uidvalidity %d uidnext %d hms %d records %+v", v.UIDValidity, v.UIDNext, v.HighestModSeq, v.Records)
	}
	q, err := s.GetQuota(ctx, "user.alice")
	if err != nil {
		t.Fatal(err)
	}
	if q.Usage[quota.Storage] != 21 || q.Usage[quota.Message] != 1 {
		t.Errorf("quota usage %v after two runs: want 21 bytes, 1 message, charged once", q.Usage)
	}
	next, err := s.list.NextUIDValidity(ctx)
	if err != nil || next <= 4000000000 {
		t.Errorf("next UIDVALIDITY %d (%v): must pass the imported one", next, err)
	}
}
