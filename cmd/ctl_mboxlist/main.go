// Command ctl_mboxlist dumps and restores the mailbox list.
package main

import (
	"context"
	"errors"
	"os"
	"strings"

	"github.com/urfave/cli/v3"

	"gocyrus/internal/tool"
	"gocyrus/pkg/acl"
	"gocyrus/pkg/mboxlist"
)

func main() {
	cmd := &cli.Command{
		Name:      "ctl_mboxlist",
		Usage:     "dump (-d) or restore (-u) the mailbox list",
		UsageText: "ctl_mboxlist [-C file] -d [-x] [-y] [-p partition]\nctl_mboxlist [-C file] -u [-L] < dump",
		Flags: []cli.Flag{
			tool.ConfigFlag(),
			&cli.BoolFlag{Name: "d", Usage: "dump the list to stdout (Cyrus 3.x JSON)"},
			&cli.BoolFlag{Name: "x", Usage: "with -d: remove the dumped entries from the list"},
			&cli.BoolFlag{Name: "y", Usage: "with -d: include intermediate entries"},
			&cli.StringFlag{Name: "p", Usage: "with -d: only mailboxes on `PARTITION`"},
			&cli.BoolFlag{Name: "u", Usage: "restore the list from a dump on stdin (3.x JSON or 2.x text)"},
			&cli.BoolFlag{Name: "L", Usage: "with -u: the dump is in the 2.x tab-separated text format"},
		},
		Reader: os.Stdin,
		Action: run,
	}
	os.Exit(tool.Run(cmd, os.Args, os.Stderr))
}

func run(ctx context.Context, cmd *cli.Command) error {
	dump, undump := cmd.Bool("d"), cmd.Bool("u")
	if dump == undump {
		return tool.Fail(tool.ExitUsage, "give exactly one of -d (dump) or -u (undump)")
	}
	if !dump && (cmd.Bool("x") || cmd.Bool("y") || cmd.String("p") != "") {
		return tool.Fail(tool.ExitUsage, "-x, -y and -p go with -d")
	}
	if !undump && cmd.Bool("L") {
		return tool.Fail(tool.ExitUsage, "-L goes with -u")
	}
	env, err := tool.Setup(cmd, "ctl_mboxlist")
	if err != nil {
		return err
	}
	if undump {
		// Parse and validate the whole dump, by itself and then against
		// the list, before writing anything: a refused dump changes nothing.
		parts := map[string]bool{}
		for name := range env.Cfg.Partitions() {
			parts[strings.ToLower(name)] = true
		}
		d, err := mboxlist.ReadDump(env.Stdin, mboxlist.ParseOptions{
			DeleteRight: acl.DeleteRightFromConfig(env.Cfg), TextOnly: cmd.Bool("L"), Partitions: parts})
		if err != nil {
			return tool.Fail(tool.ExitDataErr, "%v", err)
		}
		db, err := env.OpenDB()
		if err != nil {
			return err
		}
		defer db.Close()
		list := mboxlist.New(db)
		if err := list.CheckImport(ctx, d); err != nil {
			var de *mboxlist.DumpError
			if errors.As(err, &de) {
				return tool.Fail(tool.ExitDataErr, "%v", err)
			}
			return err
		}
		return list.Import(ctx, d.Entries)
	}
	db, err := env.OpenDB()
	if err != nil {
		return err
	}
	defer db.Close()
	list := mboxlist.New(db)
	opt := mboxlist.DumpOptions{Partition: cmd.String("p"), Intermediates: cmd.Bool("y")}
	if _, err := list.Dump(ctx, env.Stdout, opt); err != nil {
		return err
	}
	if cmd.Bool("x") {
		return list.Purge(ctx, opt)
	}
	return nil
}
