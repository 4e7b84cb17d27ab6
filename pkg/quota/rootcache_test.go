package quota

import (
	"context"
	"errors"
	"testing"
)

// TestCacheRootsFollowsOtherProcesses: a root set or removed through
// another Store (another process) is seen at once by a caching Store, both
// by RootOf and by the charge, which is never made to a stale root.
func TestCacheRootsFollowsOtherProcesses(t *testing.T) {
	ctx := context.Background()
	s := openStore(t)
	other := New(s.db) // another process sharing the databases
	s.CacheRoots(true)

	steps := []struct {
		name     string
		change   func() error
		wantRoot string
	}{
		{"no root yet", nil, ""},
		{"set elsewhere", func() error { return other.Set(ctx, "user.fred", NoLimits()) }, "user.fred"},
		{"set here", func() error { return s.Set(ctx, "user", NoLimits()) }, "user.fred"},
		{"removed elsewhere", func() error { return other.Remove(ctx, "user.fred") }, "user"},
		{"removed here", func() error { return s.Remove(ctx, "user") }, ""},
	}
	for _, st := range steps {
		// Fill the cache under the current root set first.
		if _, err := s.Reserve(ctx, "user.fred.Drafts", Usage{1, 1}, Strict); err != nil {
			t.Fatal(err)
		}
		if st.change != nil {
			if err := st.change(); err != nil {
				t.Fatalf("%s: %v", st.name, err)
			}
		}
		root, ok, err := s.RootOf(ctx, "user.fred.Drafts")
		if err != nil || root != st.wantRoot || ok != (st.wantRoot != "") {
			t.Errorf("%s: RootOf = %q %v %v, want %q", st.name, root, ok, err, st.wantRoot)
		}
	}
}

// TestLimitSetElsewhereHoldsAtOnce: a caching Store charges a mailbox,
// another sets a limit on a new root over it, and the very next charge is
// refused; usage equals every charge made.
func TestLimitSetElsewhereHoldsAtOnce(t *testing.T) {
	ctx := context.Background()
	s := openStore(t)
	other := New(s.db)
	s.CacheRoots(true)
	if _, err := s.Reserve(ctx, "user.bob", Usage{1000, 1}, Overflow); err != nil {
		t.Fatal(err)
	}
	l := NoLimits()
	l[Storage] = 10
	if err := other.Set(ctx, "user.bob", l); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Reserve(ctx, "user.bob", Usage{20 << 10, 1}, Overflow); err != nil {
		t.Fatalf("first delivery after SETQUOTA (under the limit): %v", err)
	}
	for i := 0; i < 2; i++ {
		if _, err := s.Reserve(ctx, "user.bob", Usage{20 << 10, 1}, Overflow); !errors.Is(err, ErrOverQuota) {
			t.Fatalf("delivery %d over the limit: %v", i+2, err)
		}
	}
	r, err := other.Get(ctx, "user.bob")
	if err != nil {
		t.Fatal(err)
	}
	if want := (Usage{1000 + 20<<10, 2}); r.Usage != want {
		t.Fatalf("usage %v, want %v", r.Usage, want)
	}
}
