package mailbox

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// The log crash test's mailbox: logCrashMessages messages; the child
// makes logCrashAcked flag changes (change k flags UIDs 1..5(k+1) and sets
// keyword "kw"), each acknowledged by a line "ACK k", then one more step
// that stops at the crash point: a STORE adding \Draft to every message
// (the log points) or an EXPUNGE of the last message (the fold points).
const (
	logCrashMessages = 20
	logCrashAcked    = 3
)

var logCrashPoints = []string{"log-written", "log-synced", "fold-records", "fold-synced", "fold-committed"}

func childLogCrash() int {
	inPlaceSpan = 0 // every change logged
	point := os.Getenv(envTag)
	var armed atomic.Bool
	m, err := Open(os.Getenv(envDir), Options{CrashAt: func(p string) {
		if armed.Load() && p == point {
			fmt.Println("AT " + p)
			select {} // the parent's SIGKILL
		}
	}})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	ctx := context.Background()
	for k := 0; k < logCrashAcked; k++ {
		var uids []uint32
		for u := uint32(1); u <= uint32(5*(k+1)); u++ {
			uids = append(uids, u)
		}
		if _, err := m.Store(ctx, StoreRequest{UIDs: uids, Op: StoreAdd, Flags: FlagFlagged, Keywords: []string{"kw"}}); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		fmt.Printf("ACK %d\n", k)
	}
	armed.Store(true)
	if strings.HasPrefix(point, "log-") {
		var all []uint32
		for u := uint32(1); u <= logCrashMessages; u++ {
			all = append(all, u)
		}
		_, err = m.Store(ctx, StoreRequest{UIDs: all, Op: StoreAdd, Flags: FlagDraft})
	} else {
		_, err = m.Expunge(ctx, []uint32{logCrashMessages})
	}
	fmt.Fprintln(os.Stderr, "returned without reaching the crash point:", err)
	return 1
}

// TestIndexLogCrash kills a writer at every step of a log append and of a
// fold. Afterwards every acknowledged flag change is there, the change
// in flight is there wholly or not at all, readers and Reconstruct find
// nothing damaged, and the next writer leaves no log behind that applies
// to nothing.
func TestIndexLogCrash(t *testing.T) {
	logEveryChange(t)
	for _, point := range logCrashPoints {
		t.Run(point, func(t *testing.T) {
			m := newMailbox(t, Options{})
			appendN(t, m, logCrashMessages)
			dir := m.Dir()
			acked := runLogCrashChild(t, dir, point)
			if acked != logCrashAcked {
				t.Fatalf("%d changes acknowledged, want %d", acked, logCrashAcked)
			}
			v := freshView(t, dir)
			drafts, expunged := 0, true
			for _, r := range v.Records {
				flagged := r.Flags&FlagFlagged != 0
				if want := r.UID <= 5*logCrashAcked; flagged != want {
					t.Fatalf("uid %d flagged %v, want %v", r.UID, flagged, want)
				}
				if flagged && len(v.Keywords(r)) != 1 {
					t.Fatalf("uid %d keywords %v", r.UID, v.Keywords(r))
				}
				if r.Flags&FlagDraft != 0 {
					drafts++
				}
				if r.UID == logCrashMessages {
					expunged = false
				}
			}
			if drafts != 0 && drafts != logCrashMessages {
				t.Fatalf("the change in flight is half kept: %d of %d", drafts, logCrashMessages)
			}
			if point == "log-synced" && drafts == 0 {
				t.Fatal("a change durable in the log was lost")
			}
			if expunged {
				t.Fatal("the expunge after the crash point happened")
			}
			rep, err := Reconstruct(dir, ReconstructOptions{DryRun: true})
			if err != nil || rep.Changed() {
				t.Fatalf("reconstruct finds %v %v", rep.Changes, err)
			}
			// The next writers work on what the crash left.
			m2, err := Open(dir, Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer m2.Close()
			if _, err := m2.Store(context.Background(), StoreRequest{UIDs: []uint32{1}, Op: StoreAdd, Flags: FlagAnswered}); err != nil {
				t.Fatal(err)
			}
			appendN(t, m2, 1)
			sameState(t, "after the next writers", freshView(t, dir), mustSnapshot(t, m2))
			if fi, err := os.Stat(dir + "/" + indexLogFile); err == nil && fi.Size() != 0 {
				t.Fatalf("log of %d bytes left after a fold", fi.Size())
			}
			if rep, err := Reconstruct(dir, ReconstructOptions{}); err != nil || rep.Changed() {
				t.Fatalf("reconstruct finds %v %v", rep.Changes, err)
			}
		})
	}
}

// runLogCrashChild runs childLogCrash at point on dir, kills it when it
// reports the crash point and returns how many changes it acknowledged.
func runLogCrashChild(t *testing.T, dir, point string) int {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), envRole+"=logcrash", envDir+"="+dir, envTag+"="+point)
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
	acked, reached := 0, false
	for !reached && sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "ACK ") {
			acked++
		}
		reached = line == "AT "+point
	}
	cmd.Process.Kill()
	go io.Copy(io.Discard, out)
	cmd.Wait()
	if !reached {
		t.Fatalf("child never reached %s: %s", point, stderr.String())
	}
	return acked
}
