package cyradm

import (
	"fmt"
	"sort"
	"strings"
)

// commandDef is one builtin: its name, aliases, usage and one-line help as
// Cyrus's cyradm prints them.
type commandDef struct {
	name    string
	aliases []string
	usage   string
	help    string
	run     func(s *Shell, st stdio, args []string) error
}

// builtins returns every builtin, sorted by name (help prints them in this
// order). A function rather than a variable: the handlers refer back to the
// table (help, usage lines).
func builtins() []*commandDef {
	return []*commandDef{
		{name: "authenticate", aliases: []string{"auth", "login"}, usage: "[-minssf N] [-maxssf N] [-mechanisms list] [-service name] [-tlskey keyfile] [-notls] [-cafile cacertfile] [-capath cacertdir] [user]", help: "authenticate to server", run: cmdAuthenticate},
		{name: "chdir", aliases: []string{"cd"}, usage: "directory", help: "change current directory", run: cmdChdir},
		{name: "createmailbox", aliases: []string{"create", "cm"}, usage: "[--partition partition] [--specialuse specialuse] mailbox [partition]", help: "create mailbox", run: cmdCreate},
		{name: "deleteaclmailbox", aliases: []string{"deleteacl", "dam"}, usage: "mailbox id [id ...]", help: "remove ACLs from mailbox", run: cmdDeleteACL},
		{name: "deletemailbox", aliases: []string{"delete", "dm"}, usage: "mailbox [host]", help: "delete mailbox", run: cmdDelete},
		{name: "disconnect", aliases: []string{"disc"}, usage: "", help: "disconnect from current server", run: cmdDisconnect},
		{name: "exit", aliases: []string{"quit"}, usage: "[number]", help: "exit cyradm", run: cmdExit},
		{name: "getmetadata", aliases: []string{"getmd"}, usage: "[--private] [mailbox [annotation]]", help: "display mailbox/server metadata", run: cmdGetMetadata},
		{name: "help", aliases: []string{"?"}, usage: "[command]", help: "show commands", run: cmdHelp},
		{name: "info", usage: "[mailbox]", help: "display mailbox/server metadata", run: cmdInfo},
		{name: "listaclmailbox", aliases: []string{"listacl", "lam"}, usage: "mailbox", help: "list ACLs on mailbox", run: cmdListACL},
		{name: "listmailbox", aliases: []string{"list", "lm"}, usage: "[-subscribed] [-specialuse] [pattern [base]]", help: "list mailboxes", run: cmdList},
		{name: "listquota", aliases: []string{"lq"}, usage: "root", help: "list quotas on specified root", run: cmdListQuota},
		{name: "listquotaroot", aliases: []string{"lqr", "lqm"}, usage: "mailbox", help: "show quota roots and quotas for mailbox", run: cmdListQuotaRoot},
		{name: "mboxconfig", aliases: []string{"mboxcfg"}, usage: "[--private] mailbox [comment|expire|news2mail|pop3showafter|sharedseen|sieve|squat|/<explicit annotation>] value", help: "configure mailbox", run: cmdMboxConfig},
		{name: "reconstruct", usage: "[-r] mailbox", help: "reconstruct mailbox (if supported)", run: cmdReconstruct},
		{name: "renamemailbox", aliases: []string{"rename", "renm"}, usage: "[--partition partition] oldname newname [partition]", help: "rename (and optionally relocate) mailbox", run: cmdRename},
		{name: "server", aliases: []string{"servername", "connect"}, usage: "[-noauthenticate] [server]", help: "show current server or connect to server", run: cmdServer},
		{name: "setaclmailbox", aliases: []string{"setacl", "sam"}, usage: "mailbox id rights [id rights ...]", help: "set ACLs on mailbox", run: cmdSetACL},
		{name: "setinfo", usage: "[motd|comment|admin|shutdown|expire|squat] text", help: "set server metadata", run: cmdSetInfo},
		{name: "setmetadata", aliases: []string{"setmd"}, usage: "[--private] mailbox [annotation] value", help: "set mailbox metadata", run: cmdSetMetadata},
		{name: "setquota", aliases: []string{"sq"}, usage: "mailbox resource value [resource value ...]", help: "set quota on mailbox or resource", run: cmdSetQuota},
		{name: "subscribe", aliases: []string{"sub"}, usage: "[mailbox]", help: "subscribe to a mailbox", run: cmdSubscribe},
		{name: "unsubscribe", aliases: []string{"unsub"}, usage: "[mailbox]", help: "unsubscribe from a mailbox", run: cmdUnsubscribe},
		{name: "version", aliases: []string{"ver"}, usage: "", help: "display version info of current server", run: cmdVersion},
		{name: "xfermailbox", aliases: []string{"xfer"}, usage: "[--partition partition] mailbox server [partition]", help: "transfer (relocate) a mailbox to a different server", run: cmdXfer},
	}
}

