package mailbox

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
)

func TestCreateOpenAppendRead(t *testing.T) {
	var notified []string
	m := newMailbox(t, Options{Notify: func(n string) { notified = append(notified, n) }})
	uids := appendN(t, m, 3)
	if !reflect.DeepEqual(uids, []uint32{1, 2, 3}) {
		t.Fatalf("uids = %v", uids)
	}
	v := mustSnapshot(t, m)
	if v.Exists() != 3 || v.UIDNext != 4 || v.UIDValidity != 42 || v.HighestModSeq != 4 {
		t.Fatalf("view = exists %d uidnext %d uidvalidity %d modseq %d", v.Exists(), v.UIDNext, v.UIDValidity, v.HighestModSeq)
	}
	r := v.Records[1]
	want := testMessage(1, "msg 1")
	if int(r.Size) != len(want) || r.InternalDate().Unix() != 1704161045 {
		t.Fatalf("record = %+v", r)
	}
	if _, off := r.InternalDate().Zone(); off != 3600 {
		t.Errorf("internaldate zone offset %d", off)
	}
	c, err := v.Cached(r)
	if err != nil {
		t.Fatal(err)
	}
	if c.Envelope.Subject != "msg 1" || c.Envelope.From[0] != (Address{Name: "Fred Foo", Mailbox: "fred", Host: "example.com"}) ||
		c.Envelope.Sender[0].Host != "example.com" || c.Envelope.MessageID != "<m1@example.com>" {
		t.Errorf("envelope = %+v", c.Envelope)
	}
	if c.Body.Type != "text" || c.Body.Size != 8 || c.Body.Lines != 1 {
		t.Errorf("body = %+v", c.Body)
	}
	if !strings.Contains(string(c.Headers), "Subject: msg 1\r\n") {
		t.Errorf("headers = %q", c.Headers)
	}
	f, err := m.OpenMessage(2)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(f)
	f.Close()
	if string(got) != want {
		t.Errorf("message = %q", got)
	}
	if len(notified) != 1 || notified[0] != "user.fred" {
		t.Errorf("notified = %v", notified)
	}
}

func TestCreateTwiceAndOpenMissing(t *testing.T) {
	dir := t.TempDir()
	if err := Create(dir, Header{Name: "a", UniqueID: "u", UIDValidity: 1}); err != nil {
		t.Fatal(err)
	}
	if err := Create(dir, Header{Name: "a", UniqueID: "u", UIDValidity: 1}); !errors.Is(err, ErrExists) {
		t.Errorf("second create: %v", err)
	}
	if _, err := Open(filepath.Join(dir, "nope"), Options{}); !errors.Is(err, ErrNotFound) {
		t.Errorf("open missing: %v", err)
	}
	if err := Create(t.TempDir(), Header{Name: "bad\nname", UniqueID: "u", UIDValidity: 1}); err == nil {
		t.Error("create accepted a newline in the name")
	}
}

// The clock is no UIDVALIDITY allocator (two creations in one second would
// share it): Create refuses to choose one and leaves nothing behind.
func TestCreateWithoutUIDValidityRefused(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "m")
	if err := Create(dir, Header{Name: "a", UniqueID: "u"}); !errors.Is(err, ErrNoUIDValidity) {
		t.Fatalf("create without uidvalidity: %v", err)
	}
	if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("refused create left %s behind: %v", dir, err)
	}
}

func TestBareLFNormalised(t *testing.T) {
	m := newMailbox(t, Options{})
	uids, err := m.Append(context.Background(), []AppendMessage{{Body: strings.NewReader("Subject: x\n\nline\n")}})
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := os.ReadFile(m.MessagePath(uids[0]))
	if string(raw) != "Subject: x\r\n\r\nline\r\n" {
		t.Errorf("stored %q", raw)
	}
	r, _ := mustSnapshot(t, m).Lookup(uids[0])
	if r.HeaderSize != 14 || r.Size != 20 {
		t.Errorf("sizes %d/%d", r.HeaderSize, r.Size)
	}
}

