package cyrusdb

import "testing"

// TestPrefixTopic: a PrefixTopic subscription is woken by every topic
// with its prefix (the topic itself and its subtree), in-process and
// through the db service, and not by others.
func TestPrefixTopic(t *testing.T) {
	forEachBackend(t, func(t *testing.T, db DB) {
		ctx := testCtx(t)
		ch, cancel, err := db.Subscribe(ctx, PrefixTopic("user.alice"))
		if err != nil {
			t.Fatal(err)
		}
		defer cancel()
		marker, cancelMarker, err := db.Subscribe(ctx, "marker")
		if err != nil {
			t.Fatal(err)
		}
		defer cancelMarker()
		for _, topic := range []string{"user.alice", "user.alice.Work", "user.alice.Work.x"} {
			if err := db.Publish(ctx, topic); err != nil {
				t.Fatal(err)
			}
			waitWake(t, ch)
		}
		// Not woken by another user: wake-ups arrive in publish order, so
		// once the marker's has, the other would have too.
		for _, topic := range []string{"user.bob", "user", "marker"} {
			if err := db.Publish(ctx, topic); err != nil {
				t.Fatal(err)
			}
		}
		waitWake(t, marker)
		select {
		case <-ch:
			t.Fatal("woken by a topic outside the prefix")
		default:
		}
	})
}