// lookupCommand finds a builtin by name or alias (exact, case-sensitive,
// as in Cyrus).
func lookupCommand(name string) *commandDef {
	for _, d := range builtins() {
		if d.name == name {
			return d
		}
		for _, a := range d.aliases {
			if a == name {
				return d
			}
		}
	}
	return nil
}

// CommandNames lists every builtin name and alias, sorted (for completion).
func CommandNames() []string {
	var names []string
	for _, d := range builtins() {
		names = append(names, d.name)
		names = append(names, d.aliases...)
	}
	sort.Strings(names)
	return names
}

// usageOf is a command's "usage:" line.
func usageOf(name string) string {
	d := lookupCommand(name)
	return strings.TrimSpace(d.name + " " + d.usage)
}

// optDef is one option a command takes.
type optDef struct {
	name  string
	value bool
}

// getopts parses Cyrus-style options: "--name" spelled out, or "-n..." any
// prefix of the name; "--" ends options, and so does the first word that
// is not an option. Unknown options are a usage error.
func getopts(cmd string, args []string, defs ...optDef) (map[string]string, []string, error) {
	opts := map[string]string{}
	want := ""
	for i, a := range args {
		if want != "" {
			opts[want] = a
			want = ""
			continue
		}
		if a == "--" {
			return opts, args[i+1:], nil
		}
		if !strings.HasPrefix(a, "-") || a == "-" {
			return opts, args[i:], nil
		}
		var d *optDef
		for j := range defs {
			if a == "--"+defs[j].name || (len(a) >= 2 && a[1] != '-' && strings.HasPrefix("-"+defs[j].name, a)) {
				d = &defs[j]
				break
			}
		}
		if d == nil {
			return nil, nil, &usageError{usage: usageOf(cmd)}
		}
		if d.value {
			want = d.name
		} else {
			opts[d.name] = "1"
		}
	}
	if want != "" {
		return nil, nil, &usageError{usage: usageOf(cmd)}
	}
	return opts, nil, nil
}

// cmdHelp lists every command with its aliases, or describes some.
func cmdHelp(s *Shell, st stdio, args []string) error {
	_, names, err := getopts("help", args)
	if err != nil {
		return err
	}
	if len(names) > 0 {
		sort.Strings(names)
		failed := false
		for _, n := range names {
			d := lookupCommand(n)
			switch {
			case d == nil:
				fmt.Fprintf(st.out, "unknown command: %s\n", n)
				failed = true
			case d.name != n:
				fmt.Fprintf(st.out, "%s, alias for %s %s\n\t%s\n", n, d.name, d.usage, d.help)
			default:
				fmt.Fprintf(st.out, "%s %s\n\t%s\n", d.name, d.usage, d.help)
			}
		}
		if failed {
			return errQuietFailure
		}
		return nil
	}
	width := 0
	lines := make([][2]string, 0, len(builtins()))
	for _, d := range builtins() {
		names := strings.Join(append([]string{d.name}, d.aliases...), ", ")
		width = max(width, len(names))
		lines = append(lines, [2]string{names, d.help})
	}
	for _, l := range lines {
		fmt.Fprintf(st.out, "%-*s  %s\n", width, l[0], l[1])
	}
	return nil
}
