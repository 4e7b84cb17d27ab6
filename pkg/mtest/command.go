package mtest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"time"

	"github.com/urfave/cli/v3"
	"golang.org/x/term"
)

// Command is the command line of p's program, with Cyrus's flags. stdin,
// stdout and stderr are the program's.
func Command(p *Protocol, stdin io.Reader, stdout io.Writer) *cli.Command {
	usage := fmt.Sprintf("%s [-t keyfile] [-p port] [-m mechanism] [-a userid] [-u userid] [-r realm] [-w password] [-k num] [-f file] [-x socket] [-I pidfile] [-s] [-i] [-v] hostname", p.Program)
	return &cli.Command{
		Name:      p.Program,
		Usage:     "interactive " + p.Service + " test client, as Cyrus's " + p.Program,
		UsageText: usage,
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "t", Usage: "start TLS (STARTTLS), presenting the certificate and key in PEM `keyfile` (\"\" for none)"},
			&cli.StringFlag{Name: "p", Usage: "connect to `port` (default " + p.Port + ")"},
			&cli.StringFlag{Name: "m", Usage: "authenticate with `mechanism` (plain, or login: the protocol's plaintext login)"},
			&cli.StringFlag{Name: "a", Usage: "authentication `userid` (default: $USER)"},
			&cli.StringFlag{Name: "u", Usage: "authorization `userid` (act as this user)"},
			&cli.StringFlag{Name: "r", Usage: "the `realm` appended to the authentication id"},
			&cli.StringFlag{Name: "w", Usage: "the `password` (else asked on the terminal)"},
			&cli.StringFlag{Name: "k", Usage: "minimum security strength factor `num` to authenticate"},
			&cli.StringFlag{Name: "f", Usage: "send the lines of `file` after authenticating, instead of standard input"},
			&cli.StringFlag{Name: "x", Usage: "connect to the UNIX `socket` instead of hostname"},
			&cli.StringFlag{Name: "I", Usage: "write the process id to `file`"},
			&cli.BoolFlag{Name: "s", Usage: "speak TLS from the first byte (" + p.TLSPort + ")"},
			&cli.BoolFlag{Name: "i", Usage: "do not send an initial client response"},
			&cli.BoolFlag{Name: "v", Usage: "verbose"},
		},
		Action: func(ctx context.Context, cmd *cli.Command) error {
			return action(ctx, p, cmd, stdin, stdout)
		},
	}
}

func action(ctx context.Context, p *Protocol, cmd *cli.Command, stdin io.Reader, stdout io.Writer) error {
	o := Options{
		Port: cmd.String("p"), Socket: cmd.String("x"), Mech: cmd.String("m"),
		AuthID: cmd.String("a"), AuthzID: cmd.String("u"), Realm: cmd.String("r"), Password: cmd.String("w"),
		StartTLS: cmd.IsSet("t"), KeyFile: cmd.String("t"), Implicit: cmd.Bool("s"),
		NoInitial: cmd.Bool("i"), Verbose: cmd.Bool("v"), Script: stdin, Timeout: 5 * time.Minute,
	}
	switch {
	case cmd.NArg() == 1:
		o.Host = cmd.Args().First()
	case cmd.NArg() == 0 && o.Socket != "":
	default:
		return fmt.Errorf("exactly one hostname expected (see %s -h)", p.Program)
	}
	if k := cmd.String("k"); k != "" {
		n, err := strconv.Atoi(k)
		if err != nil || n < 0 {
			return fmt.Errorf("-k %q is not a non-negative number", k)
		}
		o.MinSSF = n
	}
	if o.AuthID == "" {
		o.AuthID = os.Getenv("USER")
	}
	if f := cmd.String("f"); f != "" {
		file, err := os.Open(f)
		if err != nil {
			return err
		}
		defer file.Close()
		o.Script = file
	}
	if pf := cmd.String("I"); pf != "" {
		if err := os.WriteFile(pf, []byte(strconv.Itoa(os.Getpid())+"\n"), 0o644); err != nil {
			return err
		}
	}
	o.PasswordFunc = askPassword
	return Run(ctx, p, o, stdout)
}

// askPassword prompts on the terminal, as Cyrus's clients do.
func askPassword() (string, error) {
	tty, err := os.OpenFile("/dev/tty", os.O_RDWR, 0)
	if err != nil {
		return "", errors.New("no terminal to ask the password on (give it with -w)")
	}
	defer tty.Close()
	fmt.Fprint(tty, "Please enter your password: ")
	b, err := term.ReadPassword(int(tty.Fd()))
	fmt.Fprintln(tty)
	return string(b), err
}
