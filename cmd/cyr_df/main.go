// Command cyr_df prints the disk usage of each spool partition in Cyrus
// 3.6's columns (partition, 1k-blocks, used, available, use%, location);
// -m reports where the mailboxes' metadata lives, which in gocyrus is the
// same directories (cyr_df.8, DIFFERENCES). It changes nothing.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"sort"

	"github.com/urfave/cli/v3"

	"gocyrus/internal/tool"
	"gocyrus/pkg/diskspace"
)

// usage is Cyrus 3.6's, what -h prints.
const usage = "usage: cyr_df [-C <alt_config>] [-m]\n"

func main() {
	cmd := &cli.Command{
		Name:                          "cyr_df",
		Usage:                         "report the disk space usage of the spool partitions",
		CustomRootCommandHelpTemplate: usage,
		Flags: []cli.Flag{
			tool.ConfigFlag(),
			&cli.BoolFlag{Name: "m", Usage: "report the metadata partitions"},
		},
		Action: run,
	}
	os.Exit(tool.Run(cmd, os.Args, os.Stderr))
}

func run(_ context.Context, cmd *cli.Command) error {
	if cmd.NArg() > 0 {
		fmt.Fprint(cmd.ErrWriter, usage)
		return tool.Fail(tool.ExitUsage, "unexpected argument %q", cmd.Args().First())
	}
	env, err := tool.Setup(cmd, "cyr_df")
	if err != nil {
		return err
	}
	// Every mailbox file, metadata included, stays in its partition's
	// spool directory (metapartition_files has no effect in gocyrus), so
	// -m lists the same directories: the ones its metadata really fills.
	report(env.Stdout, env.Stderr, env.Cfg.Partitions(), diskspace.Stat)
	return nil
}

// report prints the header and one row per partition, in name order. A
// partition whose filesystem cannot be read has no row (as in Cyrus); we
// say why on stderr.
func report(out, errw io.Writer, parts map[string]string, stat func(string) (diskspace.Usage, error)) {
	fmt.Fprintf(out, "%-12s %12s %12s %12s %3s %s\n", "Partition", "1k-blocks", "Used", "Available", "Use%", "Location")
	names := make([]string, 0, len(parts))
	for n := range parts {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		u, err := stat(parts[n])
		if err != nil {
			fmt.Fprintf(errw, "cyr_df: partition %s: %v\n", n, err)
			continue
		}
		fmt.Fprintf(out, "%-12s %12d %12d %12d %3d%% %s\n", n, u.Total/1024, u.Used/1024, u.Avail/1024, u.Percent(), parts[n])
	}
}
