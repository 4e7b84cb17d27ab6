package cyrusdb

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"
)

func forEachBackend(t *testing.T, fn func(t *testing.T, db DB)) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			db := b.open(t)
			if db.Online() != b.online {
				t.Fatalf("Online() = %v, want %v", db.Online(), b.online)
			}
			fn(t, db)
		})
	}
}

func TestGetPutVersions(t *testing.T) {
	forEachBackend(t, func(t *testing.T, db DB) {
		absent(t, db, "k")
		put(t, db, "k", "v1")
		v, ver1 := mustGet(t, db, "k")
		if v != "v1" || ver1 == 0 {
			t.Fatalf("got %q version %d", v, ver1)
		}
		put(t, db, "k", "")
		v, ver2 := mustGet(t, db, "k")
		if v != "" || ver2 <= ver1 {
			t.Fatalf("got %q version %d after %d", v, ver2, ver1)
		}
		big := bytes.Repeat([]byte("x"), 200<<10) // beyond ValueThreshold: value log
		if err := db.Txn(testCtx(t), nil, []Op{Put{Key: []byte("big"), Val: big}}); err != nil {
			t.Fatal(err)
		}
		if got, _ := mustGet(t, db, "big"); got != string(big) {
			t.Fatal("big value differs")
		}
	})
}

func TestTxnConditions(t *testing.T) {
	forEachBackend(t, func(t *testing.T, db DB) {
		put(t, db, "a", "1")
		_, va := mustGet(t, db, "a")
		tests := []struct {
			name string
			cond Cond
			ok   bool
		}{
			{"absent holds", Cond{Key: []byte("zz")}, true},
			{"absent fails", Cond{Key: []byte("a")}, false},
			{"exists holds", Cond{Key: []byte("a"), Exists: true}, true},
			{"exists fails", Cond{Key: []byte("zz"), Exists: true}, false},
			{"version holds", Cond{Key: []byte("a"), Version: va}, true},
			{"version stale", Cond{Key: []byte("a"), Version: va - 1}, false},
			{"version of absent", Cond{Key: []byte("zz"), Version: va}, false},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				key := "out/" + tt.name
				err := db.Txn(testCtx(t), []Cond{tt.cond}, []Op{Put{Key: []byte(key), Val: []byte("x")}})
				if tt.ok {
					if err != nil {
						t.Fatal(err)
					}
					mustGet(t, db, key)
					return
				}
				if !errors.Is(err, ErrConflict) {
					t.Fatalf("want ErrConflict, got %v", err)
				}
				absent(t, db, key)
			})
		}
		// All conditions must hold: one failing one applies nothing.
		err := db.Txn(testCtx(t), []Cond{{Key: []byte("a"), Exists: true}, {Key: []byte("a")}},
			[]Op{Put{Key: []byte("none"), Val: []byte("x")}})
		if !errors.Is(err, ErrConflict) {
			t.Fatalf("want ErrConflict, got %v", err)
		}
		absent(t, db, "none")
	})
}

func TestTxnOps(t *testing.T) {
	forEachBackend(t, func(t *testing.T, db DB) {
		put(t, db, "m/a", "1", "m/a.b", "2", "m/a.b.c", "3", "m/ab", "4", "m/b", "5", "n", "6")
		ctx := testCtx(t)
		err := db.Txn(ctx, nil, []Op{
			DeletePrefix{Prefix: []byte("m/a.")},
			Delete{Key: []byte("m/a")},
			Delete{Key: []byte("never-existed")},
			Put{Key: []byte("m/a.new"), Val: []byte("7")}, // after the DeletePrefix: kept
			Put{Key: []byte("tmp"), Val: []byte("x")},
			Delete{Key: []byte("tmp")}, // later ops see earlier ones
		})
		if err != nil {
			t.Fatal(err)
		}
		want := []string{"m/a.new=7", "m/ab=4", "m/b=5"}
		if got := scanAll(t, db, "m/"); !slices.Equal(got, want) {
			t.Fatalf("got %v, want %v", got, want)
		}
		absent(t, db, "tmp")
		mustGet(t, db, "n")

		for _, bad := range [][]Op{
			{DeletePrefix{}},
			{Put{Val: []byte("x")}},
			{Delete{}},
			{Add{Deltas: []int64{1}}},
		} {
			if err := db.Txn(ctx, nil, bad); !errors.Is(err, ErrInvalid) {
				t.Errorf("%#v: want ErrInvalid, got %v", bad, err)
			}
		}
		if _, _, err := db.Get(ctx, nil); !errors.Is(err, ErrInvalid) {
			t.Errorf("empty key: %v", err)
		}
	})
}

