package imapserver

import (
	"slices"
	"strconv"
	"strings"
	"testing"
)

func TestPerUserSeen(t *testing.T) {
	s := newTestSite(t)
	s.deliver("board", testMessage("b1"), testMessage("b2"), testMessage("b3"))
	a := s.login("alice")
	b := s.login("bob")
	a2 := s.login("alice")
	const board = `"Shared Folders/board"`

	a.ok("SELECT " + board)
	a2.ok("SELECT " + board)
	u := a.ok("FETCH 1 BODY[]")
	if !strings.Contains(u[0], `\Seen`) {
		t.Fatalf("FETCH BODY[] did not set alice's \\Seen: %q", u)
	}
	a.ok(`STORE 2 +FLAGS.SILENT (\Seen)`)
	has(t, a.ok("SEARCH UNSEEN"), "* SEARCH 3")
	has(t, a.ok("SEARCH SEEN"), "* SEARCH 1 2")
	// Alice's other session hears of it as a flag change.
	u = a2.ok("NOOP")
	hasPrefix(t, u, `* 1 FETCH (UID 1 FLAGS (\Seen`)
	hasPrefix(t, u, `* 2 FETCH (UID 2 FLAGS (\Seen`)

	// Bob's \Seen is his own.
	has(t, b.ok("STATUS "+board+" (UNSEEN)"), `* STATUS `+board+` (UNSEEN 3)`)
	has(t, a.ok("STATUS "+board+" (UNSEEN)"), `* STATUS `+board+` (UNSEEN 1)`)
	u = b.ok("SELECT " + board)
	has(t, u, "* OK [UNSEEN 1] Ok")
	has(t, b.ok("SEARCH SEEN"), "* SEARCH")
	b.ok(`STORE 3 FLAGS (\Seen)`)
	has(t, b.ok("SEARCH SEEN"), "* SEARCH 3")
	has(t, a.ok("SEARCH SEEN"), "* SEARCH 1 2")
	b.ok(`STORE 3 -FLAGS (\Seen)`)
	has(t, b.ok("SEARCH SEEN"), "* SEARCH")

	// The owner's \Seen is the index flag; a sharer neither sees nor
	// changes it, even when replacing all flags.
	s.deliver("user.alice", testMessage("mine"))
	a.ok("SETACL INBOX bob lrsw")
	a.ok("SELECT INBOX")
	a.ok(`STORE 1 +FLAGS.SILENT (\Seen \Flagged)`)
	b.ok(`SELECT "Other Users/alice"`)
	u = b.ok("FETCH 1 FLAGS")
	if strings.Contains(u[0], `\Seen`) || !strings.Contains(u[0], `\Flagged`) {
		t.Fatalf("bob sees alice's \\Seen: %q", u)
	}
	b.ok(`STORE 1 FLAGS (\Answered)`)
	u = a.ok("FETCH 1 FLAGS")
	if !strings.Contains(u[0], `\Seen`) || !strings.Contains(u[0], `\Answered`) || strings.Contains(u[0], `\Flagged`) {
		t.Fatalf("alice's flags after bob's FLAGS replace: %q", u)
	}
	b.ok(`STORE 1 FLAGS (\Answered \Seen)`)
	has(t, b.ok("SEARCH SEEN"), "* SEARCH 1")
	has(t, b.ok("STATUS INBOX (UNSEEN)"), "* STATUS INBOX (UNSEEN 0)")
}

func TestSeenSet(t *testing.T) {
	for _, tc := range []struct {
		in, out string
		bad     bool
	}{
		{"", "", false},
		{"1:3,7", "1:3,7", false},
		{"7,3:1,2", "1:3,7", false},
		{"5:5", "5", false},
		{"0", "", true},
		{"1:x", "", true},
		{"1,,2", "", true},
		{"1:4294967295", "1:4294967295", false},
		{"4294967295:1,2:3", "1:4294967295", false},
		{"9,1:3,4,6:7,8", "1:4,6:9", false},
	} {
		set, err := parseSeenSet(tc.in)
		if (err != nil) != tc.bad {
			t.Fatalf("parseSeenSet(%q): err %v", tc.in, err)
		}
		if err == nil && set.String() != tc.out {
			t.Fatalf("parseSeenSet(%q) = %q, want %q", tc.in, set, tc.out)
		}
	}
	set, _ := parseSeenSet("1:3")
	set = set.with([]uint32{9, 2}).without([]uint32{1})
	if set.String() != "2:3,9" || !set.has(9) || set.has(1) || set.has(4) {
		t.Fatalf("with/without: %v", set)
	}
	other, _ := parseSeenSet("3:4")
	if d := set.changedAmong(other, []uint32{1, 2, 3, 4, 9, 10}); !slices.Equal(d, []uint32{2, 4, 9}) {
		t.Fatalf("changedAmong: %v", d)
	}
	for _, tc := range []struct{ in, drop, out string }{
		{"1:10", "1,10", "2:9"},
		{"1:10", "5", "1:4,6:10"},
		{"1:10", "4,5,6", "1:3,7:10"},
		{"1:3,5:7", "3,5,8", "1:2,6:7"},
		{"4294967294:4294967295", "4294967295", "4294967294"},
		{"7", "7", ""},
	} {
		set, _ := parseSeenSet(tc.in)
		var drop []uint32
		for _, f := range strings.Split(tc.drop, ",") {
			n, _ := strconv.ParseUint(f, 10, 32)
			drop = append(drop, uint32(n))
		}
		if got := set.without(drop).String(); got != tc.out {
			t.Errorf("%s without %s = %q, want %q", tc.in, tc.drop, got, tc.out)
		}
	}
}

// TestSeenSetCostsItsText: a record's memory and time follow its length,
// not the span of its ranges (a fuzzed "7770070:1,..." once expanded to
// millions of UIDs per parse).
func TestSeenSetCostsItsText(t *testing.T) {
	text := strings.Repeat("1:4294967295,", 1000) + "5"
	set, err := parseSeenSet(text)
	if err != nil || len(set) != 1 || !set.has(4294967295) || !set.has(1) {
		t.Fatalf("%d ranges, %v", len(set), err)
	}
	if got := set.without([]uint32{2}).String(); got != "1,3:4294967295" {
		t.Fatalf("without: %s", got)
	}
}

func FuzzSeenSet(f *testing.F) {
	for _, s := range []string{"", "1", "1:3,7", "3:1", "1,,", ":", "4294967295", "1:100000"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		set, err := parseSeenSet(text)
		if err != nil {
			return
		}
		again, err := parseSeenSet(set.String())
		if err != nil || !slices.Equal(again, set) {
			t.Fatalf("round trip of %q: %v %v", text, again, err)
		}
	})
}
