// Command relocate_by_id moves mailboxes still in the legacy by-name spool
// layout (list entries with the legacy-dirs flag) to the uniqueid layout,
// each mailbox of the named trees deepest first, while the server runs
// (store.RelocateByID gives the crash-safe order). Output follows Cyrus
// 3.6's relocate_by_id; man/man8/relocate_by_id.8 lists the differences.
package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"

	"github.com/urfave/cli/v3"

	"gocyrus/internal/tool"
	"gocyrus/pkg/mboxname"
	"gocyrus/pkg/store"
)

// usage is Cyrus 3.6's, what -h prints.
const usage = `Usage: relocate_by_id [OPTIONS]
A tool to relocate mailbox trees by their ids.

-C <config-file>   use <config-file> instead of config from imapd.conf
-q                 run quietly
-n                 do not make changes
-u                 give usernames instead of mailbox prefixes

`

// metaFiles are the files Cyrus 3.6 lists one by one under -n (its
// metadata files, in its order), when the mailbox has them.
var metaFiles = []string{"cyrus.header", "cyrus.index", "cyrus.cache", "cyrus.expunge", "cyrus.squat", "cyrus.annotations"}

func main() {
	cmd := &cli.Command{
		Name:                          "relocate_by_id",
		Usage:                         "move mailboxes from the legacy by-name layout to the uniqueid layout",
		CustomRootCommandHelpTemplate: usage,
		Flags: []cli.Flag{
			tool.ConfigFlag(),
			&cli.BoolFlag{Name: "q", Usage: "run quietly"},
			&cli.BoolFlag{Name: "n", Usage: "do not make changes"},
			&cli.BoolFlag{Name: "u", Usage: "give usernames instead of mailbox prefixes"},
		},
		Action: run,
	}
	os.Exit(tool.Run(cmd, os.Args, os.Stderr))
}

type job struct {
	env                  *tool.Env
	st                   *store.Store
	quiet, dryRun, users bool
	failed               int
}

func run(ctx context.Context, cmd *cli.Command) error {
	if cmd.NArg() == 0 {
		return tool.Fail(tool.ExitUsage, "please specify a mailbox to recurse from")
	}
	env, st, err := tool.SetupStore(cmd, "relocate_by_id")
	if err != nil {
		return err
	}
	defer st.DB().Close()
	j := &job{env: env, st: st, quiet: cmd.Bool("q"), dryRun: cmd.Bool("n"), users: cmd.Bool("u")}
	for _, arg := range cmd.Args().Slice() {
		if err := j.tree(ctx, arg); err != nil {
			return err
		}
	}
	if j.failed > 0 {
		return tool.Fail(1, "%d mailboxes not relocated", j.failed)
	}
	return nil
}

// tree relocates the legacy mailboxes of one argument's tree (a user's
// mailboxes, their deleted ones included, with -u), deepest first.
func (j *job) tree(ctx context.Context, arg string) error {
	kind := "mailbox"
	if j.users {
		kind = "user"
	}
	roots, err := j.roots(arg)
	if err != nil {
		fmt.Fprintf(j.env.Stderr, "%s: %s not found\n", arg, kind)
		return nil
	}
	matched := 0
	var todo []string
	for _, root := range roots {
		err := j.st.Walk(ctx, root, func(e *store.Entry) error {
			if e.IsDeleted() {
				return nil // a tombstone
			}
			matched++
			if e.LegacyDirs() && !e.IsIntermediate() {
				todo = append(todo, e.Name)
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	switch {
	case matched == 0:
		fmt.Fprintf(j.env.Stderr, "%s: %s not found\n", arg, kind)
		return nil
	case len(todo) == 0:
		fmt.Fprintf(j.env.Stderr, "%s: %s already relocated\n", arg, kind)
		return nil
	}
	slices.Reverse(todo)
	for _, name := range todo {
		j.relocate(ctx, name)
	}
	return nil
}

// roots are the names whose trees an argument names.
func (j *job) roots(arg string) ([]string, error) {
	name, err := j.env.Internal(arg, j.users)
	if err != nil || !j.users {
		return []string{name}, err
	}
	domain, local := mboxname.SplitDomain(name)
	return []string{name, mboxname.JoinDomain(domain, j.st.DeletedPrefix()+"."+local)}, nil
}

func (j *job) relocate(ctx context.Context, name string) {
	ext := j.env.External(name)
	if !j.quiet {
		fmt.Fprintf(j.env.Stdout, "\nRelocating: %s\n", ext)
	}
	r, err := j.st.RelocateByID(ctx, name, j.dryRun)
	if err != nil {
		j.failed++
		fmt.Fprintf(j.env.Stderr, "\tFailed to relocate %s: %v\n", ext, err)
		return
	}
	if j.quiet {
		return
	}
	fmt.Fprintf(j.env.Stdout, "\tRenaming: %s\t -> %s\n", r.OldDir, r.NewDir)
	if !j.dryRun {
		return
	}
	for _, f := range metaFiles {
		if slices.Contains(r.Files, f) {
			fmt.Fprintf(j.env.Stdout, "\tRenaming: %s\t -> %s\n", filepath.Join(r.OldDir, f), filepath.Join(r.NewDir, f))
		}
	}
}