func TestTxnAdd(t *testing.T) {
	forEachBackend(t, func(t *testing.T, db DB) {
		ctx := testCtx(t)
		add := func(a Add) error {
			a.Key = []byte("q")
			return db.Txn(ctx, nil, []Op{a})
		}
		counters := func() []int64 {
			v, _ := mustGet(t, db, "q")
			return DecodeCounters([]byte(v))
		}
		if err := add(Add{Deltas: []int64{96, 1}, Limits: []int64{100, -1}}); err != nil {
			t.Fatal(err)
		}
		// Strict: 96+7 > 100 is refused, and the refusal names the counter.
		err := add(Add{Deltas: []int64{7, 1}, Limits: []int64{100, -1}})
		var le *LimitError
		if !errors.As(err, &le) || le.Index != 0 || le.Current != 96 || le.Delta != 7 || le.Limit != 100 || string(le.Key) != "q" {
			t.Fatalf("want LimitError on counter 0, got %v", err)
		}
		// LMTP's rule lets one message overflow, then refuses.
		if err := add(Add{Deltas: []int64{7, 1}, Limits: []int64{100, -1}, CheckBefore: true}); err != nil {
			t.Fatal(err)
		}
		if err := add(Add{Deltas: []int64{1, 1}, Limits: []int64{100, -1}, CheckBefore: true}); !errors.Is(err, ErrLimit) {
			t.Fatalf("want ErrLimit, got %v", err)
		}
		if err := add(Add{Deltas: []int64{-50, -2}, Limits: []int64{10, 10}}); err != nil {
			t.Fatal(err)
		}
		if got := counters(); !slices.Equal(got, []int64{53, 0}) {
			t.Fatalf("counters %v", got)
		}
		// A refused Add applies nothing else of its Txn.
		err = db.Txn(ctx, nil, []Op{Put{Key: []byte("side"), Val: []byte("x")},
			Add{Key: []byte("q"), Deltas: []int64{100}, Limits: []int64{100}}})
		if !errors.Is(err, ErrLimit) {
			t.Fatalf("want ErrLimit, got %v", err)
		}
		absent(t, db, "side")
		put(t, db, "notcounter", "abc")
		if err := db.Txn(ctx, nil, []Op{Add{Key: []byte("notcounter"), Deltas: []int64{1}}}); !errors.Is(err, ErrInvalid) {
			t.Fatalf("Add on a non-counter: %v", err)
		}
	})
}

