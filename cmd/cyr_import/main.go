// Command cyr_import imports a stopped (or copied) Cyrus 2.4–3.8 tree with
// its state: the mailbox list (mailboxes.db), each mailbox's messages with
// their UIDs, flags, keywords, modseqs and dates, UIDVALIDITY and ACL;
// per-user seen state, subscriptions, quota limits, mailbox annotations and
// Sieve scripts with the active one. It reads the Cyrus files only (the
// readers are pkg/twoskip and pkg/cyrusindex) and writes through pkg/store,
// so a rerun changes nothing and finishes an interrupted run. Damage in one
// file is reported naming the file and the rest goes on.
package main

import (
	"os"

	"github.com/urfave/cli/v3"

	"gocyrus/internal/tool"
)

func main() {
	cmd := &cli.Command{
		Name:      "cyr_import",
		Usage:     "import a Cyrus spool and its databases",
		UsageText: "cyr_import [-C file] [-q] cyrus-imapd.conf",
		Flags: []cli.Flag{
			tool.ConfigFlag(),
			&cli.BoolFlag{Name: "q", Usage: "no progress bar"},
		},
		Action: run,
	}
	os.Exit(tool.Run(cmd, os.Args, os.Stderr))
}
