// Command cyradm is the Cyrus administration shell: an IMAP client that
// reads cyradm commands from a terminal (with a prompt, line editing,
// history and completion), from -e, or from a script on stdin.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/urfave/cli/v3"
	"golang.org/x/term"

	"gocyrus/pkg/cyradm"
)

func main() {
	code := 0
	cmd := &cli.Command{
		Name:      "cyradm",
		Usage:     "administer a Cyrus IMAP server",
		UsageText: "cyradm [--user U] [--authz A] [--port N] [--auth MECH] [--notls | --tls] [--cafile F] [--cadir D] [--tlskey F] [--password-file F] [--norc | --systemrc F --userrc F] [-e 'cmd; cmd'] [server [port]]",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "user", Aliases: []string{"u"}, Usage: "authenticate as `USER` (default $USER)"},
			&cli.StringFlag{Name: "authz", Aliases: []string{"z"}, Usage: "authorize as `USER`"},
			&cli.IntFlag{Name: "port", Aliases: []string{"p"}, Usage: "connect to `PORT` (143, or 993 with --tls)"},
			&cli.StringFlag{Name: "auth", Aliases: []string{"a"}, Usage: "SASL `MECHANISM` (default: the best offered; login uses the LOGIN command)"},
			&cli.BoolFlag{Name: "notls", Usage: "do not use STARTTLS even when offered"},
			&cli.BoolFlag{Name: "tls", Usage: "speak TLS from the start (imaps)"},
			&cli.StringFlag{Name: "cafile", Usage: "trust the CA certificates in `FILE`"},
			&cli.StringFlag{Name: "cadir", Usage: "trust the CA certificates in the PEM files of `DIR`"},
			&cli.StringFlag{Name: "tlskey", Usage: "present the client certificate and key in the PEM `FILE` (for --auth external)"},
			&cli.StringFlag{Name: "password-file", Usage: "read the password from the first line of `FILE`"},
			&cli.BoolFlag{Name: "norc", Usage: "do not run the configuration files"},
			&cli.StringFlag{Name: "systemrc", Aliases: []string{"S"}, Value: "/etc/cyradmrc.pl", Usage: "system-wide commands `FILE`"},
			&cli.StringFlag{Name: "userrc", Usage: "user commands `FILE` (default ~/.cyradmrc.pl)"},
			&cli.StringSliceFlag{Name: "e", Usage: "run `COMMANDS` (';'-separated) instead of reading stdin"},
			&cli.StringFlag{Name: "server", Aliases: []string{"s"}, Usage: "connect to `HOST`"},
		},
		Action: func(ctx context.Context, c *cli.Command) error {
			var err error
			code, err = run(ctx, c)
			return err
		},
	}
	cmd.HideHelpCommand = true
	cmd.ExitErrHandler = func(context.Context, *cli.Command, error) {}
	if err := cmd.Run(context.Background(), os.Args); err != nil {
		fmt.Fprintf(os.Stderr, "cyradm: %v\n", err)
		os.Exit(1)
	}
	os.Exit(code)
}

