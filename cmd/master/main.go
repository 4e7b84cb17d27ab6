// Command master is the Cyrus supervisor: it runs everything cyrus.conf describes. See master(8).
package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"syscall"

	"github.com/urfave/cli/v3"
	"golang.org/x/sys/unix"

	"gocyrus/internal/getopt"
	"gocyrus/pkg/config"
	"gocyrus/pkg/cyrusdb"
	"gocyrus/pkg/master"
	"gocyrus/pkg/service"
	"gocyrus/pkg/store"
)

func main() {
	cmd := &cli.Command{
		Name:            "master",
		Usage:           "run the services, events and daemons of cyrus.conf",
		UsageText:       "master [-C imapd.conf] [-M cyrus.conf] [-p pidfile] [-d | -D] [-l backlog] [-L logfile]",
		HideHelpCommand: true,
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "C", Value: service.DefaultConfigPath, Usage: "imapd.conf `path`"},
			&cli.StringFlag{Name: "M", Value: "/etc/cyrus.conf", Usage: "cyrus.conf `path`"},
			&cli.StringFlag{Name: "p", Usage: "pidfile `path` (default /var/run/master.pid, else <configdirectory>/master.pid)"},
			&cli.BoolFlag{Name: "d", Usage: "run in the background (daemonise)"},
			&cli.BoolFlag{Name: "D", Usage: "debug: stay in the foreground, log at debug level to stderr"},
			&cli.IntFlag{Name: "l", Value: 32, Usage: "listen `backlog`"},
			&cli.StringFlag{Name: "L", Usage: "append stdout and stderr (master's and its children's) to `logfile`"},
		},
		Action: run,
	}
	if err := getopt.Run(cmd, os.Args, func(err error) error { return err }); err != nil {
		fmt.Fprintln(os.Stderr, "master:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, c *cli.Command) error {
	if c.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q", c.Args().First())
	}
	if c.Bool("d") && c.Bool("D") {
		return errors.New("unable to be both debug and daemon mode")
	}
	if lf := c.String("L"); lf != "" {
		if err := redirectOutput(lf); err != nil {
			return err
		}
	}
	// Both configurations are read before anything starts: an error names file:line.
	cfg, err := config.LoadImapd(c.String("C"))
	if err != nil {
		return err
	}
	// imapd.conf's umask, inherited by everything master starts (each re-applies its own view).
	syscall.Umask(cfg.Umask() & 0o777)
	cyrusConfPath := c.String("M")
	cc, err := config.LoadCyrusConf(cyrusConfPath)
	if err != nil {
		return err
	}
	if err := master.Validate(cc); err != nil {
		return err
	}
	if c.Bool("d") && !isDaemonChild() {
		return daemonize()
	}
	notify := takeNotifyPipe()
	err = supervise(ctx, c, cfg, cc, cyrusConfPath, notify)
	notify.failed(err)
	return err
}

func supervise(ctx context.Context, c *cli.Command, cfg *config.Config, cc *config.CyrusConf, cyrusConfPath string, notify *notifyPipe) error {
	level, prefix := slog.LevelInfo, cfg.SyslogPrefix()
	if c.Bool("D") {
		level, prefix = slog.LevelDebug, ""
	}
	logger := slog.New(service.NewHandler(prefix, "master", level, os.Stderr))
	for _, w := range cfg.Warnings() {
		logger.Warn(w, "service", "master", "pid", os.Getpid())
	}
	verbose, _ := strconv.Atoi(os.Getenv(service.EnvVerbose))
	imapdConf := ""
	if c.IsSet("C") {
		imapdConf = c.String("C")
	}
	binDir := ""
	if exe, err := os.Executable(); err == nil {
		binDir = filepath.Dir(exe)
	}
	var served *cyrusdb.Server
	m, err := master.New(master.Options{
		Config:        cfg,
		CyrusConf:     cc,
		CyrusConfPath: cyrusConfPath,
		ImapdConfPath: imapdConf,
		PidFile:       c.String("p"),
		Backlog:       int(c.Int("l")),
		Verbose:       verbose,
		BinDir:        binDir,
		Logger:        logger,
		OpenDB: func(configdir string) (master.DBServer, error) {
			srv, err := cyrusdb.OpenServer(configdir, cyrusdb.Options{Logger: logger.With("service", "db", "pid", os.Getpid())})
			served = srv
			return srv, err
		},
		// A child killed mid-change may have charged quota for an index
		// commit it never made: the charges marked pending are synced
		// with the indexes.
		AfterCrash: func(ctx context.Context) {
			if served == nil {
				return
			}
			st, err := store.New(cfg, served.DB(), logger)
			if err == nil {
				var n int
				n, err = st.ResolvePending(ctx)
				logger.Info("quota charges synced after a crash", "mailboxes", n)
			}
			if err != nil {
				logger.Error("syncing quota charges after a crash", "err", err)
			}
		},
		Started: notify.started,
	})
	if err != nil {
		return err
	}
	return m.Run(ctx)
}

// redirectOutput points descriptors 1 and 2 — inherited by every child — at logfile.
func redirectOutput(logfile string) error {
	f, err := os.OpenFile(logfile, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o640)
	if err != nil {
		return err
	}
	defer f.Close()
	for _, fd := range []int{1, 2} {
		if err := unix.Dup2(int(f.Fd()), fd); err != nil {
			return fmt.Errorf("redirecting to %s: %w", logfile, err)
		}
	}
	return nil
}
