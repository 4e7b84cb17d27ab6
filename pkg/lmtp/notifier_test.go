package lmtp

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"gocyrus/pkg/cyrusdb"
)

// TestNotifierCoalesces: a burst of changes wakes a subscriber, and wait
// returns once every notification has gone out.
func TestNotifierCoalesces(t *testing.T) {
	db, err := cyrusdb.Open(t.TempDir(), cyrusdb.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	events, stop, err := db.Subscribe(ctx, "user.fred")
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	n := newNotifier(db, slog.New(slog.DiscardHandler))
	for range 100 {
		n.notify("user.fred")
	}
	n.notify("user.bob")
	n.wait()
	n.mu.Lock()
	inFlight := len(n.again)
	n.mu.Unlock()
	if inFlight != 0 {
		t.Errorf("%d notifications in flight after wait", inFlight)
	}
	select {
	case <-events:
	case <-ctx.Done():
		t.Fatal("no wake-up for user.fred")
	}
}
