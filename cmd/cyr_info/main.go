// Command cyr_info prints what a configuration says: the options that
// differ from their defaults (conf), all of them (conf-all), the defaults
// (conf-default), the keys no program reads (conf-lint) and the effective
// cyrus.conf entries (services), with Cyrus 3.6's "name: value" lines, and
// the open sessions of the running daemons (proc).
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"

	"github.com/urfave/cli/v3"

	"gocyrus/internal/tool"
	"gocyrus/pkg/config"
)

// usage is Cyrus 3.6's, plus the services command.
const usage = `cyr_info [-C <altconfig>] [-M <cyrus.conf>] [-n servicename] [-s oldversion] command

If you give a service name (-n), it will show config as if you
were running that service, i.e. imap

If you give an old version (-s), it will highlight config
options that are new or whose behaviour has changed since that
version.

Where command is one of:

  * conf          - listing of non-default config values
  * conf-all      - listing of all config values
  * conf-default  - listing of all default config values
  * conf-lint     - unknown config keys
  * proc          - listing of all open processes
  * services      - the effective cyrus.conf entries
  * version       - Cyrus version
`

// exitUsage is Cyrus's status for a usage error (exit(-1)).
const exitUsage = 255

func main() {
	cmd := &cli.Command{
		Name:      "cyr_info",
		Usage:     "print the configuration, its defaults and its unknown keys",
		UsageText: usage,
		Flags: []cli.Flag{
			tool.ConfigFlag(),
			&cli.StringFlag{Name: "M", Value: "/etc/cyrus.conf", Usage: "read `FILE` as cyrus.conf (conf-lint, services)"},
			&cli.StringFlag{Name: "n", Usage: "show the configuration as service `NAME` sees it"},
			&cli.StringFlag{Name: "s", Usage: "accepted for Cyrus compatibility; gocyrus has no per-version option history"},
		},
		Action: run,
	}
	os.Exit(tool.Run(cmd, os.Args, os.Stderr))
}

func run(ctx context.Context, cmd *cli.Command) error {
	stdout, stderr := io.Writer(os.Stdout), io.Writer(os.Stderr)
	if cmd.Writer != nil {
		stdout = cmd.Writer
	}
	if cmd.ErrWriter != nil {
		stderr = cmd.ErrWriter
	}
	if cmd.NArg() != 1 {
		fmt.Fprint(stderr, usage)
		return tool.Fail(exitUsage, "give one command")
	}
	verb := cmd.Args().First()
	switch verb {
	case "conf", "conf-all", "conf-default", "conf-lint", "services", "proc", "version":
	default:
		fmt.Fprint(stderr, usage)
		return tool.Fail(exitUsage, "unknown command %q", verb)
	}
	if verb == "version" {
		fmt.Fprintln(stdout, "gocyrus (cyrus-imapd 3.6 compatible)")
		return nil
	}
	if cmd.String("s") != "" {
		fmt.Fprintf(stderr, "cyr_info: warning: -s %s: gocyrus has no per-version option history; ignored\n", cmd.String("s"))
	}
	// Only the configuration is read: configdirectory need not exist,
	// so a file can be checked before it is installed.
	cfg, err := config.LoadImapd(cmd.String("C"))
	if err != nil {
		return err
	}
	if svc := cmd.String("n"); svc != "" {
		cfg = cfg.ForService(svc)
	}
	switch verb {
	case "proc":
		return printProc(ctx, stdout, cfg.ProcPath())
	case "conf":
		printConf(stdout, cfg, false)
	case "conf-all":
		printConf(stdout, cfg, true)
	case "conf-default":
		for _, d := range optionsByName() {
			fmt.Fprintf(stdout, "%s: %s\n", d.Name, config.DefaultText(d))
		}
	case "conf-lint", "services":
		cc, err := config.LoadCyrusConf(cmd.String("M"))
		if err != nil {
			return err
		}
		if verb == "services" {
			_, err := cc.WriteTo(stdout)
			return err
		}
		for _, p := range lint(cfg, cc) {
			fmt.Fprintf(stdout, "%s: %s\n", p.Key, p.Value)
			fmt.Fprintf(stderr, "%s:%d: %s\n", p.File, p.Line, p.why)
		}
	}
	return nil
}

// optionsByName is the option table sorted by name, the order of Cyrus's.
func optionsByName() []*config.OptionDef {
	defs := make([]*config.OptionDef, len(config.Options))
	for i := range config.Options {
		defs[i] = &config.Options[i]
	}
	sort.Slice(defs, func(i, j int) bool { return defs[i].Name < defs[j].Name })
	return defs
}

// printConf prints the known options (all, or those differing from their
// defaults) by name, then every other configured key in file order, as
// Cyrus does. A "<service>_<option>" key the -n view applied is shown
// under the option's name only.
func printConf(w io.Writer, cfg *config.Config, all bool) {
	for _, d := range optionsByName() {
		if all || (cfg.IsSet(d.Name) && !cfg.IsDefault(d.Name)) {
			fmt.Fprintf(w, "%s: %s\n", d.Name, cfg.Text(d.Name))
		}
	}
	for _, s := range cfg.Settings() {
		if _, known := config.Option(s.Key); known {
			continue
		}
		if svc, opt, ok := strings.Cut(s.Key, "_"); ok && cfg.Service() != "" && svc == cfg.Service() {
			if _, known := config.Option(opt); known {
				continue
			}
		}
		fmt.Fprintf(w, "%s: %s\n", s.Key, s.Value)
	}
}
