// Command arbitron reports the readership of mailboxes: for each mailbox
// matching the pattern (administrator's names, default "*"), how many
// users read it in the period (their seen record was written: a \Seen
// change or a SELECT that took new messages), and how many subscribe to
// it; -u names them, -l prints one line per reader and subscriber, -p
// drops seen records not written for months. The report is Cyrus 3.6's;
// arbitron.8 says where it differs (order, and Cyrus 3.6.1 finding no
// seen or subscription databases in its own layout).
package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/urfave/cli/v3"

	"gocyrus/internal/tool"
	"gocyrus/pkg/mboxlist"
	"gocyrus/pkg/mboxname"
	"gocyrus/pkg/store"
)

// usage is Cyrus 3.6's, printed (exit 64) for a bad -d, -D or -p.
const usage = `usage: arbitron [-o] [-u] [-l] [-C alt_config] [-d days | -D mmddyyy[:mmddyyyy]]
                [-p months] [mboxpattern]
`

func main() {
	cmd := &cli.Command{
		Name:      "arbitron",
		Usage:     "report the readership of mailboxes",
		UsageText: strings.TrimPrefix(usage, "usage: "),
		Flags: []cli.Flag{
			tool.ConfigFlag(),
			&cli.BoolFlag{Name: "o", Usage: "leave out the subscribers"},
			&cli.BoolFlag{Name: "u", Usage: "name the readers and subscribers"},
			&cli.BoolFlag{Name: "l", Usage: "one line per reader and subscriber (implies -u)"},
			&cli.StringFlag{Name: "d", Usage: "the period is the last `DAYS` days (default 30)"},
			&cli.StringFlag{Name: "D", Usage: "the period starts at `MMDDYYYY[:MMDDYYYY]` (local midnight), ending then or now"},
			&cli.StringFlag{Name: "p", Usage: "remove seen records not written for `MONTHS` months of 31 days"},
		},
		Action: run,
	}
	os.Exit(tool.Run(cmd, os.Args, os.Stderr))
}

// options are the command line, checked.
type options struct {
	start, end  time.Time
	prune       time.Time // zero: no pruning
	subs, users bool
	long        bool
	pattern     string
}

func parseOptions(cmd *cli.Command, now time.Time) (options, bool) {
	o := options{end: now, subs: !cmd.Bool("o"), users: cmd.Bool("u") || cmd.Bool("l"), long: cmd.Bool("l"), pattern: "*"}
	days := 30
	if cmd.IsSet("d") {
		if days = atoi(cmd.String("d")); days <= 0 {
			return o, false
		}
	}
	o.start = now.Add(-time.Duration(days) * 24 * time.Hour)
	if cmd.IsSet("D") {
		arg := cmd.String("D")
		start, ok := mmddyyyy(arg)
		if !ok {
			return o, false
		}
		o.start = start
		// As Cyrus: an end date is taken only when exactly 8 characters
		// follow the colon; anything else after the start date is ignored.
		if len(arg) > 8 && arg[8] == ':' && len(arg[9:]) == 8 {
			if o.end, ok = mmddyyyy(arg[9:]); !ok {
				return o, false
			}
		}
	}
	if cmd.IsSet("p") {
		months := atoi(cmd.String("p"))
		if months <= 0 {
			return o, false
		}
		o.prune = now.Add(-time.Duration(months) * 31 * 24 * time.Hour)
	}
	if cmd.NArg() > 0 {
		o.pattern = cmd.Args().First()
	}
	return o, true
}

// mmddyyyy reads Cyrus's -D date: two digits of month, two of day, four
// of year at local midnight; out-of-range values roll over as mktime's.
func mmddyyyy(s string) (time.Time, bool) {
	if len(s) < 8 {
		return time.Time{}, false
	}
	var n [3]int
	for i, w := range []string{s[0:2], s[2:4], s[4:8]} {
		for _, c := range []byte(w) {
			if c < '0' || c > '9' {
				return time.Time{}, false
			}
			n[i] = n[i]*10 + int(c-'0')
		}
	}
	return time.Date(n[2], time.Month(n[0]), n[1], 0, 0, 0, 0, time.Local), true
}

// atoi is C's: leading blanks, a sign, the digits up to the first other
// character; no digits is 0.
func atoi(s string) int {
	s = strings.TrimLeft(s, " \t\n\v\f\r")
	neg := false
	if s != "" && (s[0] == '-' || s[0] == '+') {
		neg, s = s[0] == '-', s[1:]
	}
	n := 0
	for i := 0; i < len(s) && s[i] >= '0' && s[i] <= '9' && n < 1<<30; i++ {
		n = n*10 + int(s[i]-'0')
	}
	if neg {
		return -n
	}
	return n
}

// tally is one reported mailbox.
type tally struct {
	name                 string // internal
	readers, subscribers []string
}

