package sieveshell

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"gocyrus/pkg/sieveclient"
)

// The usage texts of Cyrus 3.6.1's sieveshell, word for word: --help
// prints sieveshellHelp (pod2usage's SYNOPSIS and OPTIONS), a bad command
// line sieveshellSynopsis.
const (
	sieveshellSynopsis = `Usage:
    sieveshell [--user=user] [--authname=authname] [--realm=realm]
    [--password=password] [--exec=script] [--execfile=file] server[:port]

    sieveshell --help

`
	sieveshellHelp = sieveshellSynopsis + `Options:
    -u user, --user=user
        The user whose mailboxes you want to work on. If not specified, it
        uses the same as -a.

    -a authname, --authname=authname
        The user to use for authentication. If not specified, it defaults to
        the current login user.

    -r realm, --realm=realm
        The realm to attempt authentication in.

    -p password, --password=password
        The password to use when authenticating to server. Note that this
        parameter can be seen in the process list. Use with caution!

    -e script, --exec=script
        Instead of working interactively, run commands from script, and exit
        when done.

    -f file, --execfile=file
        Instead of working interactively, run commands from file file and
        exit when done.

`
	putHelp = "put <filename> [<target name>]\n" +
		"                 - upload script to server\n"
	getHelp = "get <name> [<filename>]\n" +
		"                 - get script. if no filename display to stdout\n"
	activateHelp   = "activate <name>  - set a script as the active script\n"
	deactivateHelp = "deactivate       - deactivate all scripts\n"
	deleteHelp     = "delete <name>    - delete script.\n"
	shellHelp      = "Usage:\n" +
		"  sieveshell [-u username] [-a authname] [-r realm] <server>\n" +
		"\n" +
		"help             - this screen\n" +
		"list             - list scripts on server\n" +
		putHelp + getHelp + deleteHelp + activateHelp + deactivateHelp +
		"quit             - quit\n"
)

var sieveshellOptions = []option{
	{names: []string{"authname", "a"}, hasValue: true},
	{names: []string{"username", "u"}, hasValue: true},
	{names: []string{"realm", "r"}, hasValue: true},
	{names: []string{"password", "p"}, hasValue: true},
	{names: []string{"exec", "e"}, hasValue: true},
	{names: []string{"execfile", "f"}, hasValue: true},
	{names: []string{"help", "?"}},
	{names: []string{"man"}},
}

// Sieveshell runs sieveshell with args (the program name excluded) and
// returns its exit status.
func Sieveshell(ctx context.Context, args []string, e *Env) int {
	e.newlineAfterPassword = true
	p, err := getoptLong(args, sieveshellOptions)
	if err != nil {
		fmt.Fprintf(e.Err, "%v\n%s", err, sieveshellSynopsis)
		return 2
	}
	if _, ok := p.values["help"]; ok {
		fmt.Fprint(e.Out, sieveshellHelp)
		return 1
	}
	if _, ok := p.values["man"]; ok {
		fmt.Fprint(e.Out, sieveshellHelp)
		return 0
	}
	if len(p.operands) != 1 {
		fmt.Fprintf(e.Err, "sieveshell: need a server\n\n%s", sieveshellSynopsis)
		return 2
	}
	server := p.operands[0]
	id := identity{user: e.User, authname: e.User}
	if v, ok := p.values["username"]; ok {
		id.user = v
	}
	if v, ok := p.values["authname"]; ok {
		id.authname = v
	}
	id.password, id.havePassword = p.values["password"]

	// The command source is chosen before connecting, as Cyrus's does: a
	// missing -f file is an error before anything is sent.
	var lines func() (string, bool)
	interactive := false
	if f := p.values["execfile"]; f != "" {
		data, err := os.ReadFile(f)
		if err != nil {
			fmt.Fprintf(e.Err, "unable to open file: %s\n", strerror(err))
			return 2
		}
		lines = sliceLines(string(data))
	} else if x := p.values["exec"]; x != "" {
		lines = sliceLines(x)
	} else {
		interactive = true
		lines = e.readLine
	}

	fmt.Fprintf(e.Out, "connecting to %s\n", server)
	c, err := connect(ctx, e, server, id)
	if err != nil {
		fmt.Fprintln(e.Err, "unable to connect to server")
		return 255
	}
	defer c.Close()
	if _, tty := e.terminal(); interactive && tty {
		prompted := lines
		lines = func() (string, bool) {
			fmt.Fprint(e.Out, "> ")
			return prompted()
		}
	}
	return runShell(c, lines, e)
}

