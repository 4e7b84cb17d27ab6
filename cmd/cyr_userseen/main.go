// Command cyr_userseen reports, and with -d removes, the \Seen state users
// hold in the seen database for their own mailboxes: an owner's \Seen lives
// in the mailbox index (as in Cyrus 3), so such records are debris, left by
// an import of an older Cyrus's seen databases. Output is Cyrus 3.6's: one
// "removing seen for USER on MAILBOX" line per mailbox a user owns, with or
// without -d. The record's \Recent claim (the highest UID reported) is
// kept, unlike Cyrus, whose owners keep that in the index too
// (cyr_userseen.8, DIFFERENCES).
package main

import (
	"bufio"
	"context"
	"fmt"
	"os"

	"github.com/urfave/cli/v3"

	"gocyrus/internal/tool"
	"gocyrus/pkg/mboxlist"
	"gocyrus/pkg/store"
)

// usage is Cyrus 3.6's.
const usage = "cyr_userseen [-C <altconfig>] -d\n"

func main() {
	cmd := &cli.Command{
		Name:      "cyr_userseen",
		Usage:     "remove the seen state users keep for their own mailboxes",
		UsageText: usage,
		Flags: []cli.Flag{
			tool.ConfigFlag(),
			&cli.BoolFlag{Name: "d", Usage: "remove the records (without it, only report them)"},
		},
		Action: run,
	}
	os.Exit(tool.Run(cmd, os.Args, os.Stderr))
}

func run(ctx context.Context, cmd *cli.Command) error {
	if cmd.NArg() > 0 {
		fmt.Fprint(os.Stderr, usage)
		return tool.Fail(tool.ExitUsage, "unexpected argument %q", cmd.Args().First())
	}
	env, st, err := tool.SetupStore(cmd, "cyr_userseen")
	if err != nil {
		return err
	}
	defer st.DB().Close()
	type owned struct{ user, name, uniqueid string }
	var boxes []owned
	err = st.Walk(ctx, "", func(e *mboxlist.Entry) error {
		if e.IsDeleted() || e.IsIntermediate() {
			return nil
		}
		if user, ok := st.MailboxOwner(e.Name); ok {
			boxes = append(boxes, owned{user, e.Name, e.UniqueID})
		}
		return nil
	})
	if err != nil {
		return tool.Fail(tool.ExitTempFail, "reading the mailbox list: %w", err)
	}
	out := bufio.NewWriter(env.Stdout)
	defer out.Flush()
	for _, b := range boxes {
		fmt.Fprintf(out, "removing seen for %s on %s\n", b.user, b.name)
		if !cmd.Bool("d") {
			continue
		}
		if err := clearOwnerSeen(ctx, st, b.user, b.uniqueid); err != nil {
			out.Flush()
			return tool.Fail(tool.ExitTempFail, "%s: %w", b.name, err)
		}
	}
	return nil
}

// clearOwnerSeen empties the owner's \Seen set (and its times) in the seen
// record, keeping the \Recent claim; a record with nothing to clear (or
// none at all) is not written.
func clearOwnerSeen(ctx context.Context, st *store.Store, user, uniqueid string) error {
	_, err := st.UpdateSeen(ctx, user, uniqueid, func(s *store.Seen) (bool, error) {
		if s.SeenUIDs == "" && s.LastRead == 0 && s.LastChange == 0 {
			return false, nil
		}
		s.SeenUIDs, s.LastRead, s.LastChange = "", 0, 0
		return true, nil
	})
	return err
}
