// Command sievec compiles a Sieve script as timsieved does at upload and,
// when it compiles, writes the output file lmtpd can run: gocyrus has no
// bytecode, so that is the script source itself, byte for byte, written
// durably (sievec(8)). Errors use Cyrus 3.6's wording and exit status 1.
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
	"gocyrus/internal/tool"
	"gocyrus/pkg/config"
	"gocyrus/pkg/sieve"
	"gocyrus/pkg/sievescripts"
)

// maxRead bounds what is read of a script when sieve_maxscriptsize does
// not: one byte more than the limit is enough to refuse it.
const maxRead = 16 << 20

func main() {
	os.Exit(run(os.Args, os.Stdout, os.Stderr))
}

// syntax is Cyrus 3.6's usage line, which names the program as invoked.
func syntax(argv0 string) string {
	return "Syntax: " + argv0 + " [-C <altconfig>] <filename> <outputfile>\n"
}

func run(args []string, stdout, stderr io.Writer) int {
	status := 0
	cmd := &cli.Command{
		Name:                          "sievec",
		Usage:                         "compile a Sieve script",
		CustomRootCommandHelpTemplate: syntax(args[0]),
		Writer:                        stdout,
		ErrWriter:                     stderr,
		Flags:                         []cli.Flag{tool.ConfigFlag()},
		Action: func(_ context.Context, c *cli.Command) error {
			if c.NArg() != 2 {
				return errors.New("usage")
			}
			status = compile(c.String("C"), c.Args().Get(0), c.Args().Get(1), stderr)
			return nil
		},
	}
	if err := getopt.Run(cmd, args, func(err error) error { return err }); err != nil {
		// Cyrus prints getopt's complaint, if any, and its usage line.
		if err.Error() != "usage" {
			fmt.Fprintf(stderr, "%s: %v\n", args[0], err)
		}
		fmt.Fprint(stderr, syntax(args[0]))
		return 1
	}
	return status
}

// compile compiles file under the configuration at confPath and writes
// out; it returns the exit status.
func compile(confPath, file, out string, stderr io.Writer) int {
	cfg, err := config.LoadImapd(confPath)
	if err != nil {
		fmt.Fprintf(stderr, "Fatal error: %v\n", err)
		return 1
	}
	// Options it does not know are no concern of a compiler: Cyrus's
	// sievec says nothing of them either.
	opts, store := sievecompile.FromConfig(cfg.ForService("sieve"))
	src, err := readBounded(file, opts.MaxSize)
	if err != nil {
		fmt.Fprintf(stderr, "Unable to open %s for reading\n", file)
		return 1
	}
	opts.Include = sievecompile.Includer(file, store, "")
	if _, err := sieve.Compile(src, opts); err != nil {
		fmt.Fprint(stderr, sievecompile.CyrusReport(err))
		return 1
	}
	if err := sievescripts.WriteFile(out, src); err != nil {
		fmt.Fprintln(stderr, "couldn't open bytecode output file")
		return 1
	}
	return 0
}

// readBounded reads file, at most one byte over limit (maxRead when
// limit is 0), so a huge file costs no more memory than the refusal needs.
func readBounded(file string, limit int) ([]byte, error) {
	if limit <= 0 || limit > maxRead {
		limit = maxRead
	}
	f, err := os.Open(file)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	src, err := io.ReadAll(io.LimitReader(f, int64(limit)+1))
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", file, err)
	}
	if len(src) > limit && limit == maxRead {
		return nil, fmt.Errorf("%s: larger than %d bytes", file, maxRead)
	}
	return src, nil
}
