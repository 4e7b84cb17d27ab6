// Command deliver reads a message on stdin and hands it to lmtpd over the
// unix socket lmtpsocket, for MTAs that run a program per delivery
// (Sendmail's cyrus mailer, procmail-style callers). Its exit status
// follows sysexits.h: 0 delivered to every recipient, 75 (EX_TEMPFAIL) if
// any failure was temporary, else 67 (EX_NOUSER) for unknown users, else
// 65 (EX_DATAERR); a usage error is EX_USAGE (64) after Cyrus's
// "421-4.3.0 usage: ..." / "421 4.3.0 <version>" on stderr. With -l it
// relays an LMTP session between stdin/stdout and lmtpd instead.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/user"
	"strings"
	"time"

	"github.com/urfave/cli/v3"

	"gocyrus/internal/tool"
)

// exNoUser is sysexits.h's EX_NOUSER.
const exNoUser = 67

// dialTimeout bounds connecting to lmtpd and each command's reply.
const dialTimeout = 5 * time.Minute

func main() {
	cmd := &cli.Command{
		Name:      "deliver",
		Usage:     "deliver a message from stdin to mailboxes through lmtpd",
		UsageText: "deliver [-C file] [-m mailbox] [-a authid] [-f|-r from] [-q] [-e] [-d] [-D] [user...]\n   deliver [-C file] -l",
		Flags: []cli.Flag{
			tool.ConfigFlag(),
			&cli.StringFlag{Name: "m", Usage: "deliver to folder `MAILBOX` under each user (without users: the shared folder)"},
			&cli.StringFlag{Name: "a", Usage: "deliver as `AUTHID` (its rights apply); default anonymous"},
			&cli.StringFlag{Name: "f", Usage: "envelope sender `ADDR`"},
			&cli.StringFlag{Name: "r", Usage: "envelope sender `ADDR` (same as -f)"},
			&cli.BoolFlag{Name: "q", Usage: "ignore quota"},
			&cli.BoolFlag{Name: "l", Usage: "LMTP pass-through: speak LMTP on stdin/stdout, relayed to lmtpd"},
			&cli.BoolFlag{Name: "e", Usage: "ignored (compatibility)"},
			&cli.BoolFlag{Name: "d", Usage: "ignored (compatibility)"},
			&cli.BoolFlag{Name: "D", Usage: "ignored (debug)"},
			&cli.BoolFlag{Name: "E", Hidden: true},
			&cli.BoolFlag{Name: "F", Hidden: true},
		},
		Action: run,
	}
	os.Exit(runCommand(cmd, os.Args, os.Stderr))
}

func run(ctx context.Context, cmd *cli.Command) error {
	for _, gone := range []string{"E", "F"} {
		if cmd.Bool(gone) {
			return usageFail("'%s' option no longer supported", gone)
		}
	}
	lmtpMode := cmd.Bool("l")
	if lmtpMode && (cmd.Args().Len() > 0 || cmd.IsSet("m") || cmd.IsSet("a") || cmd.IsSet("f") || cmd.IsSet("r") || cmd.Bool("q")) {
		return usageFail("-l takes no recipients and no message options: the LMTP session names them")
	}
	rcpts := recipients(cmd.Args().Slice(), cmd.String("m"))
	if !lmtpMode && len(rcpts) == 0 {
		return usageFail("no recipients (give users, or -m for a shared folder)")
	}
	env, err := tool.Setup(cmd, "deliver")
	if err != nil {
		return err
	}
	if lmtpMode {
		return passThrough(env.Cfg.Lmtpsocket(), env.Stdin, env.Stdout)
	}
	from := cmd.String("f")
	if r := cmd.String("r"); r != "" {
		from = r
	}
	if from == "" {
		if u, err := user.Current(); err == nil {
			from = u.Username
		}
	}
	c, err := dialLMTP(env.Cfg.Lmtpsocket(), dialTimeout)
	if err != nil {
		return tool.Fail(tool.ExitTempFail, "connecting to lmtpd at %s: %v", env.Cfg.Lmtpsocket(), err)
	}
	defer c.close()
	results, err := c.send(from, cmd.String("a"), rcpts, cmd.Bool("q"), env.Stdin)
	if err != nil {
		return tool.Fail(tool.ExitTempFail, "%v", err)
	}
	return verdict(env.Stderr, results)
}

// recipients builds the RCPT addresses: user+mailbox for each user (the
// domain re-appended), or +mailbox for a shared folder.
func recipients(users []string, mbox string) []string {
	if len(users) == 0 {
		if mbox == "" {
			return nil
		}
		return []string{"+" + mbox}
	}
	out := make([]string, 0, len(users))
	for _, u := range users {
		if mbox == "" {
			out = append(out, u)
			continue
		}
		local, domain, hasDomain := strings.Cut(u, "@")
		r := local + "+" + mbox
		if hasDomain {
			r += "@" + domain
		}
		out = append(out, r)
	}
	return out
}

// verdict prints each failure as "addr: text" and picks the exit status.
func verdict(stderr io.Writer, results []rcptResult) error {
	temp, noUser, perm := false, false, false
	for _, r := range results {
		if r.Code/100 == 2 {
			continue
		}
		fmt.Fprintf(stderr, "%s: %d %s\n", r.Rcpt, r.Code, strings.ReplaceAll(r.Text, "\n", " "))
		switch {
		case r.Code/100 == 4:
			temp = true
		case r.Code == 550 && strings.Contains(r.Text, "5.1.1"):
			noUser = true
		default:
			perm = true
		}
	}
	switch {
	case temp:
		return tool.Fail(tool.ExitTempFail, "temporary failure")
	case noUser:
		return tool.Fail(exNoUser, "unknown recipient")
	case perm:
		return tool.Fail(tool.ExitDataErr, "delivery refused")
	}
	return nil
}