func run(ctx context.Context, cmd *cli.Command) error {
	o, ok := parseOptions(cmd, time.Now())
	if !ok || cmd.NArg() > 1 {
		fmt.Fprint(os.Stderr, usage)
		return tool.Fail(tool.ExitUsage, "bad arguments")
	}
	env, st, err := tool.SetupStore(cmd, "arbitron")
	if err != nil {
		return err
	}
	defer st.DB().Close()
	fmt.Fprint(env.Stderr, "Loading Mailboxes...")
	sep := mboxname.NamespaceFromConfig(env.Cfg).Separator(true)
	byID, byName := map[string]*tally{}, map[string]*tally{}
	err = st.Walk(ctx, "", func(e *mboxlist.Entry) error {
		if e.IsDeleted() || e.IsIntermediate() || !mboxname.Match(o.pattern, env.External(e.Name), sep) {
			return nil
		}
		t := &tally{name: e.Name}
		byID[e.UniqueID], byName[e.Name] = t, t
		return nil
	})
	if err != nil {
		return tool.Fail(tool.ExitTempFail, "reading the mailbox list: %w", err)
	}
	fmt.Fprint(env.Stderr, "Done\nLoading Users")
	if err := loadUsers(ctx, st, env.Stderr, o, byID, byName); err != nil {
		return tool.Fail(tool.ExitTempFail, "reading the seen state: %w", err)
	}
	fmt.Fprint(env.Stderr, "Done\n")
	names := make([]string, 0, len(byName))
	for n := range byName {
		names = append(names, n)
	}
	slices.Sort(names)
	out := bufio.NewWriter(env.Stdout)
	defer out.Flush()
	for _, n := range names {
		report(out, o, env.External(n), byName[n])
	}
	return nil
}

// loadUsers counts each user's seen records written in the period and
// subscriptions against the mailboxes reported, printing a dot per user
// (Cyrus prints one per user directory), and with -p removes the seen
// records not written since the prune time. A user's records of the
// mailboxes they own are not counted nor pruned: Cyrus keeps an owner's
// state in the mailbox index, gocyrus keeps there the owner's \Recent claim.
func loadUsers(ctx context.Context, st *store.Store, progress io.Writer, o options, byID, byName map[string]*tally) error {
	owners := map[string]string{} // uniqueid -> owner, of every mailbox
	err := st.Walk(ctx, "", func(e *mboxlist.Entry) error {
		if u, ok := st.MailboxOwner(e.Name); ok && !e.IsDeleted() && !e.IsIntermediate() {
			owners[e.UniqueID] = u
		}
		return nil
	})
	if err != nil {
		return err
	}
	type rec struct{ user, uniqueid string }
	var prune []rec
	users := map[string]bool{}
	dot := func(user string) {
		if !users[user] {
			users[user] = true
			fmt.Fprint(progress, ".")
		}
	}
	err = st.WalkSeen(ctx, func(user, uniqueid string, s store.Seen, _ bool) error {
		dot(user)
		if owners[uniqueid] == user {
			return nil
		}
		read := time.Unix(s.LastRead, 0)
		if t := byID[uniqueid]; t != nil && !read.Before(o.start) && !read.After(o.end) {
			t.readers = append(t.readers, user)
		}
		// Cyrus prunes records of every mailbox, reported or not.
		if !o.prune.IsZero() && read.Before(o.prune) {
			prune = append(prune, rec{user, uniqueid})
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, r := range prune {
		if err := st.DeleteSeenRecord(ctx, r.user, r.uniqueid); err != nil {
			return err
		}
	}
	if !o.subs {
		return nil
	}
	return st.WalkSubscriptions(ctx, func(user, mailbox string) error {
		dot(user)
		if t := byName[mailbox]; t != nil {
			t.subscribers = append(t.subscribers, user)
		}
		return nil
	})
}

// report prints one mailbox's lines in Cyrus's format. A user's mailbox
// read by at most one user is left out, as Cyrus does.
func report(w io.Writer, o options, ext string, t *tally) {
	if _, isUser := mboxname.UserOf(t.name); isUser && len(t.readers) <= 1 {
		return
	}
	if o.long {
		const layout = "01-02-2006 15:04:05"
		span := o.start.Local().Format(layout) + "," + o.end.Local().Format(layout)
		for _, u := range t.readers {
			fmt.Fprintf(w, "%s,%s,r,%s\n", ext, u, span)
		}
		for _, u := range t.subscribers {
			fmt.Fprintf(w, "%s,%s,s,%s\n", ext, u, span)
		}
		return
	}
	fmt.Fprintf(w, "%s %d", ext, len(t.readers))
	if o.users {
		writeUsers(w, t.readers)
	}
	if o.subs {
		fmt.Fprintf(w, " %d", len(t.subscribers))
		if o.users {
			writeUsers(w, t.subscribers)
		}
	}
	fmt.Fprintln(w)
}

func writeUsers(w io.Writer, users []string) {
	if len(users) > 0 {
		fmt.Fprintf(w, ":%s", strings.Join(users, ","))
	}
}
