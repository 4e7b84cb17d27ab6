package main

import (
	"errors"
	"fmt"
	"io"

	"github.com/urfave/cli/v3"

	"gocyrus/internal/getopt"
	"gocyrus/internal/tool"
	"gocyrus/pkg/lmtp"
)

// usageLine is Cyrus's: deliver's usage errors are LMTP-style 421 replies
// (a caller may be speaking LMTP with it, deliver -l), on stderr.
const usageLine = "usage: deliver [-C <alt_config> ] [-m mailbox] [-a auth] [-r return_path] [-l] [-D] [-e] [-q] [user]..."

// usageError is a command-line mistake: it exits with EX_USAGE after the
// usage reply.
type usageError struct{ err error }

func (e *usageError) Error() string { return e.err.Error() }
func (e *usageError) Unwrap() error { return e.err }

func usageFail(format string, a ...any) error {
	return &usageError{err: fmt.Errorf(format, a...)}
}

// writeUsage prints why, then the usage as a two-line 421 reply.
func writeUsage(w io.Writer, why error) {
	if why != nil {
		fmt.Fprintf(w, "deliver: %v\n", why)
	}
	fmt.Fprintf(w, "421-4.3.0 %s\n421 4.3.0 %s\n", usageLine, lmtp.Version)
}

// runCommand runs cmd and returns the exit status: usage errors get the
// 421 reply and EX_USAGE, other failures "deliver: reason" and their code.
func runCommand(cmd *cli.Command, args []string, stderr io.Writer) int {
	cmd.ErrWriter = stderr
	err := getopt.Run(cmd, args, func(err error) error { return &usageError{err: err} })
	if err == nil {
		return 0
	}
	var ue *usageError
	if errors.As(err, &ue) {
		writeUsage(stderr, ue.err)
		return tool.ExitUsage
	}
	fmt.Fprintf(stderr, "deliver: %v\n", err)
	var te *tool.Error
	if errors.As(err, &te) {
		return te.Code
	}
	return 1
}