func TestStoreFlags(t *testing.T) {
	m := newMailbox(t, Options{})
	appendN(t, m, 3)
	ctx := context.Background()
	tests := []struct {
		name     string
		req      StoreRequest
		updated  int
		modified []uint32
		wantUID2 []string
	}{
		{"add seen+kw", StoreRequest{UIDs: []uint32{1, 2}, Op: StoreAdd, Flags: FlagSeen, Keywords: []string{"$Junk"}}, 2, nil, []string{`\Seen`, "$Junk"}},
		{"add again no-op", StoreRequest{UIDs: []uint32{2}, Op: StoreAdd, Flags: FlagSeen}, 0, nil, []string{`\Seen`, "$Junk"}},
		{"remove kw", StoreRequest{UIDs: []uint32{2}, Op: StoreRemove, Keywords: []string{"$junk"}}, 1, nil, []string{`\Seen`}},
		{"replace", StoreRequest{UIDs: []uint32{2, 3, 99}, Op: StoreReplace, Flags: FlagFlagged | FlagDeleted}, 2, nil, []string{`\Flagged`, `\Deleted`}},
		{"unchangedsince refuses", StoreRequest{UIDs: []uint32{2}, Op: StoreAdd, Flags: FlagDraft, UnchangedSince: 1}, 0, []uint32{2}, []string{`\Flagged`, `\Deleted`}},
		{"unsorted with repeats", StoreRequest{UIDs: []uint32{3, 1, 3, 2, 1}, Op: StoreAdd, Flags: FlagAnswered, ListChanged: true}, 3, nil, []string{`\Answered`, `\Flagged`, `\Deleted`}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			before := mustSnapshot(t, m).HighestModSeq
			res, err := m.Store(ctx, tc.req)
			if err != nil {
				t.Fatal(err)
			}
			if res.Changed != tc.updated || !reflect.DeepEqual(res.Modified, tc.modified) {
				t.Fatalf("result %+v", res)
			}
			if tc.req.ListChanged && !reflect.DeepEqual(res.ChangedUIDs, []uint32{1, 2, 3}[:tc.updated]) {
				t.Errorf("changed UIDs %v", res.ChangedUIDs)
			} else if !tc.req.ListChanged && res.ChangedUIDs != nil {
				t.Errorf("changed UIDs %v listed unasked", res.ChangedUIDs)
			}
			v := mustSnapshot(t, m)
			if v.HighestModSeq != before+uint64(tc.updated) {
				t.Errorf("modseq %d -> %d", before, v.HighestModSeq)
			}
			r, _ := v.Lookup(2)
			if got := v.FlagNames(r); !reflect.DeepEqual(got, tc.wantUID2) {
				t.Errorf("flags = %v, want %v", got, tc.wantUID2)
			}
		})
	}
	// Keyword names persist across a reopen.
	m2, err := Open(m.Dir(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer m2.Close()
	v := mustSnapshot(t, m2)
	r, _ := v.Lookup(1)
	if got := v.FlagNames(r); !reflect.DeepEqual(got, []string{`\Answered`, `\Seen`, "$Junk"}) {
		t.Errorf("after reopen %v", got)
	}
}

func TestExpungeAndChanges(t *testing.T) {
	m := newMailbox(t, Options{})
	appendN(t, m, 4)
	ctx := context.Background()
	base := mustSnapshot(t, m).HighestModSeq
	if _, err := m.Store(ctx, StoreRequest{UIDs: []uint32{2, 3}, Op: StoreAdd, Flags: FlagDeleted}); err != nil {
		t.Fatal(err)
	}
	gone, err := m.ExpungeDeleted(ctx, []uint32{3, 4})
	if err != nil || !reflect.DeepEqual(gone, []uint32{3}) {
		t.Fatalf("expunge deleted = %v, %v", gone, err)
	}
	gone, err = m.Expunge(ctx, []uint32{1, 3, 77})
	if err != nil || !reflect.DeepEqual(gone, []uint32{1}) {
		t.Fatalf("expunge = %v, %v", gone, err)
	}
	if _, err := os.Stat(m.MessagePath(1)); !os.IsNotExist(err) {
		t.Error("file of expunged uid 1 still there")
	}
	appendN(t, m, 1)
	v := mustSnapshot(t, m)
	if v.Exists() != 3 || v.QuotaUsed != uint64(v.Records[0].Size+v.Records[1].Size+v.Records[2].Size) {
		t.Fatalf("exists %d used %d", v.Exists(), v.QuotaUsed)
	}
	c := v.ChangesSince(base)
	var updated []uint32
	for _, r := range c.Updated {
		updated = append(updated, r.UID)
	}
	if !reflect.DeepEqual(updated, []uint32{2, 5}) || !reflect.DeepEqual(c.Expunged, []uint32{1, 3}) {
		t.Errorf("changes: updated %v expunged %v", updated, c.Expunged)
	}
	if seq, ok := v.SeqOf(5); !ok || seq != 3 {
		t.Errorf("seq of 5 = %d", seq)
	}
	if c := v.ChangesSince(v.HighestModSeq); len(c.Updated)+len(c.Expunged) != 0 {
		t.Errorf("changes since now: %+v", c)
	}
}

func TestMultiAppendAtomic(t *testing.T) {
	m := newMailbox(t, Options{})
	appendN(t, m, 1)
	many := make([]string, MaxKeywords+1)
	for i := range many {
		many[i] = "kw" + string(rune('a'+i%26)) + string(rune('a'+i/26))
	}
	_, err := m.Append(context.Background(), []AppendMessage{
		{Body: strings.NewReader(testMessage(1, "a"))},
		{Body: strings.NewReader(testMessage(2, "b")), Keywords: many},
	})
	if !errors.Is(err, ErrTooManyKeywords) {
		t.Fatalf("err = %v", err)
	}
	v := mustSnapshot(t, m)
	if v.Exists() != 1 || v.UIDNext != 2 {
		t.Errorf("partial append visible: exists %d uidnext %d", v.Exists(), v.UIDNext)
	}
	entries, _ := os.ReadDir(m.Dir())
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), "2.") || strings.HasPrefix(e.Name(), tempPrefix) {
			t.Errorf("leftover file %s", e.Name())
		}
	}
}

