package userdeny

import (
	"context"
	"errors"
	"net"
	"os"
	"strings"
	"testing"
	"time"

	"gocyrus/pkg/cyrusdb"
)

func openDB(t *testing.T) cyrusdb.DB {
	t.Helper()
	db, err := cyrusdb.Open(t.TempDir(), cyrusdb.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// TestDenies: Cyrus 3.6's rule, captured (test/compat/fixtures/cyr_deny.txt):
// first matching pattern left to right decides, "!" allows.
func TestDenies(t *testing.T) {
	for _, c := range []struct {
		services, service string
		want              bool
	}{
		{"*", "imap", true},
		{"pop3,sieve", "imap", false},
		{"pop3,sieve", "sieve", true},
		{"*,!imap", "imap", true}, // Cyrus 3.6 denies carol's imap
		{"!imap,*", "imap", false},
		{"!imap,*", "pop3", true},
		{"po?3", "pop3", true},
		{"po?3", "pop3s", false},
		{"imap*", "imaps", true},
		{"[ab]map", "imap", false},
		{"[^x]map", "imap", true},
		{"[", "imap", false}, // malformed matches nothing
		{"", "imap", false},
		{",,imap", "imap", true},
	} {
		if got := (Entry{Services: c.services}).Denies(c.service); got != c.want {
			t.Errorf("%q denies %q = %v, want %v", c.services, c.service, got, c.want)
		}
	}
}

func TestParse(t *testing.T) {
	for _, c := range []struct {
		val  string
		want Entry
		bad  bool
	}{
		{"2\t*\tgo away", Entry{User: "u", Services: "*", Message: "go away"}, false},
		{"2\tpop3", Entry{User: "u", Services: "pop3", Message: DefaultMessage}, false},
		{"1\tpop3\tignored", Entry{User: "u", Services: "pop3\tignored", Message: DefaultMessage}, false},
		{"2\t*\tmsg\twith tab", Entry{User: "u", Services: "*", Message: "msg\twith tab"}, false},
		{"2\t*\tline\r\nbreak\x00", Entry{User: "u", Services: "*", Message: "line  break "}, false},
		{"3\t*\tx", Entry{}, true},
		{"0\t*", Entry{}, true},
		{"2*", Entry{}, true},
		{"", Entry{}, true},
		{"\t*", Entry{}, true},
		{"99999999999999999999999\t*", Entry{}, true},
	} {
		got, err := parse("u", []byte(c.val))
		if c.bad {
			if !errors.Is(err, ErrBadRecord) {
				t.Errorf("parse(%q) = %+v, %v; want ErrBadRecord", c.val, got, err)
			}
			continue
		}
		if err != nil || got != c.want {
			t.Errorf("parse(%q) = %+v, %v; want %+v", c.val, got, err, c.want)
		}
	}
	long := "2\t*\t" + strings.Repeat("x", 5000)
	if e, err := parse("u", []byte(long)); err != nil || len(e.Message) != MaxMessage {
		t.Errorf("a long stored message: %d bytes, %v; want %d", len(e.Message), err, MaxMessage)
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{"2\t*\tgo away", "1\tpop3", "2\t!imap,*", "x", "2\t[\t\r\n"} {
		f.Add(s, "imap")
	}
	f.Fuzz(func(t *testing.T, val, service string) {
		e, err := parse("u", []byte(val))
		if err != nil {
			return
		}
		if strings.ContainsAny(e.Message, "\r\n\x00") || len(e.Message) > MaxMessage {
			t.Fatalf("message %q unfit for a reply", e.Message)
		}
		e.Denies(service)
	})
}

func TestSetListDelete(t *testing.T) {
	ctx := context.Background()
	db := openDB(t)
	if err := Set(ctx, db, "bob", "pop3,sieve", "Your account is suspended"); err != nil {
		t.Fatal(err)
	}
	if err := Set(ctx, db, "alice", "", ""); err != nil {
		t.Fatal(err)
	}
	v, _, err := db.Get(ctx, []byte(cyrusdb.PrefixUserDeny+"bob"))
	if err != nil || string(v) != "2\tpop3,sieve\tYour account is suspended" {
		t.Fatalf("stored %q, %v; want Cyrus's value format", v, err)
	}
	// A record written by other means that does not parse is skipped.
	if err := db.Txn(ctx, nil, []cyrusdb.Op{cyrusdb.Put{Key: []byte(cyrusdb.PrefixUserDeny + "broken"), Val: []byte("junk")}}); err != nil {
		t.Fatal(err)
	}
	var got []string
	var bad []string
	err = List(ctx, db, func(e Entry) error {
		got = append(got, e.User+"|"+e.Services+"|"+e.Message)
		return nil
	}, func(user string, err error) { bad = append(bad, user) })
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"alice|*|" + DefaultMessage, "bob|pop3,sieve|Your account is suspended"}
	if strings.Join(got, "\n") != strings.Join(want, "\n") || len(bad) != 1 || bad[0] != "broken" {
		t.Fatalf("List = %q, bad %q; want %q, bad [broken]", got, bad, want)
	}
	if err := Delete(ctx, db, "alice"); err != nil {
		t.Fatal(err)
	}
	if err := Delete(ctx, db, "nosuch"); err != nil {
		t.Fatalf("allowing a user with no entry: %v", err)
	}
	if _, found, err := Lookup(ctx, db, "alice"); found || err != nil {
		t.Fatalf("alice after Delete: found %v, %v", found, err)
	}
}

// TestSetRefusesHostile: nothing is stored that would break a reply line
// or the record format.
func TestSetRefusesHostile(t *testing.T) {
	ctx := context.Background()
	db := openDB(t)
	for _, c := range []struct{ user, services, msg string }{
		{"", "*", "x"},
		{"u", "imap\tpop3", "x"},
		{"u", "*", "a\r\n* OK injected"},
		{"u", "*", "nul\x00"},
		{"u", "*", strings.Repeat("m", MaxMessage+1)},
		{"u\nv", "*", "x"},
	} {
		if err := Set(ctx, db, c.user, c.services, c.msg); !errors.Is(err, ErrInvalid) {
			t.Errorf("Set(%q, %q, %q) = %v, want ErrInvalid", c.user, c.services, c.msg, err)
		}
	}
	n := 0
	List(ctx, db, func(Entry) error { n++; return nil }, nil)
	if n != 0 {
		t.Fatalf("%d entries stored by refused Sets", n)
	}
}

func TestGuardCheck(t *testing.T) {
	ctx := context.Background()
	db := openDB(t)
	imap, pop := NewGuard(db, "imap", nil), NewGuard(db, "pop3", nil)
	if err := Set(ctx, db, "bob", "pop3", "[[Suspended"); err != nil {
		t.Fatal(err)
	}
	if _, denied := imap.Check(ctx, "bob"); denied {
		t.Error("bob denied imap; his entry names pop3 only")
	}
	e, denied := pop.Check(ctx, "bob")
	if !denied || e.ReplyText() != "Suspended" {
		t.Errorf("pop3 Check(bob) = %q, %v; want denied with the message, leading [ removed", e.ReplyText(), denied)
	}
	if _, denied := pop.Check(ctx, "alice"); denied {
		t.Error("alice denied without an entry")
	}
	var nilGuard *Guard
	if _, denied := nilGuard.Check(ctx, "bob"); denied {
		t.Error("a nil Guard denied")
	}
}

// TestGuardKicksWatched: a watched session of a user denied afterwards is
// kicked, once, within a bounded wait; other users' and other services'
// sessions are not; after the last unwatch the goroutine ends.
func TestGuardKicksWatched(t *testing.T) {
	ctx := context.Background()
	db := openDB(t)
	g := NewGuard(db, "imap", nil)
	kicked := make(chan string, 10)
	stopA := g.Watch("alice", func(msg string) { kicked <- "alice:" + msg })
	stopB := g.Watch("bob", func(msg string) { kicked <- "bob:" + msg })
	defer stopB()
	if err := Set(ctx, db, "bob", "pop3", ""); err != nil { // another service
		t.Fatal(err)
	}
	if err := Set(ctx, db, "alice", "imap", "bye alice"); err != nil {
		t.Fatal(err)
	}
	select {
	case got := <-kicked:
		if got != "alice:bye alice" {
			t.Fatalf("kicked %q, want alice with her message", got)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("alice's session not kicked within 10s of the deny")
	}
	// Another change: alice is not told twice, bob still not at all.
	if err := Set(ctx, db, "carol", "*", ""); err != nil {
		t.Fatal(err)
	}
	g.enforce(ctx) // a direct pass: its effect is decided when it returns
	select {
	case got := <-kicked:
		t.Fatalf("unexpected kick %q", got)
	default:
	}
	stopA()
	stopB()
	g.mu.Lock()
	running := g.stop != nil
	g.mu.Unlock()
	if running {
		t.Fatal("the re-check goroutine still runs with nothing watched")
	}
}

// TestSessionWatch: a deny for the watched user wakes a read blocked on
// the session's connection, a later read deadline does not undo the
// wake-up, and Kicked gives the entry's message. CheckLogin skips empty
// identities and names the denied one.
func TestSessionWatch(t *testing.T) {
	ctx := context.Background()
	db := openDB(t)
	g := NewGuard(db, "imap", nil)
	server, client := net.Pipe()
	defer client.Close()
	defer server.Close()
	var w SessionWatch
	if _, ok := w.Kicked(); ok {
		t.Fatal("the zero watch says kicked")
	}
	w.Start(g, "alice", server)
	defer w.Stop()
	read := make(chan error, 1)
	go func() {
		_, err := server.Read(make([]byte, 1))
		read <- err
	}()
	if err := Set(ctx, db, "alice", "imap", "gone"); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-read:
		if !errors.Is(err, os.ErrDeadlineExceeded) {
			t.Fatalf("blocked read ended with %v, want the deadline", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("blocked read not woken within 30s of the deny")
	}
	w.SetReadDeadline(server, time.Now().Add(time.Hour))
	if _, err := server.Read(make([]byte, 1)); !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("read after a later deadline: %v, want the kick kept", err)
	}
	if msg, ok := w.Kicked(); !ok || msg != "gone" {
		t.Fatalf("Kicked = %q %v", msg, ok)
	}
	if _, u, denied := g.CheckLogin(ctx, "", "bob", "alice"); !denied || u != "alice" {
		t.Fatalf("CheckLogin = %q %v, want alice denied", u, denied)
	}
	if _, _, denied := g.CheckLogin(ctx, "", "bob"); denied {
		t.Fatal("CheckLogin denied bob")
	}
}
