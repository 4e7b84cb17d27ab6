// Command cyr_import imports a stopped (or copied) Cyrus 2.4–3.6 tree with
// its state: the mailbox list (mailboxes.db), each mailbox's messages with
// their UIDs, flags, keywords, modseqs and dates, UIDVALIDITY and ACL;
// per-user seen state, subscriptions, quota limits, mailbox annotations and
// Sieve scripts with the active one. With -f it imports UW-IMAP mbox files
// or Maildir folders instead (foreign.go). It reads the Cyrus files only (the
// readers are pkg/cyrusdbfile, which tells twoskip, skiplist and flat
// databases by their magic, and pkg/cyrusindex, which reads cyrus.index
// versions 12 to 17) and writes through pkg/store,
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
		UsageText: "cyr_import [-C file] [-q] cyrus-imapd.conf\n   cyr_import [-C file] [-q] -f mbox|maildir {-u user [-m folder] path | -U userlist}",
		Flags: []cli.Flag{
			tool.ConfigFlag(),
			&cli.BoolFlag{Name: "q", Usage: "no progress bar"},
			&cli.StringFlag{Name: "f", Usage: "import mbox files or Maildir folders instead of a Cyrus tree"},
			&cli.StringFlag{Name: "u", Usage: "the user the path belongs to (-f)"},
			&cli.StringFlag{Name: "m", Usage: "import under this folder of the user instead of INBOX (-f)"},
			&cli.StringFlag{Name: "U", Usage: "a file of \"user path [folder]\" lines (-f)"},
		},
		Action: run,
	}
	os.Exit(tool.Run(cmd, os.Args, os.Stderr))
}
