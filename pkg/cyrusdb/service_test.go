package cyrusdb

import (
	"errors"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestSocketAndStaleSocket(t *testing.T) {
	dir := t.TempDir()
	sock := SocketPath(dir)
	if err := os.MkdirAll(dir+"/socket", 0o700); err != nil {
		t.Fatal(err)
	}
	// A socket left by a crashed service: nothing answers, so it goes.
	ln, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	ln.(*net.UnixListener).SetUnlinkOnClose(false)
	ln.Close()
	startServer(t, dir)
	fi, err := os.Stat(sock)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode()&os.ModeSocket == 0 || fi.Mode().Perm() != 0o600 {
		t.Fatalf("socket mode %v", fi.Mode())
	}
	if fi, _ := os.Stat(dir + "/socket"); fi.Mode().Perm() != 0o700 {
		t.Fatalf("socket dir mode %v", fi.Mode())
	}
	// A live service's socket is never taken over.
	if _, err := listen(sock, time.Second); err == nil || !strings.Contains(err.Error(), "answers") {
		t.Fatalf("listen over a live socket: %v", err)
	}
}

// TestReconnect: the service restarts under a client; reads and
// subscriptions carry on, and a Txn fails only if it was in flight.
func TestReconnect(t *testing.T) {
	dir := t.TempDir()
	srv, err := OpenServer(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve()
	db, err := Open(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	put(t, db, "k", "v")
	ch, cancel, err := db.Subscribe(testCtx(t), "t")
	if err != nil {
		t.Fatal(err)
	}
	defer cancel()
	if err := srv.Close(); err != nil {
		t.Fatal(err)
	}
	srv2 := startServer(t, dir)
	waitWake(t, ch) // the re-registration wakes subscribers: events may have been missed
	if v, _ := mustGet(t, db, "k"); v != "v" {
		t.Fatalf("got %q", v)
	}
	put(t, db, "k2", "v2")
	if err := srv2.DB().Publish(testCtx(t), "t"); err != nil {
		t.Fatal(err)
	}
	waitWake(t, ch)
}

func TestServerCloseFinishesInFlight(t *testing.T) {
	dir := t.TempDir()
	srv, err := OpenServer(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve() }()
	db, err := Open(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	errs := make(chan error, 20)
	for i := range 20 {
		go func() {
			errs <- db.Txn(testCtx(t), nil, []Op{Add{Key: []byte("n"), Deltas: []int64{int64(i)}}})
		}()
	}
	// Close once the service has answered one: the rest are in flight or
	// still to come, however fast or slow the machine.
	if err := <-errs; err != nil {
		t.Fatalf("first txn, before Close: %v", err)
	}
	if err := srv.Close(); err != nil {
		t.Fatal(err)
	}
	if err := <-served; err != nil {
		t.Fatal(err)
	}
	for range 19 {
		// Each Txn either committed, was refused as the service closed, or
		// lost its connection; none may hang.
		if err := <-errs; err != nil && !errors.Is(err, ErrClosed) && !errors.Is(err, ErrOutcomeUnknown) && !strings.Contains(err.Error(), "connection") {
			t.Errorf("txn: %v", err)
		}
	}
	if _, err := os.Stat(SocketPath(dir)); !os.IsNotExist(err) {
		t.Fatalf("socket left behind: %v", err)
	}
	if _, err := Recover(dir, Options{}); err != nil {
		t.Fatalf("database not closed cleanly: %v", err)
	}
}

func TestRecover(t *testing.T) {
	dir := t.TempDir()
	rep, err := Recover(dir, Options{})
	if err != nil || !rep.Created || rep.Keys != 0 {
		t.Fatalf("fresh: %+v, %v", rep, err)
	}
	db, err := Open(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	put(t, db, "a", "1", "b", "2", "c", "3")
	db.Close()
	rep, err = Recover(dir, Options{})
	if err != nil || rep.Created || rep.Keys != 3 || !rep.ChecksumOK {
		t.Fatalf("recover: %+v, %v", rep, err)
	}
	if s := rep.String(); !strings.Contains(s, "3 keys") {
		t.Fatalf("report %q", s)
	}
	// A lock file left by a dead process is reported.
	if err := os.WriteFile(DBPath(dir)+"/LOCK", []byte("4242\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	rep, err = Recover(dir, Options{})
	if err != nil || rep.StaleLock != 4242 {
		t.Fatalf("stale lock: %+v, %v", rep, err)
	}
}

func TestOpenRoutesOnline(t *testing.T) {
	dir := t.TempDir()
	srv := startServer(t, dir)
	db, err := Open(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if !db.Online() {
		t.Fatal("open while the service runs went offline")
	}
	put(t, db, "k", "v")
	if v, _ := mustGet(t, srv.DB(), "k"); v != "v" {
		t.Fatalf("server sees %q", v)
	}
	if _, err := OpenServer(dir, Options{}); err == nil || !strings.Contains(err.Error(), "already serves") {
		t.Fatalf("second server: %v", err)
	}
}

// A world-writable socket directory is refused with a clear error: any
// local user could put their own socket in the service's place.
func TestSocketDirWritableByOthersRefused(t *testing.T) {
	dir := t.TempDir()
	sockDir := filepath.Dir(SocketPath(dir))
	if err := os.MkdirAll(sockDir, 0o700); err != nil {
		t.Fatal(err)
	}
	for _, mode := range []os.FileMode{0o777, 0o703} {
		if err := os.Chmod(sockDir, mode); err != nil {
			t.Fatal(err)
		}
		srv, err := OpenServer(dir, Options{})
		if err == nil {
			srv.Close()
			t.Fatalf("mode %04o accepted", mode)
		}
		if !strings.Contains(err.Error(), "writable by every user") {
			t.Fatalf("mode %04o: %v", mode, err)
		}
	}
	// Sticky (like /tmp), group-writable or private: served.
	for _, mode := range []os.FileMode{0o777 | os.ModeSticky, 0o770, 0o750} {
		if err := os.Chmod(sockDir, mode); err != nil {
			t.Fatal(err)
		}
		srv, err := OpenServer(dir, Options{})
		if err != nil {
			t.Fatalf("mode %v: %v", mode, err)
		}
		srv.Close()
	}
}
