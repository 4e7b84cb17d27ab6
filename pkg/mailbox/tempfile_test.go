package mailbox

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// stallingReader yields size bytes of a message body, then prints READY
// <tag> and blocks for ever: the literal a client stopped sending, at a
// point the parent knows without a clock.
type stallingReader struct {
	tag  string
	left int
	hdr  string
}

func (r *stallingReader) Read(p []byte) (int, error) {
	if r.hdr != "" {
		n := copy(p, r.hdr)
		r.hdr = r.hdr[n:]
		return n, nil
	}
	if r.left <= 0 {
		fmt.Printf("READY %s\n", r.tag)
		select {} // killed here
	}
	n := min(len(p), r.left)
	for i := range p[:n] {
		p[i] = 'x'
		if i%76 == 75 {
			p[i] = '\n'
		}
	}
	r.left -= n
	return n, nil
}

// childTempDebris appends one message (printing "ACK <uid>"), then starts
// a MULTIAPPEND large enough for named temp files and a Spool into the
// stage directory, both stalling in their last literal, and waits to be
// killed.
func childTempDebris() int {
	dir := os.Getenv(envDir)
	m, err := Open(dir, Options{})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	tag := os.Getenv(envTag)
	uids, err := m.Append(context.Background(), []AppendMessage{{Body: strings.NewReader(testMessage(1, tag))}})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	fmt.Printf("ACK %d %s\n", uids[0], tag)
	mib, _ := strconv.Atoi(os.Getenv(envCount))
	var wg sync.WaitGroup
	wg.Add(2)
	go func() {
		var msgs []AppendMessage
		for i := 0; i < maxUnnamedBatch+1; i++ {
			msgs = append(msgs, AppendMessage{Body: strings.NewReader(testMessage(i, "batch"))})
		}
		msgs = append(msgs, AppendMessage{Body: &stallingReader{tag: "append", left: mib << 20, hdr: "Subject: big\r\n\r\n"}})
		_, err := m.Append(context.Background(), msgs)
		fmt.Fprintln(os.Stderr, "append returned:", err)
		wg.Done()
	}()
	go func() {
		_, err := Spool(context.Background(), filepath.Join(dir, "..", "stage"), &stallingReader{tag: "spool", left: mib << 20, hdr: "Subject: big\r\n\r\n"}, SpoolLimits{})
		fmt.Fprintln(os.Stderr, "spool returned:", err)
		wg.Done()
	}()
	wg.Wait()
	return 1
}

// killAtReady runs the tmpdebris child on dir and kills it once both of
// its writers reported READY; it returns the acknowledged UID.
func killAtReady(t *testing.T, dir, tag string) uint32 {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), envRole+"=tmpdebris", envDir+"="+dir, envTag+"="+tag, envCount+"=3")
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
	var acked uint32
	ready := map[string]bool{}
	sc := bufio.NewScanner(out)
	for len(ready) < 2 && sc.Scan() {
		f := strings.Fields(sc.Text())
		switch {
		case len(f) == 3 && f[0] == "ACK":
			n, _ := strconv.ParseUint(f[1], 10, 32)
			acked = uint32(n)
		case len(f) == 2 && f[0] == "READY":
			ready[f[1]] = true
		}
	}
	cmd.Process.Kill()
	go io.Copy(io.Discard, out)
	cmd.Wait()
	if len(ready) < 2 || acked == 0 {
		t.Fatalf("child did not get ready (ready %v, acked %d): %s", ready, acked, stderr.String())
	}
	return acked
}

func tempsIn(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		if IsTempName(e.Name()) {
			names = append(names, e.Name())
		}
	}
	return names
}

// TestKilledWriterLeavesNoTempFiles kills a writer in the middle of large
// literals (by handshake) and checks that the next writer, then
// reconstruct, remove its temp files whatever their age, while keeping
// what was acknowledged and a live process's temp file.
func TestKilledWriterLeavesNoTempFiles(t *testing.T) {
	root := t.TempDir()
	dir := filepath.Join(root, "mbox")
	stage := filepath.Join(root, "stage")
	if err := os.Mkdir(stage, 0o750); err != nil {
		t.Fatal(err)
	}
	if err := Create(dir, Header{Name: "user.debris", UniqueID: "debris", UIDValidity: 1}); err != nil {
		t.Fatal(err)
	}
	// A temp file of this (live) process: no sweep may take it.
	live, err := createTemp(dir, "")
	if err != nil {
		t.Fatal(err)
	}
	live.Close()
	liveName := filepath.Base(live.Name())

	ack1 := killAtReady(t, dir, "first")
	left := tempsIn(t, dir)
	if len(left) < maxUnnamedBatch+2 || len(tempsIn(t, stage)) != 1 {
		t.Fatalf("the kill left %d temp files in the mailbox and %d in the stage; want %d and 1",
			len(left), len(tempsIn(t, stage)), maxUnnamedBatch+3)
	}
	t.Logf("killed writer left %d temp files", len(left))

	// (a) The next writer sweeps them.
	m, err := Open(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	ack2 := appendN(t, m, 1)[0]
	m.Close()
	if got := tempsIn(t, dir); len(got) != 1 || got[0] != liveName {
		t.Fatalf("after the next writer: temp files %v, want only the live %s", got, liveName)
	}
	removed, err := RemoveDeadTemps(stage)
	if err != nil || len(removed) != 1 || len(tempsIn(t, stage)) != 0 {
		t.Fatalf("stage sweep removed %v (%v), left %v", removed, err, tempsIn(t, stage))
	}

	// (b) reconstruct removes them, too.
	ack3 := killAtReady(t, dir, "second")
	rep, err := Reconstruct(dir, ReconstructOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if got := tempsIn(t, dir); len(got) != 1 || got[0] != liveName {
		t.Fatalf("after reconstruct: temp files %v, want only the live %s (%v)", got, liveName, rep.Changes)
	}
	m, err = Open(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	v := mustSnapshot(t, m)
	for _, uid := range []uint32{ack1, ack2, ack3} {
		if _, ok := v.Lookup(uid); !ok {
			t.Fatalf("acknowledged uid %d lost (have %d messages)", uid, v.Exists())
		}
	}
	if v.Exists() != 3 {
		t.Fatalf("%d messages, want the 3 acknowledged", v.Exists())
	}
}

func TestTempOwnerAlive(t *testing.T) {
	f, err := createTemp(t.TempDir(), "x.")
	if err != nil {
		t.Fatal(err)
	}
	f.Close()
	mine := filepath.Base(f.Name())
	cmd := exec.Command("true")
	if err := cmd.Run(); err != nil {
		t.Fatal(err)
	}
	deadPid := cmd.Process.Pid
	start, _ := procStart(os.Getpid())
	for _, tc := range []struct {
		name string
		want bool
	}{
		{mine, true},
		{fmt.Sprintf("tmp.%d-%d.abc", os.Getpid(), start+1), false}, // pid reused
		{fmt.Sprintf("tmp.%d-%d.abc", deadPid, 5), false},
		{"tmp.123456", false}, // no owner tag: an older version's
		{"tmp.x-y.z", false},
		{"tmp.-1-0.z", false},
		{"cyrus.index", false},
	} {
		if got := TempOwnerAlive(tc.name); got != tc.want {
			t.Errorf("TempOwnerAlive(%q) = %v, want %v", tc.name, got, tc.want)
		}
	}
}