// sliceLines returns the lines of text one by one.
func sliceLines(text string) func() (string, bool) {
	rest := text
	return func() (string, bool) {
		if rest == "" {
			return "", false
		}
		l, after, _ := strings.Cut(rest, "\n")
		rest = after
		return l, true
	}
}

// runShell runs sieveshell's commands until quit or the end of input.
func runShell(c *sieveclient.Client, next func() (string, bool), e *Env) int {
	code := 0
	failed := func(what string, err error) {
		fmt.Fprintf(e.Out, "%s failed: %s\n", what, err)
		code = 1
	}
	for {
		l, ok := next()
		if !ok {
			return code
		}
		words := strings.Fields(l)
		if len(words) == 0 {
			continue
		}
		switch words[0] {
		case "put", "p":
			if len(words) != 2 && len(words) != 3 {
				fmt.Fprint(e.Out, putHelp)
				continue
			}
			if err := putFile(c, words[1:]...); err != nil {
				failed("upload", err)
			}
		case "list", "l", "ls":
			if err := list(c, e); err != nil {
				failed("list", err)
			}
		case "activate", "a":
			if len(words) != 2 {
				fmt.Fprint(e.Out, activateHelp)
				continue
			}
			if err := c.SetActive(words[1]); err != nil {
				failed("activate", err)
			}
		case "deactivate", "da":
			if len(words) != 1 {
				fmt.Fprint(e.Out, deactivateHelp)
				continue
			}
			if err := c.SetActive(""); err != nil {
				failed("deactivate", err)
			}
		case "delete", "d":
			if len(words) != 2 {
				fmt.Fprint(e.Out, deleteHelp)
				continue
			}
			if err := c.DeleteScript(words[1]); err != nil {
				failed("delete", err)
			}
		case "get", "g":
			if len(words) != 2 && len(words) != 3 {
				fmt.Fprint(e.Out, getHelp)
				continue
			}
			body, err := c.GetScript(words[1])
			if err != nil {
				failed("get", err)
				continue
			}
			if len(words) == 3 {
				if err := writeFile(words[2], body); err != nil {
					fmt.Fprintf(e.Err, "Unable to open %s: %s\n", words[2], strerror(err))
					return 2
				}
			} else {
				e.Out.Write(body)
			}
		case "quit", "q":
			c.Logout()
			return code
		case "help", "?":
			fmt.Fprint(e.Out, shellHelp)
		default:
			fmt.Fprintf(e.Out, "Invalid command: %s\n", words[0])
			code = 1
		}
	}
}

// putFile uploads a file under the name given, or its base name as
// Cyrus's library names it (the extension kept).
func putFile(c *sieveclient.Client, args ...string) error {
	body, err := os.ReadFile(args[0])
	if err != nil {
		return errors.New(strerror(err))
	}
	name := filepath.Base(args[0])
	if len(args) == 2 {
		name = args[1]
	}
	return c.PutScript(name, body)
}

// list prints the scripts as Cyrus's list callback does ("name " and
// " <- active script" after the active one).
func list(c *sieveclient.Client, e *Env) error {
	scripts, err := c.ListScripts()
	if err != nil {
		return err
	}
	for _, s := range scripts {
		fmt.Fprintf(e.Out, "%s ", s.Name)
		if s.Active {
			fmt.Fprint(e.Out, " <- active script\n")
		} else {
			fmt.Fprint(e.Out, "\n")
		}
	}
	return nil
}

// writeFile writes a fetched script, through a temporary file renamed
// into place so an interrupted get never leaves half a script.
func writeFile(path string, body []byte) error {
	tmp := filepath.Join(filepath.Dir(path), fmt.Sprintf(".%s.sieveshell-%d", filepath.Base(path), os.Getpid()))
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o666) // the umask decides, as for Cyrus's open(">file")
	if err != nil {
		return err
	}
	_, err = f.Write(body)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		os.Remove(tmp)
	}
	return err
}