func run(ctx context.Context, c *cli.Command) (int, error) {
	server := c.String("server")
	args := c.Args().Slice()
	if server != "" && len(args) > 0 {
		return 0, errors.New("may not specify server both with --server and bare arg")
	}
	if len(args) > 0 {
		server = args[0]
	}
	if len(args) > 2 {
		return 0, fmt.Errorf("too many arguments (see cyradm --help)")
	}
	if c.Bool("tls") && c.Bool("notls") {
		return 0, errors.New("--tls and --notls exclude each other")
	}
	stdinFD := int(os.Stdin.Fd())
	interactive := term.IsTerminal(stdinFD) && len(c.StringSlice("e")) == 0

	k := &cyradm.Connector{
		Port:      int(c.Int("port")),
		User:      c.String("user"),
		Authz:     c.String("authz"),
		Mechanism: c.String("auth"),
		Timeout:   5 * time.Minute,
	}
	if len(args) == 2 {
		if _, err := fmt.Sscanf(args[1], "%d", &k.Port); err != nil {
			return 0, fmt.Errorf("bad port %q", args[1])
		}
	}
	if k.User == "" {
		k.User = firstNonEmpty(os.Getenv("USER"), os.Getenv("LOGNAME"))
	}
	switch {
	case c.Bool("notls"):
		k.TLS = cyradm.TLSNone
	case c.Bool("tls"):
		k.TLS = cyradm.TLSImplicit
	}
	files := cyradm.TLSFiles{CAFile: c.String("cafile"), CADir: c.String("cadir"), KeyFile: c.String("tlskey")}
	if !files.Empty() {
		if k.TLS == cyradm.TLSNone {
			return 0, errors.New("--cafile, --cadir and --tlskey need TLS, which --notls turns off")
		}
		cfg, err := files.Apply(nil)
		if err != nil {
			return 0, err
		}
		k.TLSConfig = cfg
	}
	k.Password = passwordSource(c.String("password-file"), stdinFD)

	shell := cyradm.NewShell(k)
	if server != "" {
		conn, err := k.Connect(ctx, server)
		if err != nil {
			return 0, fmt.Errorf("cannot connect to server: %v", err)
		}
		mech, err := k.Login(conn, "", "")
		if err != nil {
			conn.Close()
			return 0, fmt.Errorf("cannot authenticate to server with %s as %s: %v", mech, k.User, err)
		}
		shell.Attach(conn, server)
	}
	defer shell.Close()

	if !c.Bool("norc") {
		userrc := c.String("userrc")
		if userrc == "" {
			if home, err := os.UserHomeDir(); err == nil {
				userrc = filepath.Join(home, ".cyradmrc.pl")
			}
		}
		for _, rc := range []string{c.String("systemrc"), userrc} {
			if done, code := runFile(shell, rc); done {
				return code, nil
			}
		}
	}

	var r cyradm.LineReader
	switch {
	case len(c.StringSlice("e")) > 0:
		r = cyradm.NewScriptReader(strings.NewReader(strings.Join(c.StringSlice("e"), "\n")))
	case interactive:
		var hist *cyradm.History
		if home, err := os.UserHomeDir(); err == nil {
			hist = cyradm.LoadHistory(filepath.Join(home, ".cyradm_history"))
		}
		r = cyradm.NewTerminalReader(stdinFD, os.Stdin, os.Stdout, shell, hist)
	default:
		r = cyradm.NewScriptReader(os.Stdin)
	}
	code := shell.Run(r)
	if interactive {
		if done, _ := shell.Exited(); !done {
			fmt.Println()
		}
	}
	return code, nil
}

// runFile runs the commands of a configuration file, if it exists; it
// reports whether the file ran exit.
func runFile(shell *cyradm.Shell, path string) (bool, int) {
	if path == "" {
		return false, 0
	}
	f, err := os.Open(path)
	if err != nil {
		return false, 0
	}
	defer f.Close()
	code := shell.Run(cyradm.NewScriptReader(f))
	done, _ := shell.Exited()
	return done, code
}

// passwordSource reads the password from a file, $CYRADM_PASSWORD, or the
// terminal without echo, in that order.
func passwordSource(file string, fd int) func(user string) (string, error) {
	return func(user string) (string, error) {
		if file != "" {
			data, err := os.ReadFile(file)
			if err != nil {
				return "", err
			}
			line, _, _ := strings.Cut(string(data), "\n")
			return strings.TrimSuffix(line, "\r"), nil
		}
		if pw, ok := os.LookupEnv("CYRADM_PASSWORD"); ok {
			return pw, nil
		}
		if term.IsTerminal(fd) {
			return cyradm.ReadPassword(fd, "Password: ", os.Stderr)
		}
		return "", errors.New("no password: use --password-file or set CYRADM_PASSWORD")
	}
}

func firstNonEmpty(s ...string) string {
	for _, x := range s {
		if x != "" {
			return x
		}
	}
	return ""
}
