// Command idled is accepted where Cyrus's cyrus.conf runs its IDLE helper (START in the 2.1
// era, DAEMON since): gocyrus needs none, since IDLE already crosses processes through the
// database service's change notifications (docs/ARCHITECTURE.md §4). It says so once and,
// run as a DAEMON (with master's lifeline), stays until master stops, so master has nothing to
// restart; run from START, it exits 0 at once. See idled(8).
package main

import (
	"context"
	"fmt"
	"io"
	"os"

	"github.com/urfave/cli/v3"

	"gocyrus/internal/tool"
	"gocyrus/pkg/service"
)

// Why is the one line idled prints.
const Why = "idled: nothing to do: IDLE already crosses processes in gocyrus (the database service notifies every imapd of changes); this entry can be removed from cyrus.conf"

func main() {
	cmd := &cli.Command{
		Name:      "idled",
		Usage:     "accepted for Cyrus's cyrus.conf; gocyrus needs no IDLE helper",
		UsageText: "idled [-C file] [-d]",
		Flags: []cli.Flag{
			tool.ConfigFlag(),
			&cli.BoolFlag{Name: "d", Usage: "debug (ignored)"},
			&cli.BoolFlag{Name: "D", Usage: "debug (ignored)"},
		},
		Action: run,
	}
	os.Exit(tool.Run(cmd, os.Args, os.Stderr))
}

func run(_ context.Context, cmd *cli.Command) error {
	if cmd.NArg() > 0 {
		return tool.Fail(tool.ExitUsage, "unexpected argument %q", cmd.Args().First())
	}
	fmt.Fprintln(cmd.Root().Writer, Why)
	inh, err := service.Inherit()
	if err != nil {
		return err
	}
	defer inh.Close()
	inh.NotifyReady() // a wait=y DAEMON entry: ready at once
	if inh.Lifeline != nil {
		io.Copy(io.Discard, inh.Lifeline) // until master exits; SIGTERM ends it sooner
	}
	return nil
}
