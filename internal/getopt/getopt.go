// Package getopt holds the one implementation of the command-line rules
// Cyrus's programs follow (POSIX getopt as glibc runs it): single-letter
// options may be combined ("-rf"), an option's argument may be attached
// ("-Cfile", "-rfCfile") or the next word ("-C file"), options may follow
// the operands, and "--" ends the options. Normalize rewrites a command line
// into the plainest form — one word per option, each argument its own word,
// then "--" and the operands — which urfave/cli, the one flag library every
// program declares its flags with, reads without knowing these rules. Run
// is how every program runs its command.
package getopt

import (
	"context"
	"strings"

	"github.com/urfave/cli/v3"
)

// Normalize rewrites args (without the program name). takesArg reports
// whether an option letter takes an argument. A word that is not an option
// ("x", "-", or anything after "--") is an operand; a "--name" word is
// passed through as one option (Cyrus's programs have none but --help; a
// long option's value must be attached: "--name=value"). An option
// missing its argument ends the result, so the parser reports it missing.
func Normalize(args []string, takesArg func(letter byte) bool) []string {
	var opts, operands []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--":
			operands = append(operands, args[i+1:]...)
			i = len(args)
		case strings.HasPrefix(a, "--"):
			opts = append(opts, a)
		case len(a) < 2 || a[0] != '-':
			operands = append(operands, a)
		default:
			start := len(opts)
			for j := 1; j < len(a); j++ {
				if a[j] == '-' {
					// Not an option letter: the parser refuses the word as typed.
					opts = append(opts[:start], a)
					break
				}
				opts = append(opts, "-"+a[j:j+1])
				if !takesArg(a[j]) {
					continue
				}
				if j+1 < len(a) {
					opts = append(opts, a[j+1:])
				} else if i+1 < len(args) {
					i++
					opts = append(opts, args[i])
				} else {
					// Missing its argument: it must stay last, or the
					// parser would take "--" for it.
					return opts
				}
				break
			}
		}
	}
	if len(operands) == 0 {
		return opts
	}
	return append(append(opts, "--"), operands...)
}

// CLIArgs normalizes a command line (program name first) for a urfave/cli
// command, whose flags say which letters take an argument.
func CLIArgs(cmd *cli.Command, args []string) []string {
	takes := map[byte]bool{}
	for _, f := range cmd.Flags {
		v, ok := f.(cli.DocGenerationFlag)
		for _, n := range f.Names() {
			if len(n) == 1 && ok && v.TakesValue() {
				takes[n[0]] = true
			}
		}
	}
	return withProgram(args, func(c byte) bool { return takes[c] })
}

// Run runs cmd on args (program name first) read by these rules, as every
// program does: no help subcommand, a flag mistake returned as usage(err)
// instead of urfave's "Incorrect Usage" and help on stderr, and urfave never
// exiting the process (main decides the status).
func Run(cmd *cli.Command, args []string, usage func(error) error) error {
	cmd.UseShortOptionHandling = true
	cmd.HideHelpCommand = true
	cmd.OnUsageError = func(_ context.Context, _ *cli.Command, err error, _ bool) error {
		return usage(err)
	}
	cmd.ExitErrHandler = func(context.Context, *cli.Command, error) {}
	return cmd.Run(context.Background(), CLIArgs(cmd, args))
}

func withProgram(args []string, takesArg func(byte) bool) []string {
	if len(args) == 0 {
		return args
	}
	return append([]string{args[0]}, Normalize(args[1:], takesArg)...)
}
