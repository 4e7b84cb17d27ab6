// Command sieved prints what a Sieve script does, in the layout of Cyrus
// 3.6's bytecode dump (offsets included), or with -s the script itself.
// Cyrus's reads the .bc bytecode sievec wrote; gocyrus has no bytecode, so
// ours reads the script source, the file gocyrus's sievec writes
// (sieved(8)). The script must compile, as timsieved would take it.
package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/urfave/cli/v3"

	"gocyrus/internal/getopt"
	"gocyrus/internal/sievecompile"
	"gocyrus/pkg/config"
	"gocyrus/pkg/sieve"
)

// maxRead bounds what is read of a script: one byte over the compiler's
// limit is enough to refuse it.
const maxRead = 16 << 20

// cyrusMagic starts every Cyrus bytecode file.
var cyrusMagic = []byte("CyrSBytecode")

func main() {
	os.Exit(run(os.Args, os.Stdout, os.Stderr))
}

// syntax is Cyrus 3.6's usage line, which names the program as invoked.
func syntax(argv0 string) string {
	return "Syntax: " + argv0 + " [-s] <bytecode-file>\n"
}

func run(args []string, stdout, stderr io.Writer) int {
	status := 0
	cmd := &cli.Command{
		Name:                          "sieved",
		Usage:                         "print what a Sieve script does",
		CustomRootCommandHelpTemplate: syntax(args[0]),
		Writer:                        stdout,
		ErrWriter:                     stderr,
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "C", Usage: "apply sieve_extensions and the vacation limits of imapd.conf `FILE`"},
			&cli.BoolFlag{Name: "s", Usage: "print the script itself"},
		},
		Action: func(_ context.Context, c *cli.Command) error {
			if c.NArg() != 1 {
				return errors.New("usage")
			}
			status = show(c.String("C"), c.Args().First(), c.Bool("s"), stdout, stderr)
			return nil
		},
	}
	if err := getopt.Run(cmd, args, func(err error) error { return err }); err != nil {
		if err.Error() != "usage" {
			fmt.Fprintf(stderr, "%s: %v\n", args[0], err)
		}
		fmt.Fprint(stderr, syntax(args[0]))
		return 1
	}
	return status
}

// show prints file's dump (or the script with asScript) under the
// configuration at confPath (defaults when "") and returns the exit status.
func show(confPath, file string, asScript bool, stdout, stderr io.Writer) int {
	cfg, err := config.ParseImapd(strings.NewReader(""), "defaults")
	if confPath != "" {
		cfg, err = config.LoadImapd(confPath)
	}
	if err != nil {
		fmt.Fprintf(stderr, "Fatal error: %v\n", err)
		return 1
	}
	cfg = cfg.ForService("sieve")
	// Cyrus's compiler bounds a vacation period; its bytecode holds the
	// bounded value.
	limits := vacationLimits{int64(cfg.SieveVacationMinResponse().Seconds()), int64(cfg.SieveVacationMaxResponse().Seconds())}
	src, err := read(file)
	if err != nil {
		fmt.Fprintf(stderr, "can not open script '%s'\n", file)
		return 1
	}
	if bytes.HasPrefix(src, cyrusMagic) {
		fmt.Fprintf(stderr, "sieved: %s is Cyrus bytecode; gocyrus's sieved reads Sieve scripts: give it the script's source\n", file)
		return 1
	}
	opts, _ := sievecompile.FromConfig(cfg)
	opts.MaxSize = maxRead
	opts.Include = sievecompile.Includer(file, nil, "")
	if _, err := sieve.Compile(src, opts); err != nil {
		fmt.Fprint(stderr, sievecompile.CyrusReport(err))
		return 1
	}
	if asScript {
		_, err = stdout.Write(src)
	} else {
		var cmds []*sieve.Syntax
		if cmds, err = sieve.ParseSyntax(src); err == nil {
			_, err = io.WriteString(stdout, dump(cmds, limits))
		}
	}
	if err != nil {
		fmt.Fprintf(stderr, "sieved: %v\n", err)
		return 1
	}
	return 0
}

// read reads file, at most one byte over maxRead.
func read(file string) ([]byte, error) {
	f, err := os.Open(file)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	src, err := io.ReadAll(io.LimitReader(f, maxRead+1))
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", file, err)
	}
	return src, nil
}
