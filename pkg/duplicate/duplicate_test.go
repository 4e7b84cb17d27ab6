package duplicate

import (
	"context"
	"testing"
	"time"

	"gocyrus/pkg/cyrusdb"
)

func openStore(t *testing.T) *Store {
	t.Helper()
	db, err := cyrusdb.Open(t.TempDir(), cyrusdb.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return New(db, time.Hour)
}

func TestMarkSeenScanPrune(t *testing.T) {
	ctx := context.Background()
	s := openStore(t)
	k1 := Key{MessageID: "<1@x>", Mailbox: "u1", Date: "Tue, 07 Jan 2025 09:00:01 +0000"}
	k2 := Key{MessageID: "<2@x>", Mailbox: "u1", Date: ""}
	if seen, err := s.Seen(ctx, k1); err != nil || seen {
		t.Fatalf("Seen before Mark = %v, %v", seen, err)
	}
	old := time.Unix(1000, 0)
	if err := s.Mark(ctx, k1, old, 3); err != nil {
		t.Fatal(err)
	}
	// A second Mark keeps the first record.
	if err := s.Mark(ctx, k1, time.Unix(2000, 0), 9); err != nil {
		t.Fatal(err)
	}
	if err := s.Mark(ctx, k2, time.Now(), 4); err != nil {
		t.Fatal(err)
	}
	if seen, err := s.Seen(ctx, k1); err != nil || !seen {
		t.Fatalf("Seen after Mark = %v, %v", seen, err)
	}
	var got []Record
	if err := s.Scan(ctx, func(r Record) error { got = append(got, r); return nil }); err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].Key != k1 || got[0].UID != 3 || got[0].At.Unix() != 1000 || got[1].Key != k2 {
		t.Fatalf("Scan = %+v", got)
	}
	n, err := s.Prune(ctx, time.Unix(1500, 0))
	if err != nil || n != 1 {
		t.Fatalf("Prune = %d, %v", n, err)
	}
	if seen, _ := s.Seen(ctx, k1); seen {
		t.Fatal("pruned record still seen")
	}
	if seen, _ := s.Seen(ctx, k2); !seen {
		t.Fatal("recent record pruned")
	}
}

func TestKeyRoundTrip(t *testing.T) {
	for _, k := range []Key{
		{MessageID: "<a@b>", Mailbox: "abc", Date: "d"},
		{MessageID: "", Mailbox: "", Date: ""},
		{MessageID: "<nul\x00inside>", Mailbox: "m", Date: "x\x00y"},
	} {
		got, err := decodeKey(k.encode())
		if err != nil {
			t.Fatal(err)
		}
		want := Key{MessageID: clean(k.MessageID), Mailbox: clean(k.Mailbox), Date: clean(k.Date)}
		if got != want {
			t.Errorf("round trip %q = %q", k, got)
		}
	}
}

func FuzzDecodeKey(f *testing.F) {
	f.Add([]byte("DUP/<a@b>\x00id\x00date"))
	f.Add([]byte("DUP/"))
	f.Add([]byte("nope"))
	f.Fuzz(func(t *testing.T, b []byte) {
		k, err := decodeKey(b)
		if err != nil {
			return
		}
		if _, err := decodeKey(k.encode()); err != nil {
			t.Fatalf("re-encoded key does not decode: %v", err)
		}
	})
}

func TestWithin(t *testing.T) {
	ctx := context.Background()
	s := openStore(t)
	now := time.Now()
	steps := []struct {
		user, id string
		period   time.Duration
		at       time.Duration // after now
		restart  bool
		want     bool
	}{
		{"alice", "vacation:h:bob@x", time.Hour, 0, false, false},
		{"alice", "vacation:h:bob@x", time.Hour, 30 * time.Minute, false, true},
		{"carol", "vacation:h:bob@x", time.Hour, 30 * time.Minute, false, false}, // per user
		{"alice", "vacation:h:bob@x", time.Hour, 61 * time.Minute, false, false}, // period over: recorded anew
		{"alice", "vacation:h:bob@x", time.Hour, 90 * time.Minute, false, true},
		{"alice", "dup:last", time.Hour, 0, true, false},
		{"alice", "dup:last", time.Hour, 50 * time.Minute, true, true},
		{"alice", "dup:last", time.Hour, 100 * time.Minute, true, true}, // renewed at 50
		{"alice", "zero", 0, 0, false, false},
		{"alice", "zero", 0, 0, false, false},
	}
	for i, st := range steps {
		got, err := s.Within(ctx, st.user, st.id, st.period, now.Add(st.at), st.restart)
		if err != nil || got != st.want {
			t.Errorf("step %d (%+v): %v, %v; want %v", i, st, got, err, st.want)
		}
	}
	// Period records are not delivery records.
	n := 0
	s.Scan(ctx, func(Record) error { n++; return nil })
	if n != 0 {
		t.Errorf("Scan saw %d delivery records", n)
	}
}

func TestMarkLater(t *testing.T) {
	ctx := context.Background()
	s := openStore(t)
	var keys []Key
	for i := range 1200 { // more than one batch
		k := Key{MessageID: "<l@x>", Mailbox: string(rune('a' + i%26)), Date: time.Unix(int64(i), 0).String()}
		keys = append(keys, k)
		s.MarkLater(k, time.Unix(5000, 0), uint32(i))
		if seen, err := s.Seen(ctx, k); err != nil || !seen {
			t.Fatalf("pending record %d not seen: %v %v", i, seen, err)
		}
	}
	if err := s.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	if len(s.pending) != 0 {
		t.Fatalf("%d records still pending", len(s.pending))
	}
	n := 0
	s.Scan(ctx, func(r Record) error {
		n++
		if !r.At.Equal(time.Unix(5000, 0)) {
			t.Errorf("record %+v", r)
		}
		return nil
	})
	if n != len(keys) {
		t.Errorf("%d records written, want %d", n, len(keys))
	}
}
