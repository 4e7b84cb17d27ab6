package mboxlist

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"sync"
	"testing"
	"time"

	"gocyrus/pkg/cyrusdb"
)

// The child role of TestUIDValidityDistinctAcrossProcesses: allocate
// childAllocs values through the db service and print each.
const (
	envUVChild  = "MBOXLIST_TEST_UIDVALIDITY_DIR"
	childAllocs = 40
)

func TestMain(m *testing.M) {
	if dir := os.Getenv(envUVChild); dir != "" {
		if err := allocChild(dir); err != nil {
			fmt.Fprintln(os.Stderr, "child:", err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

func allocChild(dir string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	db, err := cyrusdb.Open(dir, cyrusdb.Options{})
	if err != nil {
		return err
	}
	defer db.Close()
	if !db.Online() {
		return errors.New("not routed to the db service")
	}
	l := New(db)
	for range childAllocs {
		v, err := l.NextUIDValidity(ctx)
		if err != nil {
			return err
		}
		fmt.Println(v)
	}
	return nil
}

func setCounter(t *testing.T, db cyrusdb.DB, v string) {
	t.Helper()
	err := db.Txn(context.Background(), nil, []cyrusdb.Op{cyrusdb.Put{Key: []byte(cyrusdb.KeyUIDValidity), Val: []byte(v)}})
	if err != nil {
		t.Fatal(err)
	}
}

func TestUIDValidityIncreasingFromNow(t *testing.T) {
	l := openList(t)
	ctx := context.Background()
	start := uint32(time.Now().Unix())
	var last uint32
	// Many in one second: the clock alone would repeat itself.
	for i := range 50 {
		v, err := l.NextUIDValidity(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if v < start || v <= last {
			t.Fatalf("allocation %d: %d after %d (started at %d)", i, v, last, start)
		}
		last = v
	}
}

func TestUIDValidityDistinctAcrossGoroutines(t *testing.T) {
	l := openList(t)
	ctx := context.Background()
	const workers, each = 8, 25
	got := make(chan uint32, workers*each)
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for range each {
				v, err := l.NextUIDValidity(ctx)
				if err != nil {
					t.Error(err)
					return
				}
				got <- v
			}
		})
	}
	wg.Wait()
	close(got)
	seen := map[uint32]bool{}
	for v := range got {
		if seen[v] {
			t.Fatalf("uidvalidity %d handed out twice", v)
		}
		seen[v] = true
	}
	if len(seen) != workers*each {
		t.Fatalf("%d values, want %d", len(seen), workers*each)
	}
}

// Processes allocating at once through the db service (imapd and lmtpd
// creating mailboxes) never get the same value.
func TestUIDValidityDistinctAcrossProcesses(t *testing.T) {
	dir := t.TempDir()
	srv, err := cyrusdb.OpenServer(dir, cyrusdb.Options{})
	if err != nil {
		t.Fatal(err)
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve() }()
	t.Cleanup(func() {
		srv.Close()
		<-served
	})
	l := New(srv.DB())
	const children = 3
	type result struct {
		vals []uint32
		err  error
	}
	results := make(chan result, children)
	for range children {
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), envUVChild+"="+dir)
		cmd.Stderr = os.Stderr
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		go func() {
			var r result
			sc := bufio.NewScanner(out)
			for sc.Scan() {
				v, err := strconv.ParseUint(sc.Text(), 10, 32)
				if err != nil {
					r.err = fmt.Errorf("child printed %q", sc.Text())
					break
				}
				r.vals = append(r.vals, uint32(v))
			}
			if err := cmd.Wait(); err != nil && r.err == nil {
				r.err = fmt.Errorf("child: %w", err)
			}
			results <- r
		}()
	}
	ctx := context.Background()
	seen := map[uint32]bool{}
	for range childAllocs {
		v, err := l.NextUIDValidity(ctx)
		if err != nil {
			t.Fatal(err)
		}
		seen[v] = true
	}
	deadline := time.After(90 * time.Second)
	for range children {
		select {
		case r := <-results:
			if r.err != nil {
				t.Fatal(r.err)
			}
			for _, v := range r.vals {
				if seen[v] {
					t.Fatalf("uidvalidity %d handed out twice", v)
				}
				seen[v] = true
			}
		case <-deadline:
			t.Fatal("children did not finish")
		}
	}
	if want := (children + 1) * childAllocs; len(seen) != want {
		t.Fatalf("%d distinct values, want %d", len(seen), want)
	}
}

// The counter outlives the process, and a clock set back (here: a counter
// ahead of now, as after a clock correction) never brings an old value back.
func TestUIDValidityAfterRestartAndClockBack(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	db, err := cyrusdb.Open(dir, cyrusdb.Options{})
	if err != nil {
		t.Fatal(err)
	}
	ahead := uint32(time.Now().Unix()) + 100000
	setCounter(t, db, strconv.FormatUint(uint64(ahead), 10))
	first, err := New(db).NextUIDValidity(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if first != ahead+1 {
		t.Fatalf("after a counter at %d: %d", ahead, first)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	db, err = cyrusdb.Open(dir, cyrusdb.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	second, err := New(db).NextUIDValidity(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if second <= first {
		t.Fatalf("after a restart: %d, before it %d", second, first)
	}
}

func TestRaiseUIDValidity(t *testing.T) {
	l := openList(t)
	ctx := context.Background()
	top := uint32(time.Now().Unix()) + 5000
	if err := l.RaiseUIDValidity(ctx, top); err != nil {
		t.Fatal(err)
	}
	if err := l.RaiseUIDValidity(ctx, 7); err != nil { // lower: no change
		t.Fatal(err)
	}
	if v, err := l.NextUIDValidity(ctx); err != nil || v != top+1 {
		t.Fatalf("after raising to %d: %d %v", top, v, err)
	}
}

// An undumped list's values are never handed out again.
func TestImportRaisesUIDValidity(t *testing.T) {
	l := openList(t)
	ctx := context.Background()
	top := uint32(time.Now().Unix()) + 5000
	err := l.Import(ctx, []*Entry{
		{Name: "user.a", Partition: "default", UniqueID: "ua", UIDValidity: top},
		{Name: "user.b", Partition: "default", UniqueID: "ub", UIDValidity: 12},
	})
	if err != nil {
		t.Fatal(err)
	}
	if v, err := l.NextUIDValidity(ctx); err != nil || v <= top {
		t.Fatalf("after importing %d: %d %v", top, v, err)
	}
}

func TestUIDValidityCounterDamagedOrExhausted(t *testing.T) {
	l := openList(t)
	ctx := context.Background()
	setCounter(t, l.DB(), "not a number")
	if _, err := l.NextUIDValidity(ctx); err == nil {
		t.Error("a damaged counter gave a value")
	}
	setCounter(t, l.DB(), "4294967295")
	if _, err := l.NextUIDValidity(ctx); !errors.Is(err, ErrUIDValidityExhausted) {
		t.Errorf("exhausted counter: %v", err)
	}
}
