// Command reconstruct rebuilds mailbox indexes from the message files.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"slices"

	"github.com/schollz/progressbar/v3"
	"github.com/urfave/cli/v3"
	"golang.org/x/term"

	"gocyrus/internal/tool"
	"gocyrus/pkg/acl"
	"gocyrus/pkg/mailbox"
	"gocyrus/pkg/mboxlist"
	"gocyrus/pkg/mboxname"
	"gocyrus/pkg/store"
)

func main() {
	cmd := &cli.Command{
		Name:      "reconstruct",
		Usage:     "rebuild cyrus.index and cyrus.cache of mailboxes from their message files",
		UsageText: "reconstruct [-C file] [-r] [-f] [-p partition] [-n] [-q] [-s] [-G] [-u] mailbox...",
		Flags: []cli.Flag{
			tool.ConfigFlag(),
			&cli.BoolFlag{Name: "r", Usage: "also every mailbox below each one named"},
			&cli.BoolFlag{Name: "f", Usage: "also look in the partitions for mailbox directories the list lacks, and add them"},
			&cli.StringFlag{Name: "p", Usage: "the mailbox is not in the list: find it on `PARTITION` and add it"},
			&cli.BoolFlag{Name: "n", Usage: "report what would be repaired, change nothing"},
			&cli.BoolFlag{Name: "q", Usage: "print only repairs and errors"},
			&cli.BoolFlag{Name: "s", Usage: "do not stat message files (faster, misses size changes)"},
			&cli.BoolFlag{Name: "G", Usage: "re-read every message and fix wrong GUIDs"},
			&cli.BoolFlag{Name: "u", Usage: "the arguments are userids"},
		},
		Action: run,
	}
	os.Exit(tool.Run(cmd, os.Args, os.Stderr))
}

type job struct {
	env  *tool.Env
	st   *store.Store
	opts mailbox.ReconstructOptions
	cmd  *cli.Command
}

func run(ctx context.Context, cmd *cli.Command) error {
	if cmd.NArg() == 0 {
		return tool.Fail(tool.ExitUsage, "no mailbox given")
	}
	env, st, err := tool.SetupStore(cmd, "reconstruct")
	if err != nil {
		return err
	}
	defer st.DB().Close()
	j := &job{env: env, st: st, cmd: cmd, opts: mailbox.ReconstructOptions{
		DryRun: cmd.Bool("n"), RecomputeGUID: cmd.Bool("G"), SkipStat: cmd.Bool("s"), Logger: env.Log}}

	var names []string
	failed := 0
	for _, arg := range cmd.Args().Slice() {
		name, err := env.Internal(arg, cmd.Bool("u"))
		if err != nil {
			fmt.Fprintf(env.Stderr, "reconstruct: %s: %v\n", arg, err)
			failed++
			continue
		}
		if cmd.Bool("f") || cmd.String("p") != "" {
			if err := j.adopt(ctx, name); err != nil {
				return err
			}
		}
		found, err := j.expand(ctx, name)
		if err != nil {
			return err
		}
		if len(found) == 0 {
			fmt.Fprintf(env.Stderr, "reconstruct: %s: %v\n", arg, mboxlist.ErrNotFound)
			failed++
			continue
		}
		names = append(names, found...)
	}
	var bar *progressbar.ProgressBar
	if f, ok := env.Stderr.(*os.File); ok && term.IsTerminal(int(f.Fd())) && len(names) > 1 {
		bar = progressbar.NewOptions(len(names), progressbar.OptionSetWriter(env.Stderr), progressbar.OptionClearOnFinish())
	}
	for _, name := range names {
		if err := j.one(ctx, name); err != nil {
			fmt.Fprintf(env.Stderr, "reconstruct: %s: %v\n", env.External(name), err)
			failed++
		}
		if bar != nil {
			bar.Add(1)
		}
	}
	if failed > 0 {
		return tool.Fail(tool.ExitDataErr, "%d mailboxes could not be reconstructed", failed)
	}
	return nil
}

// expand returns name (and with -r its descendants) as listed.
func (j *job) expand(ctx context.Context, name string) ([]string, error) {
	var out []string
	err := j.st.Walk(ctx, name, func(e *mboxlist.Entry) error {
		if e.IsDeleted() || e.IsIntermediate() {
			return nil
		}
		if e.Name == name || j.cmd.Bool("r") {
			out = append(out, e.Name)
		}
		return nil
	})
	return out, err
}

// one reconstructs a listed mailbox and prints its repairs and its name.
func (j *job) one(ctx context.Context, name string) error {
	e, err := j.st.Lookup(ctx, name)
	if err != nil {
		return err
	}
	// The store also fixes the quota usage of the mailbox, as Cyrus's
	// reconstruct does: the charge becomes what the rebuilt index holds,
	// and X-ANNOTATION-STORAGE what its metadata values take.
	rep, err := j.st.Reconstruct(ctx, e, j.opts)
	if err != nil {
		return err
	}
	for _, c := range rep.Changes {
		fmt.Fprintf(j.env.Stdout, "%s %s\n", e.Name, c)
	}
	if !j.cmd.Bool("q") || rep.Changed() {
		fmt.Fprintln(j.env.Stdout, j.env.External(e.Name))
	}
	return nil
}

// adopt walks the partitions (only -p's with -p) for mailbox directories
// whose cyrus.header names name or a mailbox below it and that the list
// lacks, and adds them (with -n it only reports them).
func (j *job) adopt(ctx context.Context, name string) error {
	parts := map[string]string{}
	for p, path := range j.env.Cfg.Partitions() {
		if want := j.cmd.String("p"); want == "" || want == p {
			parts[p] = path
		}
	}
	if len(parts) == 0 {
		return tool.Fail(tool.ExitUsage, "partition %q is not configured", j.cmd.String("p"))
	}
	keys := make([]string, 0, len(parts))
	for p := range parts {
		keys = append(keys, p)
	}
	slices.Sort(keys)
	for _, part := range keys {
		err := store.WalkSpool(parts[part], func(dir string, h mailbox.Header) error {
			if h.Name != name && !mboxname.IsDescendant(h.Name, name) {
				return nil
			}
			if _, err := j.st.Lookup(ctx, h.Name); err == nil || !errors.Is(err, mboxlist.ErrNotFound) {
				return err
			}
			e := &mboxlist.Entry{Name: h.Name, Partition: part, UniqueID: h.UniqueID, UIDValidity: h.UIDValidity}
			if d, _ := j.st.Dir(e); d != dir {
				e.Type = "l" // found at its name-based path
			}
			if parent, ok := mboxname.Parent(h.Name); ok {
				if pe, err := j.st.Lookup(ctx, parent); err == nil {
					e.ACL = pe.ACL.Clone()
				}
			}
			if e.ACL == nil {
				e.ACL = acl.InitialACL(h.Name, nil, false, j.env.Cfg.Defaultacl())
			}
			fmt.Fprintf(j.env.Stdout, "discovered %s at %s\n", j.env.External(h.Name), dir)
			if j.opts.DryRun {
				return nil
			}
			return j.st.AdoptMailbox(ctx, e)
		})
		if err != nil {
			return err
		}
	}
	return nil
}
