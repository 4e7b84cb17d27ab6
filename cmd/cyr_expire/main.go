// Command cyr_expire runs the periodic cleanups from EVENTS: -E prunes the
// duplicate-delivery records, -X removes the files of messages expunged
// under expunge_mode: delayed once they are old enough (after which
// unexpunge can no longer bring them back), -D removes for good the
// mailboxes delete_mode: delayed has kept under deletedprefix.
//
// Unless -x is given, every run also expires (expunges) the messages of
// mailboxes whose /vendor/cmu/cyrus-imapd/expire annotation, set on them or
// inherited, says they are kept that many days (-a skips that).
//
// Flags Cyrus has for features gocyrus lacks (-A archive partitions, -t
// user-flag pruning, -c conversations) are refused with a usage error
// rather than accepted and ignored: a cron job that relies on them must
// not look as if it worked.
package main

import (
	"context"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/urfave/cli/v3"

	"gocyrus/internal/duration"
	"gocyrus/internal/tool"
	"gocyrus/pkg/duplicate"
	"gocyrus/pkg/mboxlist"
	"gocyrus/pkg/mboxname"
	"gocyrus/pkg/store"
)

func main() {
	cmd := &cli.Command{
		Name:      "cyr_expire",
		Usage:     "expire duplicate-delivery records, expunged messages and deleted mailboxes",
		UsageText: "cyr_expire [-C file] [-D dur] [-E dur] [-X dur] [-p prefix | -u user] [-a] [-v] [-x]",
		Flags: []cli.Flag{
			tool.ConfigFlag(),
			&cli.StringFlag{Name: "D", Usage: "remove mailboxes deleted more than `DURATION` ago (bare number: days)"},
			&cli.StringFlag{Name: "E", Usage: "prune duplicate-delivery records older than `DURATION` (bare number: days)"},
			&cli.StringFlag{Name: "X", Usage: "remove messages expunged more than `DURATION` ago (bare number: days)"},
			&cli.StringFlag{Name: "p", Usage: "only mailboxes whose name starts with `PREFIX`"},
			&cli.StringFlag{Name: "u", Usage: "only the mailboxes of `USER`"},
			&cli.BoolFlag{Name: "v", Usage: "report what is done"},
			&cli.BoolFlag{Name: "x", Usage: "skip the per-mailbox work (expiry by annotation and -X)"},
			&cli.BoolFlag{Name: "a", Usage: "do not consult the /vendor/cmu/cyrus-imapd/expire annotations"},
			// Cyrus flags for features gocyrus does not have: refused in run.
			&cli.StringFlag{Name: "A", Hidden: true},
			&cli.BoolFlag{Name: "t", Hidden: true},
			&cli.BoolFlag{Name: "c", Hidden: true},
		},
		Action: run,
	}
	os.Exit(tool.Run(cmd, os.Args, os.Stderr))
}

// unsupported names the refused Cyrus flags and why.
var unsupported = []struct{ flag, why string }{
	{"A", "-A: archive partitions are not supported"},
	{"t", "-t: pruning unused user flags is not supported"},
	{"c", "-c: there are no conversations databases to skip"},
}

// job is what the command line asks for; a negative duration is "not asked".
type job struct {
	delete, expire, expunge time.Duration
	skipExpunge             bool
	skipAnnotations         bool
	prefix, user            string
	verbose                 bool
}

func run(ctx context.Context, cmd *cli.Command) error {
	j, err := parseJob(cmd)
	if err != nil {
		return err
	}
	env, st, err := tool.SetupStore(cmd, "cyr_expire")
	if err != nil {
		return err
	}
	defer st.DB().Close()
	failed := 0
	if j.wantsMailboxPass() {
		if failed, err = cleanMailboxes(ctx, env, st, j); err != nil {
			return err
		}
	}
	if j.delete >= 0 {
		n, err := purgeDeleted(ctx, env, st, j)
		if err != nil {
			return err
		}
		failed += n
	}
	if j.expire > 0 {
		if err := pruneDuplicates(ctx, st, j); err != nil {
			return err
		}
	}
	if failed > 0 {
		return tool.Fail(tool.ExitTempFail, "%d mailboxes could not be cleaned (see above)", failed)
	}
	return nil
}

// parseJob checks the flags: at least one action, valid durations, not
// both -p and -u, none of the refused Cyrus flags.
func parseJob(cmd *cli.Command) (job, error) {
	for _, u := range unsupported {
		if cmd.IsSet(u.flag) {
			return job{}, tool.Fail(tool.ExitUsage, "%s", u.why)
		}
	}
	if cmd.NArg() > 0 {
		return job{}, tool.Fail(tool.ExitUsage, "unexpected argument %q", cmd.Args().First())
	}
	j := job{delete: -1, expire: -1, expunge: -1, skipExpunge: cmd.Bool("x"), skipAnnotations: cmd.Bool("a"), verbose: cmd.Bool("v"),
		prefix: cmd.String("p"), user: cmd.String("u")}
	for _, d := range []struct {
		flag string
		dst  *time.Duration
	}{{"D", &j.delete}, {"E", &j.expire}, {"X", &j.expunge}} {
		if !cmd.IsSet(d.flag) {
			continue
		}
		v, err := duration.Parse(cmd.String(d.flag), duration.Day)
		if err != nil {
			return job{}, tool.Fail(tool.ExitUsage, "-%s: %v", d.flag, err)
		}
		*d.dst = v
	}
	if j.delete < 0 && j.expire < 0 && j.expunge < 0 {
		return job{}, tool.Fail(tool.ExitUsage, "give at least one of -D, -E and -X")
	}
	if cmd.IsSet("p") && cmd.IsSet("u") {
		return job{}, tool.Fail(tool.ExitUsage, "give -p or -u, not both")
	}
	return j, nil
}