// fakeQuota charges as the store's hook does: absolutely, from what the
// index holds.
type fakeQuota struct {
	mu      sync.Mutex
	limit   int64
	charged QuotaHeld
	charges int
}

func (q *fakeQuota) Check(_ context.Context, bytes, _ int64) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	if bytes > 0 && q.charged.Bytes+bytes > q.limit {
		return ErrOverQuota
	}
	return nil
}

func (q *fakeQuota) Charge(_ context.Context, held QuotaHeld, bytes, msgs int64) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	if bytes > 0 && held.Bytes+bytes > q.limit {
		return ErrOverQuota
	}
	q.charged = QuotaHeld{Bytes: held.Bytes + bytes, Msgs: held.Msgs + msgs}
	q.charges++
	return nil
}

func (q *fakeQuota) Sync(_ context.Context, held QuotaHeld) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.charged = held
	return nil
}

func TestQuotaHook(t *testing.T) {
	q := &fakeQuota{limit: 300}
	m := newMailbox(t, Options{Quota: q})
	appendN(t, m, 1)
	if q.charged.Bytes == 0 || q.charged.Msgs != 1 || q.charges != 1 {
		t.Fatalf("quota %+v", q)
	}
	_, err := m.Append(context.Background(), []AppendMessage{{Body: strings.NewReader(testMessage(1, "x"))},
		{Body: strings.NewReader(testMessage(2, "y"))}})
	if !errors.Is(err, ErrOverQuota) {
		t.Fatalf("err = %v", err)
	}
	if _, err := m.Expunge(context.Background(), []uint32{1}); err != nil {
		t.Fatal(err)
	}
	if q.charged != (QuotaHeld{}) {
		t.Errorf("after expunge charged %+v", q.charged)
	}
}

