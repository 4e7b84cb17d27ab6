package service

import (
	"bufio"
	"errors"
	"io"
	"net"
	"os"
	"syscall"
	"testing"
)

// The count matches the descriptors the process really has: opening k files adds k.
func TestOpenFDsCounts(t *testing.T) {
	before, err := openFDs()
	if err != nil {
		t.Fatal(err)
	}
	var files []*os.File
	for range 100 {
		f, err := os.Open(os.DevNull)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, f)
	}
	after, err := openFDs()
	for _, f := range files {
		f.Close()
	}
	if err != nil {
		t.Fatal(err)
	}
	if after-before != 100 {
		t.Fatalf("count went from %d to %d after opening 100 files", before, after)
	}
}

// The budget charges a session its socket (what it holds beyond that shows at the next count),
// keeps fdReserve free, recounts near the limit, and says when its answer changes.
func TestFDBudget(t *testing.T) {
	open := 40 // descriptors the fake process has besides sessions
	counts := 0
	b := newFDBudget(1000, func() (int, error) { counts++; return open, nil })
	sessions := 0
	for {
		open++ // the accepted connection's socket
		if ok, _ := b.admit(sessions + 1); !ok {
			break
		}
		sessions++
	}
	if want := 1000 - fdReserve - 40; sessions != want {
		t.Fatalf("admitted %d sessions, want %d (socket each, %d reserved)", sessions, want, fdReserve)
	}
	if ok, changed := b.admit(sessions + 1); ok || changed {
		t.Fatalf("second refusal: ok=%v changed=%v, want a refusal and no change", ok, changed)
	}
	open-- // the refused connection closed
	// Sessions that come to hold more (their mailboxes) are seen at the next count.
	open += 100
	sessions -= 50
	open -= 50
	if ok, _ := b.admit(sessions + 1); ok {
		t.Fatalf("admitted with %d descriptors open of 1000", open)
	}
	open -= 200
	if ok, changed := b.admit(sessions + 1); !ok || !changed {
		t.Fatalf("after 200 freed: ok=%v changed=%v, want admission and a change", ok, changed)
	}

	// Without a count, each session is charged fdsPerConnUncounted.
	blind := newFDBudget(1000, func() (int, error) { return 0, errors.New("no /proc") })
	n := 0
	for {
		if ok, _ := blind.admit(n + 1); !ok {
			break
		}
		n++
	}
	if want := (1000 - fdReserve - fdsReserved) / fdsPerConnUncounted; n < want-1 || n > want+1 {
		t.Fatalf("without a count admitted %d, want about %d", n, want)
	}
	if counts == 0 {
		t.Fatal("the budget never counted")
	}
}

func FuzzCountDirents(f *testing.F) {
	f.Add([]byte{})
	rec := func(name string) []byte {
		reclen := (19 + len(name) + 1 + 7) &^ 7
		b := make([]byte, reclen)
		b[16] = byte(reclen)
		copy(b[19:], name)
		return b
	}
	f.Add(append(append(rec("."), rec("..")...), rec("12")...))
	f.Add(rec("x")[:20])
	f.Fuzz(func(t *testing.T, b []byte) {
		if n := countDirents(b); n < 0 || n > len(b)/19 {
			t.Fatalf("%d records in %d bytes", n, len(b))
		}
	})
}

// A connection that would leave fewer than fdReserve descriptors free gets the protocol's
// goodbye instead of a session; once sessions end, connections are admitted again. The limit
// is set just above what the process holds, so the budget, not the kernel, decides.
func TestServeRefusesBeforeDescriptorsRunOut(t *testing.T) {
	lim := keepNofile(t)
	open, err := openFDs()
	if err != nil {
		t.Fatal(err)
	}
	// Room for about 10 sessions (each costs the test two descriptors: both ends).
	limit := open + fdReserve + 20
	if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &syscall.Rlimit{Cur: uint64(limit), Max: lim.Max}); err != nil {
		t.Fatal(err)
	}
	// Serve read the limit when it started: serve anew under the lowered one.
	s := serveBg(t, echo, Options{NoDescriptors: func(c net.Conn) { io.WriteString(c, "no descriptors\n") }})
	var held []net.Conn
	for len(held) < 40 {
		c := dial(t, s.addr)
		io.WriteString(c, "hello\n")
		got, err := bufio.NewReader(c).ReadString('\n')
		if err != nil {
			t.Fatalf("connection %d: %v", len(held)+1, err)
		}
		if got == "no descriptors\n" {
			break
		}
		if got != "hello\n" {
			t.Fatalf("connection %d got %q", len(held)+1, got)
		}
		held = append(held, c)
	}
	if len(held) < 5 || len(held) >= 40 {
		t.Fatalf("%d sessions admitted under a limit of %d with %d open: want about 10", len(held), limit, open)
	}
	for _, c := range held[:5] {
		c.Close()
	}
	waitFor(t, "admission after sessions ended", func() bool {
		c := dial(t, s.addr)
		defer c.Close()
		io.WriteString(c, "again\n")
		got, _ := bufio.NewReader(c).ReadString('\n')
		return got == "again\n"
	})
}
