// Command ctl_deliver dumps (-d) and prunes (-E days) lmtpd's
// duplicate-delivery records. EVENTS: delprune cmd="ctl_deliver -E 3".
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/urfave/cli/v3"

	"gocyrus/internal/tool"
	"gocyrus/pkg/duplicate"
)

func main() {
	cmd := &cli.Command{
		Name:      "ctl_deliver",
		Usage:     "dump or prune the duplicate delivery records",
		UsageText: "ctl_deliver [-C file] -d | -E days",
		Flags: []cli.Flag{
			tool.ConfigFlag(),
			&cli.BoolFlag{Name: "d", Usage: "dump the records"},
			&cli.IntFlag{Name: "E", Value: -1, Usage: "prune records older than `DAYS`"},
			&cli.StringFlag{Name: "f", Usage: "accepted for compatibility (records live in the databases)"},
		},
		Action: run,
	}
	os.Exit(tool.Run(cmd, os.Args, os.Stderr))
}

func run(ctx context.Context, cmd *cli.Command) error {
	dump, days := cmd.Bool("d"), cmd.Int("E")
	if dump == (days >= 0) {
		return tool.Fail(tool.ExitUsage, "give exactly one of -d and -E days")
	}
	env, err := tool.Setup(cmd, "ctl_deliver")
	if err != nil {
		return err
	}
	db, err := env.OpenDB()
	if err != nil {
		return err
	}
	defer db.Close()
	dups := duplicate.New(db, 0)
	if dump {
		return dumpRecords(ctx, env.Stdout, dups)
	}
	n, err := dups.Prune(ctx, time.Now().Add(-time.Duration(days)*24*time.Hour))
	if err != nil {
		return tool.Fail(tool.ExitTempFail, "pruning: %v", err)
	}
	fmt.Fprintf(env.Stderr, "ctl_deliver: pruned %d entries older than %d days\n", n, days)
	return nil
}

// dumpRecords writes Cyrus's format: a NOW line, one line per record,
// then the count.
func dumpRecords(ctx context.Context, w io.Writer, dups *duplicate.Store) error {
	fmt.Fprintf(w, "it is NOW: %d\n", time.Now().Unix())
	n := 0
	err := dups.Scan(ctx, func(r duplicate.Record) error {
		n++
		_, err := fmt.Fprintf(w, "id: %-40s\tto: %s\tat: %d\tuid: %d\n", r.MessageID, r.Mailbox, r.At.Unix(), r.UID)
		return err
	})
	if err != nil {
		return tool.Fail(tool.ExitTempFail, "reading the records: %v", err)
	}
	fmt.Fprintf(w, "got %d entries\n", n)
	return nil
}
