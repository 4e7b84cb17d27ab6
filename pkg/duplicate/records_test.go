package duplicate

import (
	"context"
	"strings"
	"testing"
	"time"

	"gocyrus/pkg/cyrusdb"
)

// Put overwrites, Delete removes one record (and an absent one is no
// error), DeletePeriod removes a period record, and Check names a record
// that does not read.
func TestPutDeleteCheck(t *testing.T) {
	ctx := context.Background()
	s := openStore(t)
	k := Key{MessageID: "<d@x>", Mailbox: "u1", Date: "d"}
	other := Key{MessageID: "<d@x>", Mailbox: "u2", Date: "d"}
	if err := s.Mark(ctx, k, time.Unix(1000, 0), 1); err != nil {
		t.Fatal(err)
	}
	if err := s.Mark(ctx, other, time.Unix(1000, 0), 1); err != nil {
		t.Fatal(err)
	}
	if err := s.Put(ctx, k, time.Unix(2000, 0), 7); err != nil {
		t.Fatal(err)
	}
	var got []Record
	s.Scan(ctx, func(r Record) error { got = append(got, r); return nil })
	if len(got) != 2 || got[0].Key != k || got[0].UID != 7 || got[0].At.Unix() != 2000 {
		t.Fatalf("after Put: %+v", got)
	}
	for range 2 { // the second delete finds nothing
		if err := s.Delete(ctx, k); err != nil {
			t.Fatal(err)
		}
	}
	if seen, _ := s.Seen(ctx, k); seen {
		t.Fatal("deleted record still seen")
	}
	if seen, _ := s.Seen(ctx, other); !seen {
		t.Fatal("Delete removed another record")
	}

	if _, err := s.Within(ctx, "alice", "vac", time.Hour, time.Unix(3000, 0), false); err != nil {
		t.Fatal(err)
	}
	var periods []Period
	s.ScanPeriods(ctx, func(p Period) error { periods = append(periods, p); return nil })
	if len(periods) != 1 || periods[0] != (Period{User: "alice", ID: "vac", At: time.Unix(3000, 0)}) {
		t.Fatalf("ScanPeriods = %+v", periods)
	}
	if err := s.Check(ctx); err != nil {
		t.Fatalf("Check of sound records: %v", err)
	}
	if err := s.DeletePeriod(ctx, "alice", "vac"); err != nil {
		t.Fatal(err)
	}
	periods = nil
	s.ScanPeriods(ctx, func(p Period) error { periods = append(periods, p); return nil })
	if len(periods) != 0 {
		t.Fatalf("period record left: %+v", periods)
	}

	// Damage: a short value and a key without its parts.
	if err := s.db.Txn(ctx, nil, []cyrusdb.Op{
		cyrusdb.Put{Key: []byte(prefix + "<bad@x>\x00u1\x00d"), Val: []byte{1, 2, 3}},
		cyrusdb.Put{Key: []byte(periodPrefix + "nonul"), Val: make([]byte, 8)},
	}); err != nil {
		t.Fatal(err)
	}
	err := s.Check(ctx)
	if err == nil || !strings.Contains(err.Error(), "<bad@x>") || !strings.Contains(err.Error(), "nonul") {
		t.Fatalf("Check of damaged records: %v", err)
	}
}

// FuzzDecodePeriod: a period record never panics the decoder.
func FuzzDecodePeriod(f *testing.F) {
	f.Add([]byte("SIEVEDUP/alice\x00id"), make([]byte, 8))
	f.Add([]byte("SIEVEDUP/"), []byte{})
	f.Add([]byte("x"), make([]byte, 9))
	f.Fuzz(func(t *testing.T, key, val []byte) {
		p, err := decodePeriod(key, val)
		if err != nil {
			return
		}
		if string(periodKey(p.User, p.ID)) != string(key) {
			t.Fatalf("key %q decodes to %+v, which encodes otherwise", key, p)
		}
	})
}
