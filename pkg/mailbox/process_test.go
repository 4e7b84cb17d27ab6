package mailbox

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// Child roles, selected by environment when the test binary re-executes
// itself.
const (
	envRole  = "GOCYRUS_MAILBOX_CHILD"
	envDir   = "GOCYRUS_MAILBOX_DIR"
	envTag   = "GOCYRUS_MAILBOX_TAG"
	envCount = "GOCYRUS_MAILBOX_COUNT"
)

func TestMain(m *testing.M) {
	switch os.Getenv(envRole) {
	case "":
		code := m.Run()
		if big100kDir != "" {
			os.RemoveAll(big100kDir)
		}
		os.Exit(code)
	case "crash":
		os.Exit(childCrashAppender())
	case "bulk":
		os.Exit(childBulkAppender())
	case "tmpdebris":
		os.Exit(childTempDebris())
	default:
		fmt.Fprintln(os.Stderr, "unknown child role")
		os.Exit(2)
	}
}

// childCrashAppender appends until killed, printing "uid token" after each
// Append returns.
func childCrashAppender() int {
	m, err := Open(os.Getenv(envDir), Options{})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	tag := os.Getenv(envTag)
	for i := 0; i < 100000; i++ {
		token := fmt.Sprintf("%s-%d", tag, i)
		uids, err := m.Append(context.Background(), []AppendMessage{{Body: strings.NewReader(
			"Subject: " + token + "\r\n\r\n" + token + "\r\n")}})
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		fmt.Fprintf(os.Stdout, "%d %s\n", uids[0], token)
	}
	return 0
}

// childBulkAppender appends COUNT messages from 4 goroutines.
func childBulkAppender() int {
	m, err := Open(os.Getenv(envDir), Options{})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	n, _ := strconv.Atoi(os.Getenv(envCount))
	var wg sync.WaitGroup
	errs := make(chan error, 4)
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := g; i < n; i += 4 {
				if _, err := m.Append(context.Background(), []AppendMessage{{Body: strings.NewReader(testMessage(i, "bulk"))}}); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	select {
	case err := <-errs:
		fmt.Fprintln(os.Stderr, err)
		return 1
	default:
		return 0
	}
}

func child(t *testing.T, role, dir, tag string, count int) *exec.Cmd {
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), envRole+"="+role, envDir+"="+dir, envTag+"="+tag, envCount+"="+strconv.Itoa(count))
	return cmd
}

func TestCrashDuringAppend(t *testing.T) {
	trials := 200
	if testing.Short() {
		trials = 20
	}
	dir := filepath.Join(t.TempDir(), "mbox")
	if err := Create(dir, Header{Name: "user.crash", UniqueID: "crash"}); err != nil {
		t.Fatal(err)
	}
	acked := map[uint32]string{}
	for trial := 0; trial < trials; trial++ {
		var out, stderr bytes.Buffer
		cmd := child(t, "crash", dir, fmt.Sprintf("t%d", trial), 0)
		cmd.Stdout, cmd.Stderr = &out, &stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(time.Duration(5+rand.IntN(40)) * time.Millisecond)
		cmd.Process.Kill()
		cmd.Wait()
		if strings.TrimSpace(stderr.String()) != "" {
			t.Fatalf("trial %d: child: %s", trial, stderr.String())
		}
		sc := bufio.NewScanner(&out)
		for sc.Scan() {
			uidText, token, ok := strings.Cut(sc.Text(), " ")
			uid, err := strconv.ParseUint(uidText, 10, 32)
			if !ok || err != nil {
				continue // the line the kill cut short
			}
			if prev, dup := acked[uint32(uid)]; dup {
				t.Fatalf("uid %d acknowledged twice (%s, %s)", uid, prev, token)
			}
			acked[uint32(uid)] = token
		}
		if _, err := Reconstruct(dir, ReconstructOptions{}); err != nil {
			t.Fatalf("trial %d: reconstruct: %v", trial, err)
		}
	}
	m, err := Open(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	v := mustSnapshot(t, m)
	seen := map[string]uint32{}
	for _, r := range v.Records {
		raw, err := os.ReadFile(m.MessagePath(r.UID))
		if err != nil {
			t.Fatal(err)
		}
		token := strings.TrimSpace(string(raw[bytes.LastIndex(raw, []byte("\r\n\r\n"))+4:]))
		if prev, dup := seen[token]; dup {
			t.Fatalf("message %s stored twice (uids %d and %d)", token, prev, r.UID)
		}
		seen[token] = r.UID
	}
	for uid, token := range acked {
		if seen[token] != uid {
			t.Fatalf("acknowledged uid %d (%s) lost: found at uid %d", uid, token, seen[token])
		}
	}
	t.Logf("%d trials, %d acknowledged appends, %d messages after reconstruct", trials, len(acked), v.Exists())
	if len(acked) == 0 {
		t.Fatal("no append completed in any trial")
	}
}

func TestTwoProcessesAppend(t *testing.T) {
	n := 10000
	if testing.Short() {
		n = 500
	}
	dir := filepath.Join(t.TempDir(), "mbox")
	if err := Create(dir, Header{Name: "user.two", UniqueID: "two"}); err != nil {
		t.Fatal(err)
	}
	var cmds []*exec.Cmd
	var errBufs []*bytes.Buffer
	for i := 0; i < 2; i++ {
		cmd := child(t, "bulk", dir, "", n)
		var eb bytes.Buffer
		cmd.Stderr = &eb
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		cmds, errBufs = append(cmds, cmd), append(errBufs, &eb)
	}
	for i, cmd := range cmds {
		if err := cmd.Wait(); err != nil {
			t.Fatalf("child %d: %v: %s", i, err, errBufs[i])
		}
	}
	m, err := Open(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	v := mustSnapshot(t, m)
	if v.Exists() != 2*n || v.UIDNext != uint32(2*n+1) {
		t.Fatalf("exists %d uidnext %d, want %d", v.Exists(), v.UIDNext, 2*n)
	}
	for i, r := range v.Records {
		if r.UID != uint32(i+1) {
			t.Fatalf("record %d has uid %d", i, r.UID)
		}
	}
	if rep, err := Reconstruct(dir, ReconstructOptions{SkipStat: true}); err != nil || rep.Changed() {
		t.Fatalf("index not clean: %v %v", err, rep.Changes)
	}
}
