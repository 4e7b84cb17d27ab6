// Command tls_prune is accepted where Cyrus's cyrus.conf prunes its TLS session cache (START
// and EVENTS): gocyrus resumes TLS sessions with stateless tickets (pkg/tlsconf), so it keeps no
// session cache and there is nothing to prune. It says so and exits 0, naming a Cyrus
// tls_sessions.db it finds at tls_sessions_db_path, which gocyrus never reads. See tls_prune(8).
package main

import (
	"context"
	"fmt"
	"os"

	"github.com/urfave/cli/v3"

	"gocyrus/internal/tool"
)

func main() {
	cmd := &cli.Command{
		Name:      "tls_prune",
		Usage:     "prune the TLS session cache (gocyrus keeps none)",
		UsageText: "tls_prune [-C file]",
		Flags:     []cli.Flag{tool.ConfigFlag()},
		Action:    run,
	}
	os.Exit(tool.Run(cmd, os.Args, os.Stderr))
}

func run(_ context.Context, cmd *cli.Command) error {
	if cmd.NArg() > 0 {
		return tool.Fail(tool.ExitUsage, "unexpected argument %q", cmd.Args().First())
	}
	env, err := tool.Setup(cmd, "tls_prune")
	if err != nil {
		return err
	}
	fmt.Fprintln(env.Stdout, "tls_prune: nothing to prune: gocyrus keeps no TLS session cache (sessions resume with stateless tickets)")
	if p := env.Cfg.TlsSessionsDbPath(); p != "" {
		if _, err := os.Stat(p); err == nil {
			fmt.Fprintf(env.Stdout, "tls_prune: %s is Cyrus's session cache, which gocyrus never reads; it may be removed\n", p)
		}
	}
	return nil
}
