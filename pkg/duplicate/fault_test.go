package duplicate

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"gocyrus/internal/faulttest"
	"gocyrus/pkg/cyrusdb"
	"gocyrus/pkg/panics"
)

// panickyDB panics in Txn while armed, as a bug below the flush would.
type panickyDB struct {
	cyrusdb.DB
	armed atomic.Bool
}

func (d *panickyDB) Txn(ctx context.Context, conds []cyrusdb.Cond, ops []cyrusdb.Op) error {
	if d.armed.Load() {
		faulttest.Panic()
	}
	return d.DB.Txn(ctx, conds, ops)
}

// A panic in the background flush fails that flush only: its records are
// dropped and reported to the error hook with the stack, the process goes
// on, and later records are written.
func TestFlushPanicFailsOnlyThatFlush(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	base := openStore(t)
	db := &panickyDB{DB: base.db}
	s := New(db, time.Hour)
	reported := make(chan error, 10)
	s.SetErrorHook(func(err error) { reported <- err })

	db.armed.Store(true)
	lost := Key{MessageID: "<lost@x>", Mailbox: "user.a"}
	s.MarkLater(lost, time.Unix(5000, 0), 1)
	if err := s.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	var pe *panics.Error
	if err := <-reported; !errors.As(err, &pe) {
		t.Fatalf("hook told %v, want a *panics.Error", err)
	}
	if msg := pe.Error(); !containsAll(msg, faulttest.PanicText, "fault_test.go") {
		t.Fatalf("the report lacks the fault or its stack:\n%s", msg)
	}

	db.armed.Store(false)
	kept := Key{MessageID: "<kept@x>", Mailbox: "user.a"}
	s.MarkLater(kept, time.Unix(5000, 0), 2)
	if err := s.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	fresh := New(base.db, time.Hour) // reads the databases, not the pending set
	if seen, err := fresh.Seen(ctx, kept); err != nil || !seen {
		t.Fatalf("record after the fault not written: %v %v", seen, err)
	}
	if seen, _ := fresh.Seen(ctx, lost); seen {
		t.Fatal("the failed batch was written after all")
	}
}

func containsAll(s string, subs ...string) bool {
	for _, sub := range subs {
		if !strings.Contains(s, sub) {
			return false
		}
	}
	return true
}
