package quota

import (
	"context"
	"errors"
	"sync"
	"testing"

	"gocyrus/pkg/cyrusdb"
)

func TestExceeded(t *testing.T) {
	l := NoLimits()
	l[Storage] = 100 // KiB
	l[Message] = 10
	kib := int64(1024)
	tests := []struct {
		name        string
		used, delta Usage
		mode        Mode
		want        bool
		res         Resource
	}{
		{"fits", Usage{50 * kib, 1}, Usage{10 * kib, 1}, Strict, false, 0},
		{"exactly at limit is allowed", Usage{90 * kib, 1}, Usage{10 * kib, 1}, Strict, false, 0},
		{"one byte over", Usage{90 * kib, 1}, Usage{10*kib + 1, 1}, Strict, true, Storage},
		{"message count", Usage{0, 10}, Usage{1, 1}, Strict, true, Message},
		{"lmtp overflow: under limit accepts a big message", Usage{96 * kib, 1}, Usage{7000 * kib, 1}, Overflow, false, 0},
		{"lmtp overflow: at limit still accepts", Usage{100 * kib, 1}, Usage{kib, 1}, Overflow, false, 0},
		{"lmtp overflow: already over refuses", Usage{100*kib + 1, 1}, Usage{1, 1}, Overflow, true, Storage},
		{"ignore", Usage{1000 * kib, 100}, Usage{kib, 1}, Ignore, false, 0},
		{"reducing usage is always allowed", Usage{1000 * kib, 100}, Usage{-kib, -1}, Strict, false, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res, got := Exceeded(l, tc.used, tc.delta, tc.mode)
			if got != tc.want || (got && res != tc.res) {
				t.Fatalf("Exceeded = %v %v, want %v %v", res, got, tc.res, tc.want)
			}
		})
	}
}

func TestParseResource(t *testing.T) {
	for _, n := range []string{"storage", "STORAGE", "Message", "x-num-folders", "X-ANNOTATION-STORAGE"} {
		if _, err := ParseResource(n); err != nil {
			t.Errorf("%s: %v", n, err)
		}
	}
	if _, err := ParseResource("BOGUS"); !errors.Is(err, ErrUnknownResource) {
		t.Errorf("BOGUS: %v", err)
	}
}