func TestScan(t *testing.T) {
	forEachBackend(t, func(t *testing.T, db DB) {
		put(t, db, "a", "0", "b", "1", "b\x00", "2", "b\xff", "3", "bz", "4", "c", "5", "\xff\xff", "6")
		tests := []struct {
			prefix string
			want   []string
		}{
			{"b", []string{"b=1", "b\x00=2", "bz=4", "b\xff=3"}},
			{"bz", []string{"bz=4"}},
			{"\xff", []string{"\xff\xff=6"}},
			{"nothing", nil},
			{"", []string{"a=0", "b=1", "b\x00=2", "bz=4", "b\xff=3", "c=5", "\xff\xff=6"}},
		}
		for _, tt := range tests {
			if got := scanAll(t, db, tt.prefix); !slices.Equal(got, tt.want) {
				t.Errorf("scan %q = %q, want %q", tt.prefix, got, tt.want)
			}
		}
		stop := errors.New("stop")
		n := 0
		err := db.Scan(testCtx(t), nil, func(k, v []byte, ver uint64) error {
			n++
			if ver == 0 {
				t.Error("zero version")
			}
			if n == 2 {
				return stop
			}
			return nil
		})
		if err != stop || n != 2 {
			t.Fatalf("scan stopped with %v after %d", err, n)
		}
		// The database can be used from inside a scan callback.
		err = db.Scan(testCtx(t), []byte("b"), func(k, v []byte, _ uint64) error {
			_, _, err := db.Get(testCtx(t), k)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	})
}

// TestScanLarge crosses many chunks and the stream window, with a consumer
// that stops half-way and then lets the connection serve other calls.
func TestScanLarge(t *testing.T) {
	forEachBackend(t, func(t *testing.T, db DB) {
		ctx := testCtx(t)
		val := bytes.Repeat([]byte("v"), 1000)
		for batch := range 5 {
			var ops []Op
			for i := range 400 {
				ops = append(ops, Put{Key: fmt.Appendf(nil, "r/%06d", batch*400+i), Val: val})
			}
			if err := db.Txn(ctx, nil, ops); err != nil {
				t.Fatal(err)
			}
		}
		var prev []byte
		n := 0
		err := db.Scan(ctx, []byte("r/"), func(k, v []byte, _ uint64) error {
			if bytes.Compare(k, prev) <= 0 || !bytes.Equal(v, val) {
				return fmt.Errorf("out of order or bad value at %q", k)
			}
			prev = append(prev[:0], k...)
			n++
			return nil
		})
		if err != nil || n != 2000 {
			t.Fatalf("scanned %d: %v", n, err)
		}
		stop := errors.New("stop")
		n = 0
		err = db.Scan(ctx, []byte("r/"), func(k, v []byte, _ uint64) error {
			if n++; n == 1000 {
				return stop
			}
			return nil
		})
		if err != stop {
			t.Fatal(err)
		}
		mustGet(t, db, "r/000001")
	})
}

func TestScanContextCancel(t *testing.T) {
	forEachBackend(t, func(t *testing.T, db DB) {
		var ops []Op
		for i := range 500 {
			ops = append(ops, Put{Key: fmt.Appendf(nil, "c/%04d", i), Val: bytes.Repeat([]byte("x"), 500)})
		}
		if err := db.Txn(testCtx(t), nil, ops); err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		n := 0
		err := db.Scan(ctx, []byte("c/"), func(k, v []byte, _ uint64) error {
			if n++; n == 10 {
				cancel()
			}
			return nil
		})
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("got %v after %d records", err, n)
		}
		mustGet(t, db, "c/0001")
	})
}

func TestTTL(t *testing.T) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			db := b.open(t)
			ctx := testCtx(t)
			err := db.Txn(ctx, nil, []Op{
				Put{Key: []byte("dup/short"), Val: []byte("x"), TTL: time.Second},
				Put{Key: []byte("dup/long"), Val: []byte("y"), TTL: time.Hour},
			})
			if err != nil {
				t.Fatal(err)
			}
			mustGet(t, db, "dup/short")
			time.Sleep(2100 * time.Millisecond)
			absent(t, db, "dup/short")
			if got := scanAll(t, db, "dup/"); !slices.Equal(got, []string{"dup/long=y"}) {
				t.Fatalf("scan after expiry: %v", got)
			}
			// An expired key is absent for conditions too.
			if err := db.Txn(ctx, []Cond{{Key: []byte("dup/short")}}, nil); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestPublishSubscribe(t *testing.T) {
	forEachBackend(t, func(t *testing.T, db DB) {
		ctx := testCtx(t)
		ch, cancel, err := db.Subscribe(ctx, "user.alice")
		if err != nil {
			t.Fatal(err)
		}
		other, cancelOther, err := db.Subscribe(ctx, "user.bob")
		if err != nil {
			t.Fatal(err)
		}
		defer cancelOther()
		for range 3 { // wake-ups coalesce; the publisher never blocks
			if err := db.Publish(ctx, "user.alice"); err != nil {
				t.Fatal(err)
			}
		}
		waitWake(t, ch)
		select {
		case <-other:
			t.Fatal("woken by another topic")
		case <-time.After(50 * time.Millisecond):
		}
		cancel()
		cancel()
		for range ch { // drains to closed
		}
		subCtx, stop := context.WithCancel(ctx)
		ch2, cancel2, err := db.Subscribe(subCtx, "x")
		if err != nil {
			t.Fatal(err)
		}
		defer cancel2()
		stop()
		for range ch2 { // ctx end closes the channel
		}
	})
}

func waitWake(t testing.TB, ch <-chan struct{}) {
	t.Helper()
	select {
	case _, ok := <-ch:
		if !ok {
			t.Fatal("subscription closed")
		}
	case <-time.After(hangTimeout):
		t.Fatal("no wake-up")
	}
}

func TestBackupAndCheckpoint(t *testing.T) {
	forEachBackend(t, func(t *testing.T, db DB) {
		ctx := testCtx(t)
		put(t, db, "mbox/user.alice", "acl", "mbox/user.bob", "acl2")
		var buf bytes.Buffer
		if err := db.Backup(ctx, &buf); err != nil {
			t.Fatal(err)
		}
		restored := restoreBackup(t, buf.Bytes())
		if !slices.Equal(restored, []string{"mbox/user.alice=acl", "mbox/user.bob=acl2"}) {
			t.Fatalf("restored %v", restored)
		}
		dir := t.TempDir() + "/backup"
		for range 2 { // a second checkpoint replaces the first
			if err := db.Checkpoint(ctx, dir); err != nil {
				t.Fatal(err)
			}
		}
		data := readFile(t, dir+"/"+BackupFileName)
		if got := restoreBackup(t, data); !slices.Equal(got, restored) {
			t.Fatalf("checkpoint restored %v", got)
		}
	})
}

func TestConcurrentCAS(t *testing.T) {
	forEachBackend(t, func(t *testing.T, db DB) {
		const workers, each = 8, 40
		errs := make(chan error, workers)
		for range workers {
			go func() { errs <- incrementCAS(testCtx(t), db, []byte("ctr"), each) }()
		}
		for range workers {
			if err := <-errs; err != nil {
				t.Fatal(err)
			}
		}
		if v, _ := mustGet(t, db, "ctr"); v != fmt.Sprint(workers*each) {
			t.Fatalf("counter %s, want %d", v, workers*each)
		}
	})
}

// incrementCAS increments a decimal counter n times by read, then
// conditional write, retrying when another writer got in between.
func incrementCAS(ctx context.Context, db DB, key []byte, n int) error {
	for range n {
		for {
			val, ver, err := db.Get(ctx, key)
			if errors.Is(err, ErrNotFound) {
				val, err = []byte("0"), nil
			}
			if err != nil {
				return err
			}
			var cur int
			fmt.Sscan(string(val), &cur)
			err = db.Txn(ctx, []Cond{{Key: key, Version: ver}}, []Op{Put{Key: key, Val: fmt.Append(nil, cur+1)}})
			if errors.Is(err, ErrConflict) {
				continue
			}
			if err != nil {
				return err
			}
			break
		}
	}
	return nil
}

func TestReadOnlyClient(t *testing.T) {
	dir := t.TempDir()
	startServer(t, dir)
	db, err := Open(dir, Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.Txn(testCtx(t), nil, []Op{Put{Key: []byte("k"), Val: nil}}); !errors.Is(err, ErrReadOnly) {
		t.Fatalf("want ErrReadOnly, got %v", err)
	}
}

func TestOfflineReadOnly(t *testing.T) {
	dir := t.TempDir()
	db, err := Open(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	put(t, db, "k", "v")
	db.Close()
	ro, err := Open(dir, Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	if v, _ := mustGet(t, ro, "k"); v != "v" {
		t.Fatalf("got %q", v)
	}
	if err := ro.Txn(testCtx(t), nil, []Op{Delete{Key: []byte("k")}}); !errors.Is(err, ErrReadOnly) {
		t.Fatalf("want ErrReadOnly, got %v", err)
	}
}

func TestClosed(t *testing.T) {
	forEachBackend(t, func(t *testing.T, db DB) {
		if _, ok := db.(serverDB); ok {
			return // the server's own view is closed with the server
		}
		ch, _, err := db.Subscribe(testCtx(t), "t")
		if err != nil {
			t.Fatal(err)
		}
		if err := db.Close(); err != nil {
			t.Fatal(err)
		}
		for range ch {
		}
		if _, _, err := db.Get(testCtx(t), []byte("k")); !errors.Is(err, ErrClosed) {
			t.Fatalf("get after close: %v", err)
		}
	})
}