// wantsMailboxPass reports whether the per-mailbox pass runs: as in
// Cyrus, for -X, -D or a positive -E, unless -x. (-E 0 alone does nothing.)
func (j job) wantsMailboxPass() bool {
	return !j.skipExpunge && (j.expunge >= 0 || j.delete >= 0 || j.expire > 0)
}

// markFor is the cutoff for "older than d": like Cyrus's marks it is one
// second ahead, so that 0 takes everything up to now.
func markFor(d time.Duration) time.Time {
	return time.Now().Add(-d + time.Second)
}

// selection is the mailboxes -p or -u choose (all without either).
type selection struct {
	inbox  string // -u: the user's INBOX, internal
	prefix string // -p, internal
}

func newSelection(env *tool.Env, j job) (selection, error) {
	switch {
	case j.user != "":
		inbox, err := env.Internal(j.user, true)
		if err != nil {
			return selection{}, tool.Fail(tool.ExitUsage, "-u %s: %v", j.user, err)
		}
		return selection{inbox: inbox}, nil
	case j.prefix != "":
		p, err := env.Internal(j.prefix, false)
		if err != nil {
			return selection{}, tool.Fail(tool.ExitUsage, "-p %s: %v", j.prefix, err)
		}
		return selection{prefix: p}, nil
	}
	return selection{}, nil
}

// has reports whether the mailbox name (original: its name before a
// delayed delete, else "") is chosen. -p is a prefix of the name as Cyrus
// takes it ("user/al" matches user/alice); -u takes the user's INBOX,
// everything below it, and those of them delayed-deleted.
func (sel selection) has(name, original string) bool {
	if sel.inbox != "" {
		return isUnder(name, sel.inbox) || (original != "" && isUnder(original, sel.inbox))
	}
	return strings.HasPrefix(name, sel.prefix)
}

func isUnder(name, inbox string) bool {
	return name == inbox || mboxname.IsDescendant(name, inbox)
}

// selectMailboxes lists the real mailboxes the selection chooses.
func selectMailboxes(ctx context.Context, env *tool.Env, st *store.Store, j job) ([]string, error) {
	sel, err := newSelection(env, j)
	if err != nil {
		return nil, err
	}
	original := map[string]string{}
	if sel.inbox != "" {
		deleted, err := st.ListDeleted(ctx)
		if err != nil {
			return nil, tool.Fail(tool.ExitTempFail, "listing the deleted mailboxes: %v", err)
		}
		for _, d := range deleted {
			original[d.Name] = d.Original
		}
	}
	var names []string
	err = st.Walk(ctx, "", func(e *mboxlist.Entry) error {
		if !e.IsDeleted() && !e.IsIntermediate() && sel.has(e.Name, original[e.Name]) {
			names = append(names, e.Name)
		}
		return nil
	})
	if err != nil {
		return nil, tool.Fail(tool.ExitTempFail, "reading the mailbox list: %v", err)
	}
	return names, nil
}

// purgeDeleted removes for good the delayed-deleted mailboxes the
// selection chooses that were deleted more than -D ago. A mailbox that
// fails is reported and skipped; the number of such mailboxes is returned.
func purgeDeleted(ctx context.Context, env *tool.Env, st *store.Store, j job) (int, error) {
	verbosef(env, j, "Removing deleted mailboxes older than %s days", duration.Days(j.delete))
	sel, err := newSelection(env, j)
	if err != nil {
		return 0, err
	}
	deleted, err := st.ListDeleted(ctx)
	if err != nil {
		return 0, tool.Fail(tool.ExitTempFail, "listing the deleted mailboxes: %v", err)
	}
	cutoff := markFor(j.delete)
	// Like Cyrus: first name every mailbox old enough, then remove them,
	// both in list order.
	var due []store.DeletedMailbox
	for _, d := range deleted {
		if !d.DeletedAt.After(cutoff) && sel.has(d.Name, d.Original) {
			verbosef(env, j, "Cleaning up %s", d.Name)
			due = append(due, d)
		}
	}
	removed, failed := 0, 0
	for _, d := range due {
		verbosef(env, j, "Removing: %s", d.Name)
		if err := st.PurgeDeleted(ctx, d.Name); err != nil {
			fmt.Fprintf(env.Stderr, "cyr_expire: %s: %v\n", env.External(d.Name), err)
			failed++
			continue
		}
		removed++
	}
	verbosef(env, j, "Removed %d deleted mailboxes", removed)
	return failed, nil
}

// pruneDuplicates drops the duplicate-delivery records older than -E.
// Like Cyrus, -E 0 prunes nothing, and -v says nothing about it.
func pruneDuplicates(ctx context.Context, st *store.Store, j job) error {
	dups := duplicate.New(st.DB(), 0)
	if _, err := dups.Prune(ctx, time.Now().Add(-j.expire)); err != nil {
		return tool.Fail(tool.ExitTempFail, "pruning the duplicate records: %v", err)
	}
	return nil
}

// verbosef prints a -v line on stderr, where Cyrus prints them. Cyrus
// 3.6 ends each with a blank line (its format strings end in a newline
// and its verbose printer adds another); scripts may count on it.
func verbosef(env *tool.Env, j job, format string, a ...any) {
	if j.verbose {
		fmt.Fprintf(env.Stderr, format+"\n\n", a...)
	}
}