func openStore(t *testing.T) *Store {
	t.Helper()
	db, err := cyrusdb.Open(t.TempDir(), cyrusdb.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return New(db)
}

func TestRootOfNearestAncestor(t *testing.T) {
	ctx := context.Background()
	s := openStore(t)
	for _, r := range []string{"user.adam", "user.adam.subsys", "example.org!user.eve"} {
		if err := s.Set(ctx, r, NoLimits()); err != nil {
			t.Fatal(err)
		}
	}
	cases := map[string]string{
		"user.adam":              "user.adam",
		"user.adam.klug":         "user.adam",
		"user.adam.subsys":       "user.adam.subsys",
		"user.adam.subsys.gnome": "user.adam.subsys",
		"user.adamant":           "",
		"user.bob":               "",
		"example.org!user.eve.x": "example.org!user.eve",
		"other.org!user.eve":     "",
	}
	for mbox, want := range cases {
		got, ok, err := s.RootOf(ctx, mbox)
		if err != nil || got != want || ok != (want != "") {
			t.Errorf("RootOf(%s) = %q %v %v, want %q", mbox, got, ok, err, want)
		}
	}
	if err := s.Remove(ctx, "user.adam.subsys"); err != nil {
		t.Fatal(err)
	}
	if got, _, _ := s.RootOf(ctx, "user.adam.subsys.gnome"); got != "user.adam" {
		t.Errorf("after removing the inner root: %q", got)
	}
	if err := s.Remove(ctx, "user.nosuch"); !errors.Is(err, ErrNoRoot) {
		t.Errorf("remove missing root: %v", err)
	}
}

func TestReserveCommitRelease(t *testing.T) {
	ctx := context.Background()
	s := openStore(t)
	l := NoLimits()
	l[Storage] = 10
	if err := s.Set(ctx, "user.a", l); err != nil {
		t.Fatal(err)
	}
	r, err := s.Reserve(ctx, "user.a", Usage{6 * 1024, 1}, Strict)
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Commit(); err != nil {
		t.Fatal(err)
	}
	_, err = s.Reserve(ctx, "user.a", Usage{5 * 1024, 1}, Strict)
	var oq *OverQuotaError
	if !errors.As(err, &oq) || oq.Resource != Storage || !errors.Is(err, ErrOverQuota) {
		t.Fatalf("strict over quota: %v", err)
	}
	// LMTP may overflow once ...
	r, err = s.Reserve(ctx, "user.a", Usage{5 * 1024, 1}, Overflow)
	if err != nil {
		t.Fatalf("overflow: %v", err)
	}
	r.Commit()
	// ... but not when already over.
	if _, err := s.Reserve(ctx, "user.a", Usage{1, 1}, Overflow); !errors.Is(err, ErrOverQuota) {
		t.Fatalf("second overflow: %v", err)
	}
	// A released reservation gives the usage back.
	r, err = s.Reserve(ctx, "user.a", Usage{100, 1}, Ignore)
	if err != nil {
		t.Fatal(err)
	}
	r.Release()
	got, err := s.Get(ctx, "user.a")
	if err != nil {
		t.Fatal(err)
	}
	if got.Usage[Storage] != 11*1024 || got.Usage[Message] != 2 {
		t.Fatalf("usage = %v", got.Usage)
	}
	// No root: nothing charged, nothing refused.
	if _, err := s.Reserve(ctx, "", Usage{1 << 40, 1}, Strict); err != nil {
		t.Fatal(err)
	}
}

// TestConcurrentReserveNeverOvershoots charges one root from many goroutines:
// exactly limit/size reservations succeed.
func TestConcurrentReserveNeverOvershoots(t *testing.T) {
	ctx := context.Background()
	s := openStore(t)
	l := NoLimits()
	l[Message] = 50
	if err := s.Set(ctx, "user.c", l); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	ok := 0
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 20; i++ {
				if _, err := s.Reserve(ctx, "user.c", Usage{10, 1}, Strict); err == nil {
					mu.Lock()
					ok++
					mu.Unlock()
				}
			}
		}()
	}
	wg.Wait()
	if ok != 50 {
		t.Fatalf("%d reservations succeeded, want 50", ok)
	}
}

func TestListAndFix(t *testing.T) {
	ctx := context.Background()
	s := openStore(t)
	for _, r := range []string{"user.b", "user.a", "shared"} {
		if err := s.Set(ctx, r, NoLimits()); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.Reserve(ctx, "user.a.stale", Usage{5, 5}, Ignore); err != nil {
		t.Fatal(err)
	}
	before, after, err := s.Fix(ctx, "user.a", map[string]Usage{"user.a": {2048, 3}, "user.b": {1, 1}}, false)
	if err != nil || before != (Usage{5, 5}) || after != (Usage{2048, 3}) {
		t.Fatalf("Fix = %v %v %v", before, after, err)
	}
	if u, _ := s.Charged(ctx, "user.a.stale"); u != (Usage{}) {
		t.Errorf("a stale record survived Fix: %v", u)
	}
	roots, err := s.List(ctx, "user.")
	if err != nil {
		t.Fatal(err)
	}
	if len(roots) != 2 || roots[0].Name != "user.a" || roots[0].Usage.Display(Storage) != 2 || roots[1].Name != "user.b" || roots[1].Usage != (Usage{}) {
		t.Fatalf("List = %+v", roots)
	}
	if _, _, err := s.Fix(ctx, "user.none", nil, false); !errors.Is(err, ErrNoRoot) {
		t.Fatalf("Fix on a missing root: %v", err)
	}
}
