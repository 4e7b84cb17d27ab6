// Command sieve-check compiles Sieve scripts the way timsieved does at
// upload and prints each error as FILE:LINE:COLUMN: message. It exits 1
// when a script does not compile, 2 on usage or configuration errors. See
// sieve-check(8).
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/urfave/cli/v3"

	"gocyrus/internal/getopt"
	"gocyrus/internal/sievecompile"
	"gocyrus/pkg/config"
	"gocyrus/pkg/sieve"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// synopsis is sieve-check(8)'s, printed after a usage error's reason.
const synopsis = "sieve-check [-C imapd.conf [-u userid]] FILE..."

func run(args []string, stdout, stderr io.Writer) int {
	status := 0
	cmd := &cli.Command{
		Name:      "sieve-check",
		Usage:     "compile Sieve scripts and report their errors",
		UsageText: synopsis,
		Writer:    stdout,
		ErrWriter: stderr,
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "C", Usage: "imapd.conf `path`: apply sieve_extensions and sieve_maxscriptsize, find global scripts"},
			&cli.StringFlag{Name: "u", Usage: "resolve includes from `userid`'s scripts in sievedir (needs -C)"},
		},
		Action: func(_ context.Context, c *cli.Command) error {
			if c.NArg() == 0 {
				return errors.New("no FILE to check")
			}
			status = check(c.String("C"), c.String("u"), c.Args().Slice(), stdout, stderr)
			return nil
		},
	}
	// Every error here is a usage error: check's own end in status.
	err := getopt.Run(cmd, append([]string{"sieve-check"}, args...), func(err error) error { return err })
	if err != nil {
		fmt.Fprintf(stderr, "sieve-check: %v\nusage: %s\n", err, synopsis)
		return 2
	}
	return status
}

// check compiles each file and returns the exit status.
func check(confPath, user string, files []string, stdout, stderr io.Writer) int {
	var cfg *config.Config
	if confPath != "" {
		c, err := config.LoadImapd(confPath)
		if err != nil {
			fmt.Fprintln(stderr, "sieve-check:", err)
			return 2
		}
		cfg = c.ForService("sieve")
	} else if user != "" {
		fmt.Fprintln(stderr, "sieve-check: -u needs -C")
		return 2
	}
	opts, store := sievecompile.FromConfig(cfg)
	status := 0
	for _, file := range files {
		src, err := os.ReadFile(file)
		if err != nil {
			fmt.Fprintln(stderr, "sieve-check:", err)
			status = max(status, 2)
			continue
		}
		opts.Include = sievecompile.Includer(file, store, user)
		_, err = sieve.Compile(src, opts)
		var se *sieve.Error
		switch {
		case err == nil:
			fmt.Fprintf(stdout, "%s: OK\n", file)
		case errors.As(err, &se):
			fmt.Fprintf(stdout, "%s:%d:%d: %s\n", file, se.Line, se.Column, se.Msg)
			status = max(status, 1)
		default:
			fmt.Fprintf(stdout, "%s: %v\n", file, err)
			status = max(status, 1)
		}
	}
	return status
}