func TestCopyFromAndPrepared(t *testing.T) {
	src := newMailbox(t, Options{})
	appendN(t, src, 3)
	if _, err := src.Store(context.Background(), StoreRequest{UIDs: []uint32{2}, Op: StoreAdd, Keywords: []string{"work"}}); err != nil {
		t.Fatal(err)
	}
	dstDir := filepath.Join(t.TempDir(), "dst")
	if err := Create(dstDir, Header{Name: "user.fred.Archive", UniqueID: "dst", UIDValidity: 1}); err != nil {
		t.Fatal(err)
	}
	dst, err := Open(dstDir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer dst.Close()
	appendN(t, dst, 1)
	from, to, err := dst.CopyFrom(context.Background(), src, []uint32{3, 2, 9})
	if err != nil || !reflect.DeepEqual(from, []uint32{3, 2}) || !reflect.DeepEqual(to, []uint32{2, 3}) {
		t.Fatalf("copy = %v %v %v", from, to, err)
	}
	v := mustSnapshot(t, dst)
	r, _ := v.Lookup(3)
	if got := v.Keywords(r); !reflect.DeepEqual(got, []string{"work"}) {
		t.Errorf("copied keywords %v", got)
	}
	a, _ := os.Stat(src.MessagePath(2))
	b, _ := os.Stat(dst.MessagePath(3))
	if !os.SameFile(a, b) {
		t.Error("copy did not hard-link")
	}

	stage := t.TempDir()
	p, err := Spool(context.Background(), stage, strings.NewReader(testMessage(7, "lmtp")), SpoolLimits{})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Remove()
	for _, mb := range []*Mailbox{src, dst} {
		uids, err := mb.AppendPrepared(context.Background(), []PreparedAppend{{Msg: p, Flags: FlagFlagged}})
		if err != nil {
			t.Fatal(err)
		}
		c, err := mustSnapshot(t, mb).Cached(mustLookup(t, mb, uids[0]))
		if err != nil || c.Envelope.Subject != "lmtp" {
			t.Errorf("prepared cache %+v %v", c, err)
		}
	}
}

func mustLookup(t *testing.T, m *Mailbox, uid uint32) Record {
	r, ok := mustSnapshot(t, m).Lookup(uid)
	if !ok {
		t.Fatalf("uid %d missing", uid)
	}
	return r
}

func TestDeleteRenameUsage(t *testing.T) {
	m := newMailbox(t, Options{})
	appendN(t, m, 2)
	bytes, n, err := Usage(m.Dir())
	v := mustSnapshot(t, m)
	if err != nil || n != 2 || bytes != int64(v.QuotaUsed) {
		t.Fatalf("usage %d %d %v", bytes, n, err)
	}
	if err := Rename(m.Dir(), m.Dir(), "user.fred.new"); err != nil {
		t.Fatal(err)
	}
	if h, _ := ReadHeader(m.Dir()); h.Name != "user.fred.new" {
		t.Errorf("renamed header %+v", h)
	}
	m.Close()
	newDir := filepath.Join(t.TempDir(), "user", "x")
	if err := Rename(m.Dir(), newDir, "user.x"); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(m.Dir()); !os.IsNotExist(err) {
		t.Error("old directory left behind")
	}
	m2, err := Open(newDir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if mustSnapshot(t, m2).Exists() != 2 || m2.Name() != "user.x" {
		t.Error("moved mailbox lost messages or name")
	}
	m2.Close()
	if err := Delete(newDir); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(newDir); !os.IsNotExist(err) {
		t.Error("deleted directory still there")
	}
	if err := Delete(newDir); err == nil {
		t.Error("delete of missing mailbox succeeded")
	}
}

func TestConcurrentAppendsGroupCommit(t *testing.T) {
	m := newMailbox(t, Options{})
	var wg sync.WaitGroup
	var mu sync.Mutex
	seen := map[uint32]bool{}
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 20; i++ {
				uids, err := m.Append(context.Background(), []AppendMessage{{Body: strings.NewReader(testMessage(i, "c"))}})
				if err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				seen[uids[0]] = true
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if v := mustSnapshot(t, m); len(seen) != 160 || v.Exists() != 160 {
		t.Errorf("unique uids %d exists %d", len(seen), v.Exists())
	}
}

func TestUIDNextFromTheHeader(t *testing.T) {
	m := newMailbox(t, Options{})
	appendN(t, m, 3)
	if n, err := m.UIDNext(); err != nil || n != 4 || n != mustSnapshot(t, m).UIDNext {
		t.Fatalf("UIDNext = %d, %v", n, err)
	}
	m.Close()
	if _, err := m.UIDNext(); !errors.Is(err, ErrClosed) {
		t.Errorf("UIDNext on a closed mailbox: %v", err)
	}
}
