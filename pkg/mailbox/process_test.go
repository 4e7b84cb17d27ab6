package mailbox

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"gocyrus/internal/testseed"
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
	case "unlinkcrash":
		os.Exit(childUnlinkCrash())
	case "logcrash":
		os.Exit(childLogCrash())
	default:
		fmt.Fprintln(os.Stderr, "unknown child role")
		os.Exit(2)
	}
}

// childCrashAppender prints READY once the mailbox is open, then appends
// until killed, printing "uid token" after each Append returns: the parent
// times its kill by these lines, not by the clock.
func childCrashAppender() int {
	m, err := Open(os.Getenv(envDir), Options{})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	tag := os.Getenv(envTag)
	fmt.Fprintln(os.Stdout, "READY")
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

// TestCrashDuringAppend kills an appending child with SIGKILL after a
// random number of acknowledged appends (0 kills it during its first), so
// the kill lands while the next append is in flight however slow the
// machine or the binary (-race) is. After each kill, reconstruct; at the
// end every acknowledged append must be there under its UID, exactly once.
func TestCrashDuringAppend(t *testing.T) {
	trials := 200
	if testing.Short() {
		trials = 20
	}
	const maxAcks = 8
	rng := testseed.Rand(t)
	dir := filepath.Join(t.TempDir(), "mbox")
	if err := Create(dir, Header{Name: "user.crash", UniqueID: "crash", UIDValidity: 1}); err != nil {
		t.Fatal(err)
	}
	acked := map[uint32]string{}
	minAcked := 0
	for trial := 0; trial < trials; trial++ {
		killAfter := rng.IntN(maxAcks + 1)
		minAcked += killAfter
		lines := crashTrial(t, dir, fmt.Sprintf("t%d", trial), killAfter)
		for _, line := range lines {
			uidText, token, ok := strings.Cut(line, " ")
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
	if len(acked) < minAcked {
		t.Fatalf("%d acknowledged appends, but the kills waited for %d", len(acked), minAcked)
	}
}

// crashTrial starts a crash child, waits for READY and then for killAfter
// acknowledgements, kills it, and returns every line it printed (the last
// may be cut short by the kill). The deadline only catches a hung child.
func crashTrial(t *testing.T, dir, tag string, killAfter int) []string {
	t.Helper()
	var stderr bytes.Buffer
	cmd := child(t, "crash", dir, tag, 0)
	cmd.Stderr = &stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	lineCh := make(chan string, 64)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			lineCh <- sc.Text()
		}
		close(lineCh)
	}()
	var lines []string
	deadline := time.NewTimer(2 * time.Minute)
	defer deadline.Stop()
	waitFor := func(what string) {
		select {
		case line, ok := <-lineCh:
			if !ok {
				cmd.Wait()
				t.Fatalf("%s: child exited before %s: %s", tag, what, stderr.String())
			}
			lines = append(lines, line)
		case <-deadline.C:
			cmd.Process.Kill()
			cmd.Wait()
			t.Fatalf("%s: no %s from the child in 2 minutes: %s", tag, what, stderr.String())
		}
	}
	waitFor("READY")
	if lines[0] != "READY" {
		cmd.Process.Kill()
		cmd.Wait()
		t.Fatalf("%s: child said %q before READY", tag, lines[0])
	}
	lines = lines[1:]
	for len(lines) < killAfter {
		waitFor(fmt.Sprintf("acknowledgement %d", len(lines)+1))
	}
	cmd.Process.Kill()
	for line := range lineCh { // what it printed before the kill was acknowledged too
		lines = append(lines, line)
	}
	cmd.Wait()
	if strings.TrimSpace(stderr.String()) != "" {
		t.Fatalf("%s: child: %s", tag, stderr.String())
	}
	return lines
}

func TestTwoProcessesAppend(t *testing.T) {
	n := 10000
	if testing.Short() {
		n = 500
	}
	dir := filepath.Join(t.TempDir(), "mbox")
	if err := Create(dir, Header{Name: "user.two", UniqueID: "two", UIDValidity: 1}); err != nil {
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
