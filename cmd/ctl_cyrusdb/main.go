// Command ctl_cyrusdb recovers (-r) or checkpoints (-c) the databases.
package main

import (
	"context"
	"fmt"
	"os"

	"github.com/urfave/cli/v3"

	"gocyrus/internal/tool"
	"gocyrus/pkg/cyrusdb"
	"gocyrus/pkg/mboxlist"
	"gocyrus/pkg/store"
)

func main() {
	cmd := &cli.Command{
		Name:      "ctl_cyrusdb",
		Usage:     "recover (-r) or checkpoint and back up (-c) the databases",
		UsageText: "ctl_cyrusdb [-C file] -r [-x]\nctl_cyrusdb [-C file] -c",
		Flags: []cli.Flag{
			tool.ConfigFlag(),
			&cli.BoolFlag{Name: "r", Usage: "recover after a crash: replay, verify checksums, check every mailbox list entry"},
			&cli.BoolFlag{Name: "x", Usage: "with -r: recovery only, skip the mailbox list check"},
			&cli.BoolFlag{Name: "c", Usage: "checkpoint: flush, collect the value log, write a backup to <configdirectory>/db.backup1"},
		},
		Action: run,
	}
	os.Exit(tool.Run(cmd, os.Args, os.Stderr))
}

func run(ctx context.Context, cmd *cli.Command) error {
	doRecover, checkpoint := cmd.Bool("r"), cmd.Bool("c")
	if doRecover == checkpoint {
		return tool.Fail(tool.ExitUsage, "give exactly one of -r (recover) or -c (checkpoint)")
	}
	if cmd.Bool("x") && !doRecover {
		return tool.Fail(tool.ExitUsage, "-x goes with -r")
	}
	env, err := tool.Setup(cmd, "ctl_cyrusdb")
	if err != nil {
		return err
	}
	if doRecover {
		return runRecover(ctx, env, !cmd.Bool("x"))
	}
	return runCheckpoint(ctx, env)
}

func runRecover(ctx context.Context, env *tool.Env, checkList bool) error {
	rep, err := cyrusdb.Recover(env.Cfg.Configdirectory(), cyrusdb.Options{Logger: env.Log})
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "ctl_cyrusdb: recovered %s\n", rep)
	if !rep.ChecksumOK {
		return tool.Fail(tool.ExitSoftware, "checksum verification failed in %s: restore from %s", rep.Dir, env.ConfigPath("db.backup1"))
	}
	if !checkList {
		return nil
	}
	db, err := env.OpenDB()
	if err != nil {
		return err
	}
	defer db.Close()
	res, err := mboxlist.New(db).Check(ctx)
	if err != nil {
		return err
	}
	if err := upgradeQuota(ctx, env, db); err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "ctl_cyrusdb: mailbox list: %d entries", res.Entries)
	if len(res.Damaged) == 0 {
		fmt.Fprintln(env.Stdout, ", all readable")
		return nil
	}
	fmt.Fprintf(env.Stdout, ", %d damaged:\n", len(res.Damaged))
	for _, d := range res.Damaged {
		fmt.Fprintf(env.Stdout, "  %s\n", d)
	}
	return tool.Fail(tool.ExitDataErr, "%d damaged mailbox list entries (restore them with ctl_mboxlist -u)", len(res.Damaged))
}

// runCheckpoint writes a fresh backup and rotates the older ones:
// db.backup1 is the newest, db.backup2 the one before.
func runCheckpoint(ctx context.Context, env *tool.Env) error {
	db, err := env.OpenDB()
	if err != nil {
		return err
	}
	defer db.Close()
	fresh := env.ConfigPath("db.backup.new")
	if err := os.RemoveAll(fresh); err != nil {
		return err
	}
	if err := os.MkdirAll(fresh, 0o700); err != nil {
		return err
	}
	if err := db.Checkpoint(ctx, fresh); err != nil {
		os.RemoveAll(fresh)
		return err
	}
	b1, b2 := env.ConfigPath("db.backup1"), env.ConfigPath("db.backup2")
	if err := os.RemoveAll(b2); err != nil {
		return err
	}
	if err := os.Rename(b1, b2); err != nil && !os.IsNotExist(err) {
		return err
	}
	if err := os.Rename(fresh, b1); err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "ctl_cyrusdb: checkpointed, backup in %s\n", b1)
	return nil
}

// upgradeQuota computes the per-mailbox quota records of databases written
// before they existed (store.UpgradeQuota), once, and resolves pending
// quota charges.
func upgradeQuota(ctx context.Context, env *tool.Env, db cyrusdb.DB) error {
	st, err := store.New(env.Cfg, db, env.Log)
	if err != nil {
		return tool.Fail(tool.ExitConfig, "%v", err)
	}
	done, err := st.UpgradeQuota(ctx)
	if err != nil {
		return err
	}
	if done {
		fmt.Fprintln(env.Stdout, "ctl_cyrusdb: quota usage recomputed per mailbox (database upgrade)")
	}
	// After a crash of the whole system, charges made ahead of index
	// commits that never happened are given back before any service runs.
	n, err := st.ResolvePending(ctx)
	if n > 0 {
		fmt.Fprintf(env.Stdout, "ctl_cyrusdb: quota charges of %d mailboxes resolved\n", n)
	}
	return err
}
