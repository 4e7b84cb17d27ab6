package imapserver

import (
	"fmt"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// steppingClock is a clock that moves one second each time it is read,
// so that the progress reports fall at fixed points of a command.
func steppingClock() func() time.Time {
	var ticks atomic.Int64
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	return func() time.Time { return base.Add(time.Duration(ticks.Add(1)) * time.Second) }
}

// progressSite serves the test site with the given progress clock.
func progressSite(t *testing.T, timing progressTiming) *testSite {
	site := newTestSite(t)
	srv, err := New(site.srv.opts)
	if err != nil {
		t.Fatal(err)
	}
	srv.progress = timing
	site.srv = srv
	site.addr = serveOnLoopback(t, srv.Handle)
	return site
}

func inProgressLines(lines []string) []string {
	var out []string
	for _, l := range lines {
		if strings.HasPrefix(l, "* OK [INPROGRESS") {
			out = append(out, l)
		}
	}
	return out
}

// RFC 9585: a FETCH or SEARCH over many messages reports its progress,
// first after progressFirst and then at most every progressEvery; the
// clock is read once when the command starts and once per message.
func TestInProgressReports(t *testing.T) {
	site := progressSite(t, progressTiming{now: steppingClock(), first: 2 * time.Second, every: 3 * time.Second})
	msgs := make([]string, 10)
	for i := range msgs {
		msgs[i] = testMessage("m" + itoa(i))
	}
	site.deliver("user.alice", msgs...)
	a := site.login("alice")
	a.ok("SELECT INBOX")
	want := func(tag string, counts ...string) []string {
		var out []string
		for _, c := range counts {
			out = append(out, `* OK [INPROGRESS ("`+tag+`" `+c+` 10)] Still working`)
		}
		return out
	}
	// Read at start (t+1), then before messages 0..9 (t+2..t+11): reports
	// before messages 1 (t+3 >= t+1+2), 4 (t+6 >= t+3+3) and 7.
	for _, cmd := range []string{
		"FETCH 1:* FLAGS",
		"UID FETCH 1:* ENVELOPE", // the cached path
		"SEARCH BODY nothing-here",
		"UID SORT (SUBJECT) UTF-8 TEXT nothing-here",
		"UID THREAD REFERENCES UTF-8 BODY nothing-here",
	} {
		u := a.ok(cmd)
		tag := fmt.Sprintf("a%03d", a.n) // the tag conv.run gave it
		if got, w := inProgressLines(u), want(tag, "1", "4", "7"); !slices.Equal(got, w) {
			t.Errorf("%s: progress %q, want %q", cmd, got, w)
		}
	}
	// A command over one message ends before the first report.
	if got := inProgressLines(a.ok("FETCH 1 FLAGS")); len(got) != 0 {
		t.Errorf("short FETCH reported %q", got)
	}
	if got := inProgressLines(a.ok("NOOP")); len(got) != 0 {
		t.Errorf("NOOP reported %q", got)
	}
}

// With the real timing a command that takes no time reports nothing.
func TestInProgressNotForShortCommands(t *testing.T) {
	frozen := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	site := progressSite(t, progressTiming{now: func() time.Time { return frozen }, first: progressFirst, every: progressEvery})
	site.deliver("user.alice", testMessage("one"), testMessage("two"), testMessage("three"))
	a := site.login("alice")
	a.ok("SELECT INBOX")
	for _, cmd := range []string{"FETCH 1:* BODY.PEEK[]", "SEARCH TEXT x", "UID FETCH 1:* ENVELOPE"} {
		if got := inProgressLines(a.ok(cmd)); len(got) != 0 {
			t.Errorf("%s reported %q", cmd, got)
		}
	}
}

func TestInProgressCode(t *testing.T) {
	for _, tc := range []struct {
		tag         string
		done, total int
		want        string
	}{
		{"A1", 0, 500, `INPROGRESS ("A1" 0 500)`},
		{"x.y", 12, 0, `INPROGRESS ("x.y" 12 NIL)`},
	} {
		if got := inProgressCode(tc.tag, tc.done, tc.total); got != tc.want {
			t.Errorf("inProgressCode(%q, %d, %d) = %q, want %q", tc.tag, tc.done, tc.total, got, tc.want)
		}
	}
}
