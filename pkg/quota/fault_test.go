package quota

import (
	"context"
	"strings"
	"testing"

	"gocyrus/internal/faulttest"
	"gocyrus/pkg/cyrusdb"
	"gocyrus/pkg/panics"
)

// faultyDB panics on a Get of a key ending in "PANIC" (an ancestor's, below), as a bug below
// the quota layer would.
type faultyDB struct{ cyrusdb.DB }

func (f faultyDB) Get(ctx context.Context, key []byte) ([]byte, uint64, error) {
	if strings.HasSuffix(string(key), "PANIC") {
		faulttest.Panic()
	}
	return f.DB.Get(ctx, key)
}

// A panic in one of the concurrent ancestor lookups reaches the caller's
// goroutine (the session's, whose recovery ends it alone) instead of
// ending the process.
func TestRootLookupPanicReachesCaller(t *testing.T) {
	db, err := cyrusdb.Open(t.TempDir(), cyrusdb.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	s := New(faultyDB{db})
	var v any
	func() {
		defer func() { v = recover() }()
		s.RootOf(context.Background(), "user.PANIC.a.b") // the ancestor lookups run concurrently
	}()
	if e, ok := v.(*panics.Error); !ok || !strings.Contains(e.Error(), faulttest.PanicText) {
		t.Fatalf("recovered %T %v in the caller, want *panics.Error", v, v)
	}
	if _, _, err := s.RootOf(context.Background(), "user.fine.a"); err != nil {
		t.Fatalf("the store after the fault: %v", err)
	}
}
