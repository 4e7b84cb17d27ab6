package main

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/schollz/progressbar/v3"
	"github.com/urfave/cli/v3"
	"golang.org/x/term"

	"gocyrus/internal/tool"
	"gocyrus/pkg/config"
)

// report is what the run carried and what it could not.
type report struct {
	mailboxes, messages int
	bytes               int64
	seen, subs, quotas  int
	annotations, sieve  int
	problems            []string
}

func (r *report) problem(format string, args ...any) {
	r.problems = append(r.problems, fmt.Sprintf(format, args...))
}

func run(ctx context.Context, cmd *cli.Command) error {
	if cmd.String("f") != "" {
		return runForeign(ctx, cmd)
	}
	if cmd.NArg() != 1 {
		return tool.Fail(tool.ExitUsage, "give the Cyrus tree's imapd.conf")
	}
	src, err := config.LoadImapd(cmd.Args().First())
	if err != nil {
		return tool.Fail(tool.ExitConfig, "%v", err)
	}
	env, st, err := tool.SetupStore(cmd, "cyr_import")
	if err != nil {
		return err
	}
	defer st.DB().Close()
	imp := &importer{st: st, src: src, rep: &report{}}
	if err := imp.readList(); err != nil {
		return tool.Fail(tool.ExitDataErr, "%v", err)
	}
	var bar *progressbar.ProgressBar
	if f, ok := env.Stderr.(*os.File); ok && !cmd.Bool("q") && term.IsTerminal(int(f.Fd())) {
		bar = progressbar.NewOptions(len(imp.boxes), progressbar.OptionSetWriter(env.Stderr), progressbar.OptionClearOnFinish())
	}
	for _, b := range imp.boxes {
		if err := imp.importMailbox(ctx, b); err != nil {
			if errors.Is(err, context.Canceled) {
				return err
			}
			imp.rep.problem("mailbox %s: %v", b.name, err)
		}
		if bar != nil {
			bar.Add(1)
		}
	}
	if bar != nil {
		bar.Finish()
	}
	imp.importQuotas(ctx)
	imp.importSeen(ctx)
	imp.importSubs(ctx)
	imp.importAnnotations(ctx)
	imp.importSieve(ctx)
	r := imp.rep
	fmt.Fprintf(env.Stdout, "imported %d mailboxes, %d messages, %d bytes; %d seen states, %d subscriptions, %d quota roots, %d annotations, %d Sieve scripts\n",
		r.mailboxes, r.messages, r.bytes, r.seen, r.subs, r.quotas, r.annotations, r.sieve)
	for _, p := range r.problems {
		fmt.Fprintf(env.Stdout, "not imported: %s\n", p)
	}
	if len(r.problems) > 0 {
		return tool.Fail(tool.ExitDataErr, "%d things could not be imported (listed above)", len(r.problems))
	}
	return nil
}

// runForeign is cyr_import -f: mbox files or Maildir folders, for one
// user (-u, the paths as operands) or a list of users (-U).
func runForeign(ctx context.Context, cmd *cli.Command) error {
	format := cmd.String("f")
	if format != "mbox" && format != "maildir" {
		return tool.Fail(tool.ExitUsage, "-f takes mbox or maildir, not %q", format)
	}
	var jobs []job
	switch {
	case cmd.String("U") != "" && cmd.String("u") == "" && cmd.NArg() == 0:
		var err error
		if jobs, err = readUserList(cmd.String("U")); err != nil {
			return tool.Fail(tool.ExitNoInput, "%v", err)
		}
	case cmd.String("u") != "" && cmd.String("U") == "" && cmd.NArg() > 0:
		for _, p := range cmd.Args().Slice() {
			jobs = append(jobs, job{user: cmd.String("u"), path: p, folder: cmd.String("m")})
		}
	default:
		return tool.Fail(tool.ExitUsage, "with -f give -u user and paths, or -U userlist")
	}
	env, st, err := tool.SetupStore(cmd, "cyr_import")
	if err != nil {
		return err
	}
	defer st.DB().Close()
	fi := &foreign{st: st, format: format, rep: &report{}}
	var tick func()
	if f, ok := env.Stderr.(*os.File); ok && !cmd.Bool("q") && term.IsTerminal(int(f.Fd())) {
		bar := progressbar.NewOptions(len(jobs), progressbar.OptionSetWriter(env.Stderr), progressbar.OptionClearOnFinish())
		tick = func() { bar.Add(1) }
		defer bar.Finish()
	}
	fi.run(ctx, jobs, tick)
	r := fi.rep
	fmt.Fprintf(env.Stdout, "imported %d mailboxes, %d messages, %d bytes\n", r.mailboxes, r.messages, r.bytes)
	for _, n := range fi.notes {
		fmt.Fprintf(env.Stdout, "renumbered: %s\n", n)
	}
	for _, p := range r.problems {
		fmt.Fprintf(env.Stdout, "not imported: %s\n", p)
	}
	if len(r.problems) > 0 {
		return tool.Fail(tool.ExitDataErr, "%d things could not be imported (listed above)", len(r.problems))
	}
	return nil
}
