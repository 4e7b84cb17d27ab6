// Command saslpasswd manages the users of sasl_pwcheck_method auxprop, like
// Cyrus SASL's saslpasswd2.
package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/urfave/cli/v3"
	"golang.org/x/term"

	"gocyrus/internal/tool"
	"gocyrus/pkg/sasldb"
)

func main() {
	cmd := &cli.Command{
		Name:      "saslpasswd",
		Usage:     "set (-c: create) or delete (-d) a user's password in the sasldb",
		UsageText: "saslpasswd [-C file] [-c] [-p] user\nsaslpasswd [-C file] -d user",
		Flags: []cli.Flag{
			tool.ConfigFlag(),
			&cli.BoolFlag{Name: "c", Usage: "create the user if it does not exist"},
			&cli.BoolFlag{Name: "d", Usage: "delete the user"},
			&cli.BoolFlag{Name: "p", Usage: "read the password from stdin, without prompting"},
		},
		Reader: os.Stdin,
		Action: run,
	}
	os.Exit(tool.Run(cmd, os.Args, os.Stderr))
}

func run(ctx context.Context, cmd *cli.Command) error {
	if cmd.NArg() != 1 {
		return tool.Fail(tool.ExitUsage, "exactly one userid expected")
	}
	user := cmd.Args().First()
	if cmd.Bool("d") && (cmd.Bool("c") || cmd.Bool("p")) {
		return tool.Fail(tool.ExitUsage, "-d cannot be combined with -c or -p")
	}
	env, err := tool.Setup(cmd, "saslpasswd")
	if err != nil {
		return err
	}
	var password string
	if !cmd.Bool("d") {
		if password, err = readPassword(env.Stdin, env.Stderr, cmd.Bool("p")); err != nil {
			return err
		}
	}
	db, err := env.OpenDB()
	if err != nil {
		return err
	}
	defer db.Close()
	store := sasldb.New(db)
	if cmd.Bool("d") {
		return store.Delete(ctx, user)
	}
	return store.SetPassword(ctx, user, password, cmd.Bool("c"))
}

// readPassword reads one line from stdin with -p; otherwise it prompts
// twice on the terminal without echo.
func readPassword(stdin io.Reader, stderr io.Writer, fromStdin bool) (string, error) {
	if fromStdin {
		line, err := bufio.NewReader(stdin).ReadString('\n')
		if err != nil && !(errors.Is(err, io.EOF) && line != "") {
			return "", tool.Fail(tool.ExitDataErr, "no password on stdin")
		}
		pw := strings.TrimRight(line, "\r\n")
		if pw == "" {
			return "", tool.Fail(tool.ExitDataErr, "empty password")
		}
		return pw, nil
	}
	tty, err := os.OpenFile("/dev/tty", os.O_RDWR, 0)
	if err != nil {
		return "", tool.Fail(tool.ExitUsage, "no terminal to prompt on (use -p to read the password from stdin)")
	}
	defer tty.Close()
	ask := func(prompt string) (string, error) {
		fmt.Fprint(tty, prompt)
		b, err := term.ReadPassword(int(tty.Fd()))
		fmt.Fprintln(tty)
		return string(b), err
	}
	first, err := ask("Password: ")
	if err != nil {
		return "", err
	}
	again, err := ask("Again (for verification): ")
	if err != nil {
		return "", err
	}
	if first != again {
		return "", tool.Fail(tool.ExitDataErr, "passwords don't match")
	}
	if first == "" {
		return "", tool.Fail(tool.ExitDataErr, "empty password")
	}
	return first, nil
}
