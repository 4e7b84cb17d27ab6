package cyrusdb

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// Child roles: the test binary re-executed with these variables set runs
// one role against the configdir and exits.
const (
	envRole = "CYRUSDB_TEST_CHILD"
	envDir  = "CYRUSDB_TEST_DIR"
)

func TestMain(m *testing.M) {
	if role := os.Getenv(envRole); role != "" {
		if err := runChild(role, os.Getenv(envDir)); err != nil {
			fmt.Fprintln(os.Stderr, "child:", err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

const childIncrements = 500

func runChild(role, dir string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	db, err := Open(dir, Options{})
	if err != nil {
		return err
	}
	defer db.Close()
	switch role {
	case "increment":
		if !db.Online() {
			return errors.New("not routed to the db service")
		}
		if err := incrementCAS(ctx, db, []byte("cas"), childIncrements); err != nil {
			return err
		}
		for range childIncrements {
			if err := db.Txn(ctx, nil, []Op{Add{Key: []byte("add"), Deltas: []int64{1, 2}}}); err != nil {
				return err
			}
		}
		return nil
	case "subscribe":
		ch, stop, err := db.Subscribe(ctx, "user.alice")
		if err != nil {
			return err
		}
		defer stop()
		fmt.Println("READY")
		select {
		case <-ch:
			fmt.Println("WOKEN")
			return nil
		case <-ctx.Done():
			return errors.New("never woken")
		}
	case "crash":
		if err := db.Txn(ctx, nil, []Op{Put{Key: []byte("durable"), Val: []byte("yes")}}); err != nil {
			return err
		}
		fmt.Println("READY")
		<-ctx.Done() // killed by the parent without closing badger
		return nil
	case "hold":
		if db.Online() {
			return errors.New("expected an offline open")
		}
		fmt.Println("READY")
		io.Copy(io.Discard, os.Stdin) // hold the lock until the parent lets go
		return nil
	}
	return fmt.Errorf("unknown role %q", role)
}

// child starts the test binary in a role; its stdout lines arrive on the
// returned channel.
func child(t *testing.T, role, dir string) (*exec.Cmd, <-chan string, io.WriteCloser) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), envRole+"="+role, envDir+"="+dir)
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	lines := make(chan string, 16)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	t.Cleanup(func() {
		stdin.Close()
		cmd.Process.Kill()
		cmd.Wait()
	})
	return cmd, lines, stdin
}

func expectLine(t *testing.T, lines <-chan string, want string) {
	t.Helper()
	select {
	case got := <-lines:
		if got != want {
			t.Fatalf("child said %q, want %q", got, want)
		}
	case <-time.After(30 * time.Second):
		t.Fatalf("child did not say %q", want)
	}
}

func waitChild(t *testing.T, cmd *exec.Cmd) {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("child: %v", err)
		}
	case <-time.After(60 * time.Second):
		t.Fatal("child did not finish")
	}
}

// TestProcessesShareService: three processes open the databases while the
// service runs, are routed online, and increment shared counters at once.
func TestProcessesShareService(t *testing.T) {
	dir := t.TempDir()
	srv := startServer(t, dir)
	var cmds []*exec.Cmd
	for range 3 {
		cmd, _, _ := child(t, "increment", dir)
		cmds = append(cmds, cmd)
	}
	for _, cmd := range cmds {
		waitChild(t, cmd)
	}
	db := srv.DB()
	if v, _ := mustGet(t, db, "cas"); v != fmt.Sprint(3*childIncrements) {
		t.Fatalf("cas counter %s, want %d", v, 3*childIncrements)
	}
	v, _ := mustGet(t, db, "add")
	if got := DecodeCounters([]byte(v)); got[0] != 3*childIncrements || got[1] != 6*childIncrements {
		t.Fatalf("add counters %v", got)
	}
}

func TestNotificationAcrossProcesses(t *testing.T) {
	dir := t.TempDir()
	startServer(t, dir)
	cmd, lines, _ := child(t, "subscribe", dir)
	expectLine(t, lines, "READY")
	pub, err := Open(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer pub.Close()
	if err := pub.Publish(testCtx(t), "user.alice"); err != nil {
		t.Fatal(err)
	}
	expectLine(t, lines, "WOKEN")
	waitChild(t, cmd)
}

// TestLockedWithoutService: a process holds badger offline; neither Open
// nor OpenServer nor Recover may touch it, and the error says why.
func TestLockedWithoutService(t *testing.T) {
	dir := t.TempDir()
	cmd, lines, stdin := child(t, "hold", dir)
	expectLine(t, lines, "READY")
	_, err := Open(dir, Options{DialTimeout: 300 * time.Millisecond})
	want := "locked by another process and no db service answers on " + SocketPath(dir)
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Fatalf("Open: %v", err)
	}
	if _, err := OpenServer(dir, Options{DialTimeout: 300 * time.Millisecond}); err == nil || !strings.Contains(err.Error(), "locked by another process") {
		t.Fatalf("OpenServer: %v", err)
	}
	if _, err := Recover(dir, Options{}); err == nil || !strings.Contains(err.Error(), "in use by another process") {
		t.Fatalf("Recover: %v", err)
	}
	stdin.Close()
	waitChild(t, cmd)
	db, err := Open(dir, Options{})
	if err != nil {
		t.Fatalf("open after the holder left: %v", err)
	}
	db.Close()
}

// TestRecoverAfterCrash: a process dies holding badger; Recover replays
// its logs, reports the dead process's lock, and the synced write survives.
func TestRecoverAfterCrash(t *testing.T) {
	dir := t.TempDir()
	cmd, lines, _ := child(t, "crash", dir)
	expectLine(t, lines, "READY")
	cmd.Process.Kill()
	cmd.Wait()
	rep, err := Recover(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if rep.StaleLock != cmd.Process.Pid || rep.Memtables == 0 || rep.Keys != 1 {
		t.Fatalf("report %+v", rep)
	}
	t.Log(rep)
	db, err := Open(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if v, _ := mustGet(t, db, "durable"); v != "yes" {
		t.Fatalf("got %q", v)
	}
}
