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
	"gocyrus/pkg/auth"
	"gocyrus/pkg/sasldb"
)

func main() {
	cmd := &cli.Command{
		Name:      "saslpasswd",
		Usage:     "set (-c: create) or delete (-d) a user's password in the sasldb, or import (-i) a Cyrus SASL sasldb2",
		UsageText: "saslpasswd [-C file] [-c] [-p] user\nsaslpasswd [-C file] -d user\nsaslpasswd [-C file] -i [-u realm] [sasldb2-file]",
		Flags: []cli.Flag{
			tool.ConfigFlag(),
			&cli.BoolFlag{Name: "c", Usage: "create the user if it does not exist"},
			&cli.BoolFlag{Name: "d", Usage: "delete the user"},
			&cli.BoolFlag{Name: "p", Usage: "read the password from stdin, without prompting"},
			&cli.BoolFlag{Name: "i", Usage: "import the users of a Cyrus SASL sasldb2 (default: sasl_sasldb_path)"},
			&cli.StringFlag{Name: "u", Usage: "with -i: the realm whose users log in without @realm (default: servername)"},
		},
		Reader: os.Stdin,
		Action: run,
	}
	os.Exit(tool.Run(cmd, os.Args, os.Stderr))
}

func run(ctx context.Context, cmd *cli.Command) error {
	if cmd.Bool("i") {
		return importSasldb2(ctx, cmd)
	}
	if cmd.String("u") != "" {
		return tool.Fail(tool.ExitUsage, "-u is for -i")
	}
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

// defaultSasldb2 is Cyrus SASL's sasldb_path default.
const defaultSasldb2 = "/etc/sasldb2"

// importSasldb2 converts every userPassword record of a Cyrus SASL sasldb2
// into this sasldb (re-running it sets the same passwords again). A record
// of another property cannot be converted and is named on stderr.
func importSasldb2(ctx context.Context, cmd *cli.Command) error {
	if cmd.Bool("c") || cmd.Bool("d") || cmd.Bool("p") || cmd.NArg() > 1 {
		return tool.Fail(tool.ExitUsage, "-i takes at most one file and no -c, -d or -p")
	}
	env, err := tool.Setup(cmd, "saslpasswd")
	if err != nil {
		return err
	}
	path := cmd.Args().First()
	if path == "" {
		path = defaultSasldb2
		if v, ok := env.Cfg.Lookup("sasl_sasldb_path"); ok && v != "" {
			path = v
		}
	}
	realm := cmd.String("u")
	if realm == "" {
		realm = env.Cfg.Servername()
	}
	recs, err := sasldb.ReadSasldb2(path)
	if errors.Is(err, os.ErrNotExist) {
		return tool.Fail(tool.ExitNoInput, "%v", err)
	}
	if err != nil {
		return tool.Fail(tool.ExitDataErr, "%v", err)
	}
	db, err := env.OpenDB()
	if err != nil {
		return err
	}
	defer db.Close()
	store := sasldb.New(db)
	// The userid each login becomes here (loginrealms, virtdomains) is the
	// one key its password must be stored under.
	canon, err := auth.New(env.Cfg, auth.Options{SASLDB: store})
	if err != nil {
		return tool.Fail(tool.ExitConfig, "%v", err)
	}
	imported, skipped, failed := 0, 0, 0
	for _, r := range recs {
		if r.Prop != sasldb.PropPassword {
			fmt.Fprintf(env.Stderr, "saslpasswd: %s@%s: property %s has no counterpart, skipped\n", r.User, r.Realm, r.Prop)
			skipped++
			continue
		}
		userid, err := canon.Userid(r.Login(realm))
		if err != nil {
			fmt.Fprintf(env.Stderr, "saslpasswd: %s@%s cannot log in here (%v): add the realm to loginrealms or use virtdomains; skipped\n", r.User, r.Realm, err)
			skipped++
			continue
		}
		if err := store.SetPassword(ctx, userid, r.Value, true); err != nil {
			fmt.Fprintf(env.Stderr, "saslpasswd: %s: %v\n", userid, err)
			failed++
			continue
		}
		fmt.Fprintf(env.Stdout, "%s\n", userid)
		imported++
	}
	fmt.Fprintf(env.Stderr, "saslpasswd: %s: %d users imported, %d records skipped\n", path, imported, skipped)
	if failed > 0 {
		return tool.Fail(tool.ExitDataErr, "%d users of %s were not imported", failed, path)
	}
	return nil
}
