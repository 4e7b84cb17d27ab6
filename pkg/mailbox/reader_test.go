package mailbox

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"golang.org/x/sys/unix"
)

// mailboxFDs counts this process's descriptors open on named files of dir,
// and those on unnamed files (the append pool, unnamed.go: bounded apart).
func mailboxFDs(t *testing.T, dir string) (named, unnamed int) {
	t.Helper()
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range ents {
		target, err := os.Readlink(filepath.Join("/proc/self/fd", e.Name()))
		switch {
		case err != nil || !strings.HasPrefix(target, dir+"/"):
		case strings.HasSuffix(target, " (deleted)"):
			unnamed++
		default:
			named++
		}
	}
	return named, unnamed
}

// N Mailbox values of one directory in one process (N selected sessions)
// hold one reader's descriptors and one writer's between them, not N sets:
// an idle session costs its socket alone.
func TestOpensShareDescriptors(t *testing.T) {
	first := newMailbox(t, Options{})
	dir := first.Dir()
	appendN(t, first, 3)
	const n = 64
	var ms []*Mailbox
	for range n {
		m, err := Open(dir, Options{})
		if err != nil {
			t.Fatal(err)
		}
		ms = append(ms, m)
		if v := mustSnapshot(t, m); v.Exists() != 3 {
			t.Fatalf("exists %d, want 3", v.Exists())
		}
	}
	appendN(t, ms[n-1], 1) // a writer's descriptors too
	for _, m := range ms {
		if v := mustSnapshot(t, m); v.Exists() != 4 {
			t.Fatalf("exists %d, want 4", v.Exists())
		}
	}
	// Reader: lock, index, cache; writer: the same three.
	named, unnamed := mailboxFDs(t, dir)
	if named > 6 || unnamed > unnamedDepth {
		t.Fatalf("%d Mailbox values hold %d descriptors on the mailbox's files and %d unnamed ones, want at most 6 and %d",
			n+1, named, unnamed, unnamedDepth)
	}
	for _, m := range ms {
		if err := m.Close(); err != nil {
			t.Fatal(err)
		}
	}
	first.Close()
	if got, _ := mailboxFDs(t, dir); got != 0 {
		t.Fatalf("%d descriptors left open on the mailbox after every Close", got)
	}
}

// Readers sharing one open file description of cyrus.lock must each hold
// the shared lock for their whole locked span: flock on one description
// is one lock, so one reader's unlock must not release another's. A probe
// through a description of its own tries the exclusive lock whenever a
// reader is inside its span; it must never get it, while readers in many
// goroutines overlap and a writer of the process commits meanwhile.
func TestSharedReadersStillExcludeWriters(t *testing.T) {
	first := newMailbox(t, Options{})
	dir := first.Dir()
	appendN(t, first, 1)
	var probes, breaches atomic.Int64
	readerLocked = func(lock *os.File) {
		probe, err := os.Open(lock.Name())
		if err != nil {
			t.Error(err)
			return
		}
		defer probe.Close()
		probes.Add(1)
		if err := unix.Flock(int(probe.Fd()), unix.LOCK_EX|unix.LOCK_NB); err == nil {
			breaches.Add(1)
			_ = unix.Flock(int(probe.Fd()), unix.LOCK_UN)
		}
	}
	t.Cleanup(func() { readerLocked = nil })
	const readers, rounds = 8, 200
	var ms []*Mailbox
	for range readers {
		m, err := Open(dir, Options{})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { m.Close() })
		ms = append(ms, m)
	}
	var wg sync.WaitGroup
	for _, m := range ms {
		wg.Go(func() {
			for range rounds {
				v, err := m.Snapshot()
				if err != nil {
					t.Error(err)
					return
				}
				// No expunges: a consistent view has every UID below UIDNext.
				if v.Exists() != int(v.UIDNext)-1 {
					t.Errorf("torn view: %d messages, uidnext %d", v.Exists(), v.UIDNext)
					return
				}
			}
		})
	}
	wg.Go(func() {
		for range 10 {
			appendN(t, first, 1)
		}
	})
	wg.Wait()
	if b := breaches.Load(); b != 0 {
		t.Fatalf("the exclusive lock was free %d times of %d while a reader held the shared lock", b, probes.Load())
	}
}

// A mailbox deleted and made again in the same directory has a new
// cyrus.lock: a new Open must lock that one, not the old file an earlier
// Mailbox still has open (a lock on it would exclude no one).
func TestOpenAfterRecreateLocksTheNewFile(t *testing.T) {
	old := newMailbox(t, Options{})
	dir := old.Dir()
	appendN(t, old, 2)
	if err := os.RemoveAll(dir); err != nil {
		t.Fatal(err)
	}
	if err := Create(dir, Header{Name: "user.fred", UniqueID: "ijklmnop", UIDValidity: 43}); err != nil {
		t.Fatal(err)
	}
	m, err := Open(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	v := mustSnapshot(t, m)
	if v.UIDValidity != 43 || v.Exists() != 0 {
		t.Fatalf("uidvalidity %d, exists %d: want the new mailbox (43, 0)", v.UIDValidity, v.Exists())
	}
	want, err := os.Stat(filepath.Join(dir, lockFile))
	if err != nil {
		t.Fatal(err)
	}
	got, err := m.rd.h.lock.Stat()
	if err != nil {
		t.Fatal(err)
	}
	if !os.SameFile(got, want) {
		t.Fatal("the new Open locks the deleted mailbox's cyrus.lock")
	}
	if err := old.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := m.Snapshot(); err != nil {
		t.Fatalf("closing the old Mailbox broke the new one: %v", err)
	}
}

// Sessions selecting a mailbox with tombstones share its live records: the
// second view of one index image copies nothing (a selected session's
// memory is not a copy of the mailbox's records).
func TestViewsShareLiveRecords(t *testing.T) {
	first := newMailbox(t, Options{})
	uids := appendN(t, first, 5)
	if _, err := first.Expunge(context.Background(), uids[1:2]); err != nil {
		t.Fatal(err)
	}
	second, err := Open(first.Dir(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer second.Close()
	v1, v2 := mustSnapshot(t, first), mustSnapshot(t, second)
	if v1.Exists() != 4 || v2.Exists() != 4 || len(v1.tombstones) != 1 {
		t.Fatalf("exists %d and %d, %d tombstones: want 4, 4, 1", v1.Exists(), v2.Exists(), len(v1.tombstones))
	}
	if &v1.Records[0] != &v2.Records[0] {
		t.Fatal("two views of one index image each copied its live records")
	}
	if cap(v1.Records) != len(v1.Records) {
		t.Fatal("a view's records are not capped: appending to them would write into another view's")
	}
}
