// Command ipurge expunges the messages of mailboxes that are older (by
// their Date: header, or with -X by their delivery time) or larger than a
// limit, as Cyrus's ipurge does. By default it leaves users' mailboxes
// alone (-f includes them).
//
// Messages go through the store's expunge, so expunge_mode applies: under
// delayed (the default) the files stay for unexpunge until cyr_expire -X,
// and quota usage is released at once.
package main

import (
	"context"
	"fmt"
	"math"
	"os"
	"strconv"

	"github.com/urfave/cli/v3"

	"gocyrus/internal/tool"
)

func main() {
	os.Exit(tool.Run(command(), os.Args, os.Stderr))
}

// command is ipurge's command line, with Cyrus's single-letter flags.
func command() *cli.Command {
	return &cli.Command{
		Name:  "ipurge",
		Usage: "delete mail from mailboxes based on age or size",
		UsageText: "ipurge [-f] [-C file] [-x] [-M] [-X] [-i] [-s] [-o] [-n] [-v]\n" +
			"       (-d days | -b bytes | -k Kbytes | -m Mbytes) [mailbox-pattern...]",
		Flags: []cli.Flag{
			tool.ConfigFlag(),
			&cli.StringFlag{Name: "d", Usage: "purge messages older than `DAYS` days"},
			&cli.StringFlag{Name: "b", Usage: "purge messages larger than `BYTES` bytes"},
			&cli.StringFlag{Name: "k", Usage: "purge messages larger than `KBYTES` Kbytes (2^10 bytes)"},
			&cli.StringFlag{Name: "m", Usage: "purge messages larger than `MBYTES` Mbytes (2^20 bytes)"},
			&cli.BoolFlag{Name: "f", Usage: "also purge mailboxes below user.*"},
			&cli.BoolFlag{Name: "x", Usage: "exact match on age (in whole days) or size instead of older or larger"},
			&cli.BoolFlag{Name: "X", Usage: "use the delivery time instead of the Date: header"},
			&cli.BoolFlag{Name: "i", Usage: "invert the match: not equal with -x, newer, smaller"},
			&cli.BoolFlag{Name: "s", Usage: `skip messages flagged \Flagged`},
			&cli.BoolFlag{Name: "o", Usage: `only purge messages flagged \Deleted`},
			&cli.BoolFlag{Name: "M", Usage: "the arguments are mailbox names, taken without patterns or sub-mailboxes"},
			&cli.BoolFlag{Name: "n", Usage: "dry run: list the messages that would be purged, purge nothing"},
			&cli.BoolFlag{Name: "v", Usage: "name each mailbox as it is worked on"},
		},
		Action: run,
	}
}

func run(ctx context.Context, cmd *cli.Command) error {
	o, err := parseOptions(cmd)
	if err != nil {
		return err
	}
	env, st, err := tool.SetupStore(cmd, "ipurge")
	if err != nil {
		return err
	}
	defer st.DB().Close()
	names, failed, err := selectMailboxes(ctx, env, st, o)
	if err != nil {
		return err
	}
	failed += purgeMailboxes(ctx, env, st, o, names)
	if failed > 0 {
		return tool.Fail(tool.ExitTempFail, "%d mailboxes could not be purged (see above)", failed)
	}
	return nil
}

// limitFlags are the ways to give the limit, with the bytes one unit of
// each stands for (0: days, not a size).
var limitFlags = []struct {
	flag string
	unit int64
}{{"d", 0}, {"b", 1}, {"k", 1 << 10}, {"m", 1 << 20}}

// parseOptions checks the command line: exactly one limit, a whole
// non-negative number.
func parseOptions(cmd *cli.Command) (options, error) {
	o := options{
		force: cmd.Bool("f"), exact: cmd.Bool("x"), invert: cmd.Bool("i"),
		byDelivery: cmd.Bool("X"), skipFlagged: cmd.Bool("s"), onlyDeleted: cmd.Bool("o"),
		names: cmd.Bool("M"), dryRun: cmd.Bool("n"), verbose: cmd.Bool("v"),
		args: cmd.Args().Slice(),
	}
	given := 0
	for _, l := range limitFlags {
		if !cmd.IsSet(l.flag) {
			continue
		}
		given++
		n, err := parseCount(cmd.String(l.flag), l.unit)
		if err != nil {
			return options{}, tool.Fail(tool.ExitUsage, "-%s: %v", l.flag, err)
		}
		if l.unit == 0 {
			o.days = n
		} else {
			o.bySize, o.bytes = true, n*l.unit
		}
	}
	switch {
	case given == 0:
		return options{}, tool.Fail(tool.ExitUsage, "one of -d, -b, -k and -m must be given")
	case given > 1:
		return options{}, tool.Fail(tool.ExitUsage, "give only one of -d, -b, -k and -m")
	}
	return o, nil
}

// parseCount reads a whole non-negative number of units (days when unit is
// 0), refusing what would overflow once turned into bytes or seconds.
func parseCount(s string, unit int64) (int64, error) {
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("%q is not a whole non-negative number", s)
	}
	limit := int64(math.MaxInt64 / secondsPerDay)
	if unit > 0 {
		limit = math.MaxInt64 / unit
	}
	if n > limit {
		return 0, fmt.Errorf("%s is too large", s)
	}
	return n, nil
}
