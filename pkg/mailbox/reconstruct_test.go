package mailbox

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func reconstruct(t *testing.T, dir string, opts ReconstructOptions) *ReconstructReport {
	t.Helper()
	rep, err := Reconstruct(dir, opts)
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

func reopen(t *testing.T, dir string) *View {
	t.Helper()
	m, err := Open(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	return mustSnapshot(t, m)
}

func TestReconstructCleanMailboxUnchanged(t *testing.T) {
	m := newMailbox(t, Options{})
	appendN(t, m, 3)
	if rep := reconstruct(t, m.Dir(), ReconstructOptions{}); rep.Changed() {
		t.Errorf("clean mailbox reported changes: %v", rep.Changes)
	}
}

func TestReconstructDeletedIndex(t *testing.T) {
	m := newMailbox(t, Options{})
	appendN(t, m, 5)
	m.Expunge(context.Background(), []uint32{2})
	m.Close()
	os.Remove(filepath.Join(m.Dir(), indexFile))
	rep := reconstruct(t, m.Dir(), ReconstructOptions{NewUIDValidity: fixedUIDValidity(t, 43)})
	if !reflect.DeepEqual(rep.Adopted, []uint32{1, 3, 4, 5}) || rep.UIDNext != 6 || rep.UIDValidity != 43 {
		t.Fatalf("report %+v", rep)
	}
	v := reopen(t, m.Dir())
	for _, uid := range []uint32{1, 3, 4, 5} {
		r, ok := v.Lookup(uid)
		if !ok {
			t.Fatalf("uid %d lost", uid)
		}
		if c, err := v.Cached(r); err != nil || c.Envelope.Subject == "" {
			t.Errorf("uid %d cache %v %v", uid, c, err)
		}
	}
}

// fixedUIDValidity is an allocator handing out v once.
func fixedUIDValidity(t *testing.T, v uint32) func() (uint32, error) {
	used := false
	return func() (uint32, error) {
		if used {
			t.Errorf("uidvalidity allocated twice")
		}
		used = true
		return v, nil
	}
}

// With the index goes uidnext: the highest UIDs may have been expunged with
// their files, so the rebuilt uidnext can be lower than one already given.
// The mailbox must then start a new UIDVALIDITY, or a new message would
// take a UID a client already knows for another (RFC 3501 §2.3.1.1).
func TestReconstructLostIndexNewUIDValidity(t *testing.T) {
	m := newMailbox(t, Options{})
	appendN(t, m, 3)
	if _, err := m.Expunge(context.Background(), []uint32{3}); err != nil {
		t.Fatal(err)
	}
	m.Close()
	for _, damage := range []func(path string) error{
		os.Remove,
		func(path string) error { return os.WriteFile(path, []byte("garbage"), 0o600) },
	} {
		if err := damage(filepath.Join(m.Dir(), indexFile)); err != nil {
			t.Fatal(err)
		}
		if _, err := Reconstruct(m.Dir(), ReconstructOptions{}); !errors.Is(err, ErrNoUIDValidity) {
			t.Fatalf("reconstruct without an allocator: %v", err)
		}
		dry := reconstruct(t, m.Dir(), ReconstructOptions{DryRun: true, NewUIDValidity: func() (uint32, error) {
			t.Error("a dry run allocated a uidvalidity")
			return 99, nil
		}})
		if !dry.Changed() {
			t.Error("dry run found nothing")
		}
		before, err := ReadHeader(m.Dir())
		if err != nil {
			t.Fatal(err)
		}
		want := before.UIDValidity + 1
		rep := reconstruct(t, m.Dir(), ReconstructOptions{NewUIDValidity: fixedUIDValidity(t, want)})
		if rep.UIDValidity != want {
			t.Fatalf("uidvalidity %d, want the allocated %d (report %v)", rep.UIDValidity, want, rep.Changes)
		}
		if h, err := ReadHeader(m.Dir()); err != nil || h.UIDValidity != want {
			t.Errorf("cyrus.header %+v %v", h, err)
		}
		v := reopen(t, m.Dir())
		if v.UIDValidity != want || v.UIDNext != 3 {
			t.Errorf("index uidvalidity %d uidnext %d", v.UIDValidity, v.UIDNext)
		}
	}
}

func TestReconstructTruncatedIndexKeepsFlags(t *testing.T) {
	m := newMailbox(t, Options{})
	appendN(t, m, 6)
	ctx := context.Background()
	if _, err := m.Store(ctx, StoreRequest{UIDs: []uint32{1, 3, 4, 6}, Op: StoreAdd, Flags: FlagSeen, Keywords: []string{"$Label1"}}); err != nil {
		t.Fatal(err)
	}
	m.Close()
	path := filepath.Join(m.Dir(), indexFile)
	// Cut record 5 (uid 6) in half.
	if err := os.Truncate(path, indexHeaderSize+5*indexRecordSize+40); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(m.Dir(), Options{}); !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), "user.fred") {
		t.Fatalf("open truncated: %v", err)
	}
	reconstruct(t, m.Dir(), ReconstructOptions{})
	v := reopen(t, m.Dir())
	if v.Exists() != 6 {
		t.Fatalf("exists %d", v.Exists())
	}
	for _, uid := range []uint32{1, 3, 4} {
		r, _ := v.Lookup(uid)
		if got := v.FlagNames(r); !reflect.DeepEqual(got, []string{`\Seen`, "$Label1"}) {
			t.Errorf("uid %d flags %v", uid, got)
		}
	}
	if r, _ := v.Lookup(6); r.Flags != 0 {
		t.Errorf("uid 6 (damaged record) flags %v", r.Flags)
	}
}

