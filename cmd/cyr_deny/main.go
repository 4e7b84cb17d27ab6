// Command cyr_deny denies users access to some or all services, allows
// them again (-a) and lists the entries (-l), as Cyrus 3.6's does, with
// the entries in the shared databases instead of user_deny.db (Cyrus's
// value format, pkg/userdeny). It works online through master's db service
// or offline. Where Cyrus SIGTERMs every process serving the user, the
// daemons here end only the denied services' sessions, each with its
// protocol's words, within seconds of the change (cyr_deny.8,
// DIFFERENCES).
package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"

	"github.com/urfave/cli/v3"

	"gocyrus/internal/tool"
	"gocyrus/pkg/userdeny"
)

// usage is Cyrus 3.6's.
const usage = `Usage: cyr_deny [-C <altconfig>] [ -s services ] [ -m message ] user
       cyr_deny [-C <altconfig>] -a user
       cyr_deny [-C <altconfig>] -l
`

func main() {
	cmd := &cli.Command{
		Name:     "cyr_deny",
		Usage:    "deny users access to Cyrus services",
		HideHelp: true, // -h prints Cyrus's usage
		Flags: []cli.Flag{
			tool.ConfigFlag(),
			&cli.BoolFlag{Name: "h", Usage: "print the usage"},
			&cli.BoolFlag{Name: "a", Aliases: []string{"allow"}, Usage: "allow the user every service again"},
			&cli.BoolFlag{Name: "l", Aliases: []string{"list"}, Usage: "list the entries"},
			&cli.StringFlag{Name: "m", Aliases: []string{"message"}, Usage: "what the user is told (`MESSAGE`)"},
			&cli.StringFlag{Name: "s", Aliases: []string{"services"}, Usage: "comma-separated wildmat `PATTERNS` of services (default *)"},
		},
		Action: run,
	}
	os.Exit(tool.Run(cmd, os.Args, os.Stderr))
}

func errWriter(cmd *cli.Command) io.Writer {
	if cmd.ErrWriter != nil {
		return cmd.ErrWriter
	}
	return os.Stderr
}

func run(ctx context.Context, cmd *cli.Command) error {
	if cmd.Bool("h") {
		fmt.Fprint(os.Stdout, usage)
		return nil
	}
	allow, list := cmd.Bool("a"), cmd.Bool("l")
	misuse := (allow && list) || ((allow || list) && (cmd.IsSet("m") || cmd.IsSet("s")))
	switch {
	case list:
		misuse = misuse || cmd.NArg() != 0
	default:
		misuse = misuse || cmd.NArg() != 1
	}
	if misuse {
		fmt.Fprint(errWriter(cmd), usage)
		return tool.Fail(tool.ExitUsage, "wrong options or arguments")
	}
	env, err := tool.Setup(cmd, "cyr_deny")
	if err != nil {
		return err
	}
	db, err := env.OpenDB()
	if err != nil {
		return err
	}
	defer db.Close()
	user := cmd.Args().First()
	switch {
	case list:
		out := bufio.NewWriter(env.Stdout)
		defer out.Flush()
		fmt.Fprintf(out, "%-30s %-20s %s\n", "Username", "Service(s)", "Message")
		err := userdeny.List(ctx, db, func(e userdeny.Entry) error {
			_, err := fmt.Fprintf(out, "%-30s %-20s %s\n", e.User, e.Services, e.Message)
			return err
		}, func(user string, err error) {
			env.Log.Warn("DENYDB_ERROR: invalid entry", "user", user, "err", err)
		})
		if err != nil {
			return tool.Fail(1, "failed to list entries: %w", err)
		}
	case allow:
		if err := userdeny.Delete(ctx, db, user); err != nil {
			return tool.Fail(1, "failed to allow access for %s: %w", user, err)
		}
	default:
		if err := userdeny.Set(ctx, db, user, cmd.String("s"), cmd.String("m")); err != nil {
			return tool.Fail(1, "failed to deny access for %s: %w", user, err)
		}
	}
	return nil
}
