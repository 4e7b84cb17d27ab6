package store

import (
	"context"
	"testing"
	"time"

	"gocyrus/pkg/cyrusdb"
	"gocyrus/pkg/mboxlist"
	"gocyrus/pkg/quota"
)

// stuckPublish is a db service that never answers a publish.
type stuckPublish struct{ cyrusdb.DB }

func (stuckPublish) Publish(ctx context.Context, topic string) error {
	<-ctx.Done()
	return ctx.Err()
}

// A change notification inside a client's command is bounded: a db service
// that does not answer cannot hold the session.
func TestNotifyIsBounded(t *testing.T) {
	s := newStore(t)
	s.db = stuckPublish{s.db}
	s.publishTimeout = 50 * time.Millisecond
	done := make(chan struct{})
	go func() {
		defer close(done)
		s.mailboxOptions(&mboxlist.Entry{Name: "user.alice"}, quota.Ignore).Notify("user.alice")
	}()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("Notify still blocked after 10s with a 50ms bound")
	}
}
