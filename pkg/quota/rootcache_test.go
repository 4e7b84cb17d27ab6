package quota

import (
	"context"
	"testing"
	"time"
)

// TestCacheRoots: a cached answer survives a change made elsewhere until
// its TTL, and is forgotten at once by a change through the same Store.
func TestCacheRoots(t *testing.T) {
	ctx := context.Background()
	s := openStore(t)
	other := New(s.db) // another process sharing the databases
	s.CacheRoots(time.Hour)

	steps := []struct {
		name     string
		change   func() error
		wantRoot string
	}{
		{"no root yet", nil, ""},
		{"set elsewhere: still cached", func() error { return other.Set(ctx, "user.fred", NoLimits()) }, ""},
		{"set here: forgotten", func() error { return s.Set(ctx, "user", NoLimits()) }, "user.fred"},
		{"removed elsewhere: still cached", func() error { return other.Remove(ctx, "user.fred") }, "user.fred"},
		{"removed here: forgotten", func() error { return s.Remove(ctx, "user") }, ""},
	}
	for _, st := range steps {
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

	s.CacheRoots(time.Nanosecond)
	if err := other.Set(ctx, "user.fred", NoLimits()); err != nil {
		t.Fatal(err)
	}
	s.RootOf(ctx, "user.fred")
	time.Sleep(time.Millisecond)
	if err := other.Remove(ctx, "user.fred"); err != nil {
		t.Fatal(err)
	}
	if root, ok, err := s.RootOf(ctx, "user.fred"); err != nil || ok {
		t.Errorf("after the TTL: RootOf = %q %v %v, want none", root, ok, err)
	}
}
