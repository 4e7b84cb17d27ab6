// Command mbpath prints the spool directory of mailboxes.
package main

import (
	"context"
	"fmt"
	"os"

	"github.com/urfave/cli/v3"

	"gocyrus/internal/tool"
	"gocyrus/pkg/mboxlist"
	"gocyrus/pkg/store"
)

func main() {
	cmd := &cli.Command{
		Name:      "mbpath",
		Usage:     "print the spool directory of each mailbox",
		UsageText: "mbpath [-C file] [-q] [-s] [-u] mailbox...",
		Flags: []cli.Flag{
			tool.ConfigFlag(),
			&cli.BoolFlag{Name: "q", Usage: "do not report mailboxes that cannot be found"},
			&cli.BoolFlag{Name: "s", Usage: "stop at the first mailbox that cannot be found"},
			&cli.BoolFlag{Name: "u", Usage: "the arguments are userids: print their INBOX directories"},
		},
		Action: run,
	}
	os.Exit(tool.Run(cmd, os.Args, os.Stderr))
}

func run(ctx context.Context, cmd *cli.Command) error {
	if cmd.NArg() == 0 {
		return tool.Fail(tool.ExitUsage, "no mailbox given")
	}
	env, st, err := tool.SetupStore(cmd, "mbpath")
	if err != nil {
		return err
	}
	defer st.DB().Close()
	failed := 0
	for _, arg := range cmd.Args().Slice() {
		dir, err := path(ctx, env, st, arg, cmd.Bool("u"))
		if err != nil {
			failed++
			if !cmd.Bool("q") {
				fmt.Fprintf(env.Stderr, "mbpath: %s: %v\n", arg, err)
			}
			if cmd.Bool("s") {
				break
			}
			continue
		}
		fmt.Fprintln(env.Stdout, dir)
	}
	if failed > 0 {
		return tool.Fail(tool.ExitDataErr, "%d of %d mailboxes not found", failed, cmd.NArg())
	}
	return nil
}

func path(ctx context.Context, env *tool.Env, st *store.Store, arg string, users bool) (string, error) {
	name, err := env.Internal(arg, users)
	if err != nil {
		return "", err
	}
	e, err := st.Lookup(ctx, name)
	if err != nil {
		return "", mboxlist.ErrNotFound
	}
	return st.Dir(e)
}
