// Command chk_cyrus checks that every message file a mailbox's index
// names exists and can be opened, for one mailbox (-M), one partition
// (-P) or the whole list. Like Cyrus 3.6 it prints its progress on
// stderr and one line per problem on stdout ("user.x uid 7 not found"),
// so the stdout list can be fed to a restore; it changes nothing.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"

	"github.com/urfave/cli/v3"

	"gocyrus/internal/tool"
	"gocyrus/pkg/store"
)

// usage is Cyrus 3.6's line, printed for -h and for -P with -M.
const usage = "chk_cyrus [-C <altconfig>] partition\n"

// exitUsage is Cyrus's status for a usage error (exit(-1)).
const exitUsage = 255

func main() {
	cmd := &cli.Command{
		Name:      "chk_cyrus",
		Usage:     "check that the message files every index names exist and are readable",
		UsageText: "chk_cyrus [-C <altconfig>] [-P partition | -M mailbox]",
		Flags: []cli.Flag{
			tool.ConfigFlag(),
			&cli.StringFlag{Name: "P", Usage: "check only the mailboxes on `PARTITION`"},
			&cli.StringFlag{Name: "M", Usage: "check only `MAILBOX`"},
		},
		Action: run,
	}
	os.Exit(tool.Run(cmd, os.Args, os.Stderr))
}

func run(ctx context.Context, cmd *cli.Command) error {
	part, name := cmd.String("P"), cmd.String("M")
	if part != "" && name != "" {
		stderr := cmd.ErrWriter
		if stderr == nil {
			stderr = os.Stderr
		}
		fmt.Fprint(stderr, usage)
		return tool.Fail(exitUsage, "-P and -M exclude each other")
	}
	env, st, err := tool.SetupStore(cmd, "chk_cyrus")
	if err != nil {
		return err
	}
	defer st.DB().Close()
	c := checker{st: st, out: env.Stdout, log: env.Stderr}
	if name != "" {
		fmt.Fprintf(env.Stderr, "Examining mailbox: %s\n", name)
		internal, err := env.Internal(name, false)
		if err != nil {
			fmt.Fprintf(env.Stderr, "chk_cyrus: %s: %v\n", name, err)
			return nil
		}
		e, err := st.Lookup(ctx, internal)
		if err != nil {
			// Cyrus says nothing more and exits 0; we say why (chk_cyrus.8).
			fmt.Fprintf(env.Stderr, "chk_cyrus: %s: %v\n", name, err)
			return nil
		}
		c.check(e)
		return nil
	}
	label := part
	if label == "" {
		label = "ALL PARTITIONS"
	}
	fmt.Fprintf(env.Stderr, "Examining partition: %s\n", label)
	return st.Walk(ctx, "", func(e *store.Entry) error {
		if e.IsIntermediate() || e.IsDeleted() || (part != "" && e.Partition != part) {
			return nil
		}
		c.check(e)
		return nil
	})
}

// checker checks mailboxes, writing problems to out and progress to log.
type checker struct {
	st       *store.Store
	out, log io.Writer
}

// check reports, for each message of e's index, a file that is missing
// ("<mailbox> uid N not found", Cyrus's line) or cannot be opened
// ("<mailbox> uid N unreadable: why"), and a mailbox whose index cannot
// be read at all.
func (c *checker) check(e *store.Entry) {
	fmt.Fprintf(c.log, "checking: %s\n", e.Name)
	mb, err := c.st.OpenEntry(e, store.QuotaIgnore, nil)
	if err != nil {
		if inner := errors.Unwrap(err); inner != nil {
			err = inner // OpenEntry's "<name>: " prefix: the line names it already
		}
		fmt.Fprintf(c.out, "%s unreadable: %v\n", e.Name, err)
		return
	}
	defer mb.Close()
	v, err := mb.Snapshot()
	if err != nil {
		fmt.Fprintf(c.out, "%s unreadable: %v\n", e.Name, err)
		return
	}
	for _, r := range v.Records {
		err := readable(mb.MessagePath(r.UID))
		switch {
		case errors.Is(err, fs.ErrNotExist):
			fmt.Fprintf(c.out, "%s uid %d not found\n", e.Name, r.UID)
		case err != nil:
			fmt.Fprintf(c.out, "%s uid %d unreadable: %v\n", e.Name, r.UID, err)
		}
	}
}

// readable opens path and reads its first byte: an open alone succeeds
// on a directory, and for root on a file of mode 000.
func readable(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	var b [1]byte
	if _, err := f.Read(b[:]); err != nil && err != io.EOF {
		return err
	}
	return nil
}
