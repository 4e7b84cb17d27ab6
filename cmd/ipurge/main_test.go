package main

import (
	"bytes"
	"context"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/urfave/cli/v3"

	"gocyrus/internal/tool"
	"gocyrus/pkg/mailbox"
)

// parse runs ipurge's command line up to parseOptions and returns what it
// decided, the exit status and stderr.
func parse(t *testing.T, args ...string) (options, int, string) {
	t.Helper()
	cmd := command()
	var got options
	cmd.Action = func(_ context.Context, c *cli.Command) error {
		o, err := parseOptions(c)
		got = o
		return err
	}
	var stderr bytes.Buffer
	code := tool.Run(cmd, append([]string{"ipurge"}, args...), &stderr)
	return got, code, stderr.String()
}

func TestParseOptions(t *testing.T) {
	tests := []struct {
		args []string
		want options
	}{
		{[]string{"-d", "30"}, options{days: 30}},
		{[]string{"-d", "0", "shared.*", "other"}, options{args: []string{"shared.*", "other"}}},
		{[]string{"-b", "100"}, options{bySize: true, bytes: 100}},
		{[]string{"-k", "2"}, options{bySize: true, bytes: 2048}},
		{[]string{"-m", "3"}, options{bySize: true, bytes: 3 << 20}},
		{[]string{"-fxMXisonv", "-d", "1"}, options{days: 1, force: true, exact: true, names: true, byDelivery: true,
			invert: true, skipFlagged: true, onlyDeleted: true, dryRun: true, verbose: true}},
		{[]string{"-X", "-b", "5"}, options{bySize: true, bytes: 5, byDelivery: true}},
	}
	for _, tt := range tests {
		got, code, stderr := parse(t, tt.args...)
		if code != 0 {
			t.Errorf("%q: exit %d: %s", tt.args, code, stderr)
			continue
		}
		if len(got.args) == 0 && len(tt.want.args) == 0 {
			got.args, tt.want.args = nil, nil
		}
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%q: got %+v, want %+v", tt.args, got, tt.want)
		}
	}
}

func TestParseOptionsRefuses(t *testing.T) {
	tests := []struct {
		args []string
		msg  string
	}{
		{nil, "one of -d, -b, -k and -m must be given"},
		{[]string{"-v", "shared"}, "one of -d, -b, -k and -m must be given"},
		{[]string{"-d", "1", "-b", "2"}, "give only one of -d, -b, -k and -m"},
		{[]string{"-k", "1", "-m", "2"}, "give only one of"},
		{[]string{"-d", "-1"}, `-d: "-1" is not a whole non-negative number`},
		{[]string{"-d", "1.5"}, `-d: "1.5" is not a whole non-negative number`},
		{[]string{"-b", "10k"}, `-b: "10k" is not a whole non-negative number`},
		{[]string{"-m", ""}, `-m: "" is not a whole non-negative number`},
		{[]string{"-m", "9000000000000"}, "-m: 9000000000000 is too large"},
		{[]string{"-d", "999999999999999"}, "-d: 999999999999999 is too large"},
		{[]string{"-q", "-d", "1"}, "flag provided but not defined: -q"},
		{[]string{"-d"}, "flag needs an argument"},
	}
	for _, tt := range tests {
		_, code, stderr := parse(t, tt.args...)
		if code != tool.ExitUsage || !strings.HasPrefix(stderr, "ipurge: ") || !strings.Contains(stderr, tt.msg) ||
			strings.Count(stderr, "\n") != 1 {
			t.Errorf("%q: exit %d, stderr %q; want %d and %q on one line", tt.args, code, stderr, tool.ExitUsage, tt.msg)
		}
	}
}

func TestPurges(t *testing.T) {
	// Sent dates count from the start of their (local) day: fix the zone.
	saved := time.Local
	time.Local = time.UTC
	defer func() { time.Local = saved }()
	now := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	day := 24 * time.Hour
	rec := func(sentAgo, deliveredAgo time.Duration, size uint32, flags mailbox.Flags) mailbox.Record {
		r := mailbox.Record{Size: size, Flags: flags}
		r.SetInternalDate(now.Add(-deliveredAgo))
		if sentAgo >= 0 {
			r.SetSentDate(now.Add(-sentAgo))
		}
		return r
	}
	old := rec(40*day, time.Hour, 100, 0) // sent long ago, delivered now
	fresh := rec(2*day, 40*day, 5000, 0)  // delivered long ago
	undated := rec(-1, 40*day, 100, 0)    // no Date: header
	flagged := rec(40*day, time.Hour, 100, mailbox.FlagFlagged)
	deleted := rec(40*day, time.Hour, 100, mailbox.FlagDeleted)
	exactly3 := rec(3*day+time.Hour, time.Hour, 100, 0)
	tests := []struct {
		name string
		o    options
		r    mailbox.Record
		want bool
	}{
		{"older by Date", options{days: 30}, old, true},
		{"newer by Date", options{days: 30}, fresh, false},
		{"no Date counts from delivery", options{days: 30}, undated, true},
		{"-X older by delivery", options{days: 30, byDelivery: true}, fresh, true},
		{"-X newer by delivery", options{days: 30, byDelivery: true}, old, false},
		{"-i newer", options{days: 30, invert: true}, fresh, true},
		{"-i older", options{days: 30, invert: true}, old, false},
		{"-x whole days", options{days: 3, exact: true}, exactly3, true},
		{"-x other days", options{days: 4, exact: true}, exactly3, false},
		{"-x -i", options{days: 4, exact: true, invert: true}, exactly3, true},
		{"-d 0 takes today's mail, dated by day", options{days: 0}, rec(0, 0, 1, 0), true},
		{"-X -d 0 spares this second's mail", options{days: 0, byDelivery: true}, rec(0, 0, 1, 0), false},
		{"larger", options{bySize: true, bytes: 1000}, fresh, true},
		{"not larger", options{bySize: true, bytes: 5000}, fresh, false},
		{"-x size", options{bySize: true, bytes: 5000, exact: true}, fresh, true},
		{"-i smaller", options{bySize: true, bytes: 1000, invert: true}, old, true},
		{"-i not smaller", options{bySize: true, bytes: 100, invert: true}, old, false},
		{"-s keeps flagged", options{days: 30, skipFlagged: true}, flagged, false},
		{"without -s flagged goes", options{days: 30}, flagged, true},
		{"-o needs deleted", options{days: 30, onlyDeleted: true}, old, false},
		{"-o deleted goes", options{days: 30, onlyDeleted: true}, deleted, true},
	}
	for _, tt := range tests {
		if got := tt.o.purges(tt.r, now); got != tt.want {
			t.Errorf("%s: purges = %v", tt.name, got)
		}
	}
}

func TestWriteStats(t *testing.T) {
	var b bytes.Buffer
	writeStats(&b, stats{total: 5, totalBytes: 500, deleted: 2, deletedBytes: 150})
	want := "Total messages    \t\t 5\nTotal bytes       \t\t 500\nDeleted messages  \t\t 2\n" +
		"Deleted bytes     \t\t 150\nRemaining messages\t\t 3\nRemaining bytes   \t\t 350\n"
	if b.String() != want {
		t.Errorf("got\n%q\nwant\n%q", b.String(), want)
	}
}
