package mailbox

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

// childUnlinkCrash runs one operation that marks tombstones unlinked (TAG:
// expunge, purge or unexpunge) and stops at the crash point between its
// index commit and the removal of the files, printing COMMITTED there; the
// parent kills it on that line.
func childUnlinkCrash() int {
	op := os.Getenv(envTag)
	m, err := Open(os.Getenv(envDir), Options{KeepExpunged: op != "expunge"})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	afterUnlinkCommit = func() {
		fmt.Println("COMMITTED")
		select {} // the parent's SIGKILL
	}
	ctx := context.Background()
	switch op {
	case "expunge":
		_, err = m.Expunge(ctx, []uint32{2, 3})
	case "purge":
		_, err = m.PurgeExpunged(ctx, time.Now().Add(time.Hour))
	case "unexpunge":
		_, _, err = m.Unexpunge(ctx, []uint32{2, 3}, false, nil)
	default:
		err = fmt.Errorf("unknown op %q", op)
	}
	fmt.Fprintln(os.Stderr, "returned without reaching the crash point:", err)
	return 1
}

// crashAtUnlink runs childUnlinkCrash for op on dir and kills it once it
// reports the crash point.
func crashAtUnlink(t *testing.T, dir, op string) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), envRole+"=unlinkcrash", envDir+"="+dir, envTag+"="+op)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	timer := time.AfterFunc(2*time.Minute, func() { cmd.Process.Kill() }) // a hung child, not the handshake
	defer timer.Stop()
	sc := bufio.NewScanner(out)
	reached := false
	for !reached && sc.Scan() {
		reached = sc.Text() == "COMMITTED"
	}
	cmd.Process.Kill()
	go io.Copy(io.Discard, out)
	cmd.Wait()
	if !reached {
		t.Fatalf("%s child never reached the crash point: %s", op, stderr.String())
	}
}

// TestNextWriterFinishesInterruptedUnlinks kills a writer between the
// commit that marks tombstones unlinked and the removal of their files,
// for every operation that does so. The parent already holds the mailbox
// open and has written to it (so a once-per-process sweep would not run
// again); its next write, or the next Open even only to read, must remove
// the leftover files, after which reconstruct finds nothing and every live
// message is intact.
func TestNextWriterFinishesInterruptedUnlinks(t *testing.T) {
	for _, tc := range []struct{ op, next string }{
		{"expunge", "write"}, {"purge", "write"}, {"unexpunge", "write"},
		{"expunge", "open"}, {"purge", "open"}, {"unexpunge", "open"},
	} {
		op, next := tc.op, tc.next
		t.Run(op+"/"+next, func(t *testing.T) {
			ctx := context.Background()
			m := newMailbox(t, Options{KeepExpunged: op != "expunge"})
			appendN(t, m, 4)
			if op != "expunge" {
				if _, err := m.Expunge(ctx, []uint32{2, 3}); err != nil {
					t.Fatal(err)
				}
			}
			dir := m.Dir()
			before := map[uint32][]byte{}
			for _, r := range mustSnapshot(t, m).Records {
				before[r.UID] = mustRead(t, m.MessagePath(r.UID))
			}

			crashAtUnlink(t, dir, op)
			rep, err := Reconstruct(dir, ReconstructOptions{DryRun: true})
			if err != nil {
				t.Fatal(err)
			}
			if len(rep.RemovedFiles) == 0 {
				t.Fatalf("the crash left no file of an expunged message: %q", rep.Changes)
			}
			t.Logf("after the kill, reconstruct -n: %q", rep.Changes)

			if next == "write" {
				// The next write, by a process that swept this
				// directory before the crash.
				if _, err := m.Store(ctx, StoreRequest{UIDs: []uint32{1}, Op: StoreAdd, Flags: FlagSeen}); err != nil {
					t.Fatal(err)
				}
			} else {
				// The next open, to read only (a SELECT).
				m2, err := Open(dir, Options{})
				if err != nil {
					t.Fatal(err)
				}
				m2.Close()
			}
			rep, err = Reconstruct(dir, ReconstructOptions{DryRun: true})
			if err != nil {
				t.Fatal(err)
			}
			if rep.Changed() {
				t.Fatalf("after the next %s, reconstruct -n still finds %q", next, rep.Changes)
			}
			for uid := uint32(2); uid <= 3; uid++ {
				if fileExists(m.MessagePath(uid)) {
					t.Errorf("file of uid %d still there", uid)
				}
			}
			v := mustSnapshot(t, m)
			for _, r := range v.Records {
				if want, ok := before[r.UID]; ok && !reflect.DeepEqual(mustRead(t, m.MessagePath(r.UID)), want) {
					t.Errorf("uid %d changed", r.UID)
				}
			}
			want := 2 // 1 and 4
			if op == "unexpunge" {
				want = 4 // and the restored copies, committed before the crash point
			}
			if v.Exists() != want {
				t.Fatalf("%d messages after the crash, want %d", v.Exists(), want)
			}
			if hdr := indexHeaderOf(t, dir); hdr.UnlinkPending {
				t.Error("unlink-pending flag still set")
			}
		})
	}
}

// TestExpungeClearsUnlinkPending checks the flag's life in a writer that
// does not crash: set by the commit, cleared before the lock is let go.
func TestExpungeClearsUnlinkPending(t *testing.T) {
	m := newMailbox(t, Options{})
	appendN(t, m, 3)
	var during indexHeader
	afterUnlinkCommit = func() { during = indexHeaderOf(t, m.Dir()) }
	defer func() { afterUnlinkCommit = nil }()
	if _, err := m.Expunge(context.Background(), []uint32{1}); err != nil {
		t.Fatal(err)
	}
	if !during.UnlinkPending {
		t.Error("commit did not set unlink-pending")
	}
	if indexHeaderOf(t, m.Dir()).UnlinkPending {
		t.Error("unlink-pending left set after the files were removed")
	}
	if fileExists(m.MessagePath(1)) {
		t.Error("expunged file kept")
	}
	if v := mustSnapshot(t, m); v.Exists() != 2 {
		t.Errorf("exists %d", v.Exists())
	}
}

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func indexHeaderOf(t *testing.T, dir string) indexHeader {
	t.Helper()
	hdr, err := decodeIndexHeader(mustRead(t, filepath.Join(dir, indexFile)))
	if err != nil {
		t.Fatal(err)
	}
	return hdr
}
