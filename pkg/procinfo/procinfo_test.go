package procinfo

import (
	"context"
	"net"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// TestRowStringIsCyrusLine: the line captured from Cyrus 3.6.1's cyr_info
// proc (test/compat/fixtures/cyr_info_proc.txt), a logged-in session with a
// selected mailbox between commands, is what Row.String prints.
func TestRowStringIsCyrusLine(t *testing.T) {
	b, err := os.ReadFile("../../test/compat/fixtures/cyr_info_proc.txt")
	if err != nil {
		t.Fatal(err)
	}
	cyrusLine := strings.TrimSuffix(string(b), "\n")
	r := Row{Pid: 8555, Service: "imap", Addr: "127.0.0.1", User: "alice", Mailbox: "user.alice"}
	if got := r.String("localhost"); got != cyrusLine {
		t.Fatalf("String = %q, want %q", got, cyrusLine)
	}
	if got := (Row{Pid: 1, Service: "pop3"}).String(""); got != "1 pop3 [unix socket]   " {
		t.Fatalf("unix socket, nobody logged in: %q", got)
	}
}

func shortDir(t *testing.T) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "proc")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	return filepath.Join(dir, "proc")
}

func TestListSeesSessionsAndTheirChanges(t *testing.T) {
	dir := shortDir(t)
	r := New("imap")
	if err := r.Listen(dir); err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	a := r.Add(&net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 4000})
	b := r.Add(&net.UnixAddr{Name: "/x", Net: "unix"})
	a.Set("alice", "user.alice", "idle")
	b.Set("bob\tx\ny", "", "") // hostile: must stay one row, five fields
	pid := os.Getpid()
	got, err := List(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	want := []Row{
		{Pid: pid, Service: "imap", Addr: "127.0.0.1", User: "alice", Mailbox: "user.alice", Command: "idle"},
		{Pid: pid, Service: "imap", User: "bob?x?y"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("List = %+v, want %+v", got, want)
	}
	a.Remove()
	a.Set("late", "", "") // a setter after Remove must not bring it back
	got, _ = List(context.Background(), dir)
	if len(got) != 1 || got[0].User != "bob?x?y" {
		t.Fatalf("after Remove: %+v", got)
	}
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 0 {
		t.Fatalf("Close left %v", ents)
	}
}

// A process killed with -9 leaves its socket: List must ignore it and
// remove it, and list the live processes' sessions still.
func TestListRemovesADeadProcessSocket(t *testing.T) {
	dir := shortDir(t)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	dead := SocketPath(dir, 999999999)
	ln, err := net.ListenUnix("unix", &net.UnixAddr{Name: dead, Net: "unix"})
	if err != nil {
		t.Fatal(err)
	}
	ln.SetUnlinkOnClose(false) // as the kernel does on kill -9
	ln.Close()
	notSocket := filepath.Join(dir, "12")
	os.WriteFile(notSocket, []byte("x"), 0o644)

	r := New("pop3")
	if err := r.Listen(dir); err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	r.Add(nil).Set("carol", "user.carol", "")
	got, err := List(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].User != "carol" {
		t.Fatalf("List = %+v", got)
	}
	if _, err := os.Lstat(dead); !os.IsNotExist(err) {
		t.Fatalf("the dead process's socket is still there: %v", err)
	}
	if _, err := os.Lstat(notSocket); err != nil {
		t.Fatalf("a file that is not a socket was touched: %v", err)
	}
}

// A process reusing a dead one's pid replaces its stale socket.
func TestListenReplacesAStaleSocket(t *testing.T) {
	dir := shortDir(t)
	os.MkdirAll(dir, 0o755)
	os.WriteFile(SocketPath(dir, os.Getpid()), nil, 0o644)
	r := New("imap")
	if err := r.Listen(dir); err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	r.Add(nil)
	if got, _ := List(context.Background(), dir); len(got) != 1 {
		t.Fatalf("List = %+v", got)
	}
}

func TestListenRefusesAnOverlongPath(t *testing.T) {
	err := New("imap").Listen("/tmp/" + strings.Repeat("d", 120))
	if err == nil || !strings.Contains(err.Error(), "longer than") {
		t.Fatalf("Listen = %v", err)
	}
}

func TestNilRegistryIsInert(t *testing.T) {
	var r *Registry
	e := r.Add(nil)
	e.Set("a", "b", "c")
	e.Remove()
	if r.Rows() != nil || r.Listen("/nonexistent") != nil || r.Close() != nil {
		t.Fatal("nil registry did something")
	}
}

func TestListWithoutDirectory(t *testing.T) {
	got, err := List(context.Background(), filepath.Join(t.TempDir(), "none"))
	if err != nil || got != nil {
		t.Fatalf("List = %v, %v", got, err)
	}
}