func TestReconstructStrayAndMissingFiles(t *testing.T) {
	m := newMailbox(t, Options{})
	appendN(t, m, 3)
	before := mustSnapshot(t, m).HighestModSeq
	if err := os.WriteFile(m.MessagePath(10), []byte(testMessage(10, "stray")), 0o600); err != nil {
		t.Fatal(err)
	}
	os.Remove(m.MessagePath(2))
	dry := reconstruct(t, m.Dir(), ReconstructOptions{DryRun: true})
	if !dry.Changed() || mustSnapshot(t, m).Exists() != 3 {
		t.Fatal("dry run changed the mailbox or found nothing")
	}
	rep := reconstruct(t, m.Dir(), ReconstructOptions{})
	if !reflect.DeepEqual(rep.Adopted, []uint32{10}) || !reflect.DeepEqual(rep.Dropped, []uint32{2}) || rep.UIDNext != 11 {
		t.Fatalf("report %+v", rep)
	}
	v := mustSnapshot(t, m) // the open Mailbox notices the replaced files
	if _, ok := v.Lookup(10); !ok || v.Exists() != 3 {
		t.Fatalf("stray not adopted: exists %d", v.Exists())
	}
	if c := v.ChangesSince(before); !reflect.DeepEqual(c.Expunged, []uint32{2}) {
		t.Errorf("dropped uid not reported as expunged: %v", c.Expunged)
	}
	uids := appendN(t, m, 1)
	if uids[0] != 11 {
		t.Errorf("next uid %d", uids[0])
	}
}

func TestReconstructMissingHeader(t *testing.T) {
	m := newMailbox(t, Options{})
	appendN(t, m, 2)
	m.Close()
	os.Remove(filepath.Join(m.Dir(), headerFile))
	if _, err := Reconstruct(m.Dir(), ReconstructOptions{}); err == nil {
		t.Fatal("reconstruct without a name succeeded")
	}
	rep := reconstruct(t, m.Dir(), ReconstructOptions{Name: "user.fred", UniqueID: "abcdefgh"})
	if !rep.HeaderRecreated {
		t.Error("header not recreated")
	}
	h, err := ReadHeader(m.Dir())
	if err != nil || h.Name != "user.fred" || h.UIDValidity != 42 {
		t.Errorf("header %+v %v", h, err)
	}
	if v := reopen(t, m.Dir()); v.Exists() != 2 {
		t.Errorf("exists %d", v.Exists())
	}
	if _, err := Reconstruct(filepath.Join(m.Dir(), "nope"), ReconstructOptions{}); !errors.Is(err, ErrNotFound) {
		t.Errorf("missing dir: %v", err)
	}
}

func TestReconstructRecomputeGUID(t *testing.T) {
	m := newMailbox(t, Options{})
	appendN(t, m, 2)
	// Same size, different bytes.
	raw, _ := os.ReadFile(m.MessagePath(1))
	raw[len(raw)-3] ^= 1
	os.WriteFile(m.MessagePath(1), raw, 0o600)
	if rep := reconstruct(t, m.Dir(), ReconstructOptions{}); rep.Changed() {
		t.Errorf("without -G: %v", rep.Changes)
	}
	rep := reconstruct(t, m.Dir(), ReconstructOptions{RecomputeGUID: true})
	if !reflect.DeepEqual(rep.GUIDFixed, []uint32{1}) {
		t.Errorf("guid fixed %v", rep.GUIDFixed)
	}
}
