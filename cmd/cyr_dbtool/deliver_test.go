package main

import (
	"bufio"
	"context"
	"errors"
	"maps"
	"strings"
	"testing"
	"time"

	"gocyrus/pkg/cyrusdb"
	"gocyrus/pkg/duplicate"
)

// TestDeliverRendering: each gocyrus record as Cyrus 3.6.1's deliver.db
// holds it (the first row is test/compat/fixtures/cyr_dbtool_deliver.txt's
// record, byte for byte).
func TestDeliverRendering(t *testing.T) {
	ctx := context.Background()
	st := newTestStore(t)
	dups := duplicate.New(st.DB(), time.Hour)
	if err := dups.Mark(ctx, duplicate.Key{MessageID: "<dup1@example.org>", Mailbox: "0pzdupy2h81fhljoar66qb7t",
		Date: "Mon, 7 Dec 2026 10:00:00 +0000"}, time.Unix(1796699335, 0), 1); err != nil {
		t.Fatal(err)
	}
	if err := dups.Mark(ctx, duplicate.Key{MessageID: "<big@x>", Mailbox: "m", Date: ""}, time.Unix(0x0102030405, 0), 0xfffffffe); err != nil {
		t.Fatal(err)
	}
	if _, err := dups.Within(ctx, "alice", "vac-id", time.Hour, time.Unix(1700000000, 0), false); err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	w := bufio.NewWriter(&b)
	if err := show(ctx, mustView(t, st, "/any/dir/deliver.db"), nil, w); err != nil {
		t.Fatal(err)
	}
	w.Flush()
	want := "" +
		"<big@x>\x00m\x00\x00\t\x05\x04\x03\x02\x01\x00\x00\x00\xfe\xff\xff\xff\x00\x00\x00\x00\n" +
		"<dup1@example.org>\x000pzdupy2h81fhljoar66qb7t\x00Mon, 7 Dec 2026 10:00:00 +0000\x00\t\xc7\x74\x17\x6b\x00\x00\x00\x00\x01\x00\x00\x00\x00\x00\x00\x00\n" +
		"vac-id\x00alice\x00\x00\t\x00\xf1\x53\x65\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\n"
	if b.String() != want {
		t.Errorf("deliver.db show:\n%q\nwant\n%q", b.String(), want)
	}
}

// TestDeliverSetGetDelete: set writes a delivery record lmtpd then finds,
// get prints it back, delete removes it (and a Sieve record by its
// empty-date key); consistent reports a record that does not read.
func TestDeliverSetGetDelete(t *testing.T) {
	ctx := context.Background()
	st := newTestStore(t)
	v := mustView(t, st, "deliver.db")
	key := "<s@x>\x00uid1\x00Tue, 8 Dec 2026\x00"
	val := string(dupValue(time.Unix(1796699335, 0), 42))
	if err := v.set(ctx, []byte(key), []byte(val)); err != nil {
		t.Fatal(err)
	}
	if got := getValue(t, v, key); got != val {
		t.Fatalf("get after set: %q, want %q", got, val)
	}
	dups := duplicate.New(st.DB(), 0)
	k := duplicate.Key{MessageID: "<s@x>", Mailbox: "uid1", Date: "Tue, 8 Dec 2026"}
	if seen, err := dups.Seen(ctx, k); err != nil || !seen {
		t.Fatalf("lmtpd does not see the record set: %v %v", seen, err)
	}
	// A bare time (Cyrus reads one as UID 0) replaces the record.
	if err := v.set(ctx, []byte(key), []byte(val[:8])); err != nil {
		t.Fatal(err)
	}
	if got := getValue(t, v, key); got != val[:8]+strings.Repeat("\x00", 8) {
		t.Fatalf("get after a bare-time set: %q", got)
	}
	for range 2 { // an absent key is no error
		if err := v.del(ctx, []byte(key)); err != nil {
			t.Fatal(err)
		}
	}
	if seen, _ := dups.Seen(ctx, k); seen {
		t.Fatal("deleted record still seen")
	}

	if _, err := dups.Within(ctx, "alice", "vac", time.Hour, time.Now(), false); err != nil {
		t.Fatal(err)
	}
	if got := getValue(t, v, "vac\x00alice\x00\x00"); len(got) != 16 {
		t.Fatalf("the Sieve record: %q", got)
	}
	if err := v.del(ctx, []byte("vac\x00alice\x00\x00")); err != nil {
		t.Fatal(err)
	}
	if got := getValue(t, v, "vac\x00alice\x00\x00"); got != "" {
		t.Fatalf("the Sieve record after delete: %q", got)
	}

	if err := v.consistent(ctx); err != nil {
		t.Fatal(err)
	}
	if err := st.DB().Txn(ctx, nil, []cyrusdb.Op{cyrusdb.Put{Key: []byte(cyrusdb.PrefixDuplicate + "<d@x>\x00u\x00d"), Val: []byte("short")}}); err != nil {
		t.Fatal(err)
	}
	if err := v.consistent(ctx); err == nil || !strings.Contains(err.Error(), "<d@x>") {
		t.Errorf("consistent on a damaged record: %v", err)
	}
}

// TestDeliverRefusals: keys and values gocyrus cannot map are refused and
// change nothing.
func TestDeliverRefusals(t *testing.T) {
	ctx := context.Background()
	st := newTestStore(t)
	good := string(dupValue(time.Unix(1000, 0), 1))
	for _, c := range []struct{ key, val, why string }{
		{"<a@x>\x00u\x00d", good, "keys are"},
		{"<a@x>\x00u\x00", good, "keys are"},
		{"<a@x>\x00u\x00d\x00x\x00", good, "keys are"},
		{"", good, "empty key"},
		{strings.Repeat("k", 5000), good, "more than"},
		{"<a@x>\x00u\x00d\x00", "", "16 bytes"},
		{"<a@x>\x00u\x00d\x00", good + "x", "16 bytes"},
		{"<a@x>\x00u\x00d\x00", strings.Repeat("\xff", 16), "before 1970"},
		{"<a@x>\x00u\x00d\x00", good[:8] + "\x00\x00\x00\x00\x01\x00\x00\x00", "UID"},
	} {
		before := snapshot(t, st)
		err := mustView(t, st, "deliver.db").set(ctx, []byte(c.key), []byte(c.val))
		var r *refusal
		if !errors.As(err, &r) || !strings.Contains(r.msg, c.why) {
			t.Errorf("set %.40q %q: %v, want a refusal with %q", c.key, c.val, err, c.why)
		}
		if after := snapshot(t, st); !maps.Equal(before, after) {
			t.Errorf("set %.40q: refused, but the records changed", c.key)
		}
	}
	var r *refusal
	if err := mustView(t, st, "deliver.db").del(ctx, []byte("nonul")); !errors.As(err, &r) {
		t.Errorf("delete of a malformed key: %v", err)
	}
}
