// Package daemon is the wiring every protocol daemon (imapd, pop3d, lmtpd,
// timsieved) shares: Cyrus's service flags, imapd.conf seen through the
// service's <name>_ overrides, the logger, the databases (online through
// master's db service, or offline when run alone), the mail store,
// authentication and TLS. main only declares what differs.
package daemon

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"syscall"
	"time"

	"github.com/urfave/cli/v3"

	"gocyrus/internal/getopt"
	"gocyrus/pkg/auth"
	"gocyrus/pkg/config"
	"gocyrus/pkg/cyrusdb"
	"gocyrus/pkg/metrics"
	"gocyrus/pkg/procinfo"
	"gocyrus/pkg/sasldb"
	"gocyrus/pkg/service"
	"gocyrus/pkg/store"
	"gocyrus/pkg/tlsconf"
	"gocyrus/pkg/userdeny"
)

// Spec is what distinguishes one daemon.
type Spec struct {
	Program     string // "imapd": names the flag set and error messages
	Service     string // cyrus.conf entry name when run alone: "imap"
	TLSService  string // the same with -s: "imaps" ("" = Service)
	SASLService string // the SASL service name: "imap", "pop", "sieve", "lmtp"
	Summary     string // what -h says the daemon is: "the IMAP server"
	Synopsis    string // what -h prints after the name: the man page's SYNOPSIS
	NoHelp      bool   // -h is a usage error (lmtpd answers it with its 421 usage)
	Usage       string // when set, what -h prints instead of the flag list (Cyrus's usage text)
	// Protocol is what the daemon counts for prometheus_enabled
	// (metrics.ProtoIMAP...); "" counts nothing.
	Protocol string
}

// ErrHelp is returned by Start after printing the help -h asked for.
var ErrHelp = errors.New("help requested")

// UsageError is a command-line mistake (flags or arguments).
type UsageError struct{ Err error }

func (e *UsageError) Error() string { return e.Err.Error() }
func (e *UsageError) Unwrap() error { return e.Err }

// Env is a daemon's wiring once set up.
type Env struct {
	Flags service.Flags
	Name  string // the service name its options are looked up under
	Cfg   *config.Config
	Log   *slog.Logger
	DB    cyrusdb.DB
	Store *store.Store
	Auth  *auth.Authenticator
	TLS   *tls.Config // nil when no certificate is configured
	// Deny is the deny list (cyr_deny) as this service sees it.
	Deny *userdeny.Guard

	proc *procinfo.Registry // made by Sessions, answered on while Serve runs
}

// Start parses args (without the program name; Cyrus's getopt rules,
// internal/getopt) for the service flags plus own (the daemon's own, such
// as lmtpd's -a, with their Destination set), loads the configuration, and
// opens the databases, the store and authentication.
func Start(spec Spec, args []string, own ...cli.Flag) (*Env, error) {
	e := &Env{}
	if err := parseFlags(spec, &e.Flags, own, args); err != nil {
		return nil, err
	}
	e.Name = os.Getenv(service.EnvService)
	if e.Name == "" {
		e.Name = spec.Service
		if e.Flags.TLS && spec.TLSService != "" {
			e.Name = spec.TLSService
		}
	}
	base, err := config.LoadImapd(e.Flags.Config)
	if err != nil {
		return nil, err
	}
	e.Cfg = base.ForService(e.Name)
	syscall.Umask(e.Cfg.Umask() & 0o777) // before any file or socket is created
	level := slog.LevelInfo
	if e.Flags.Debug {
		level = slog.LevelDebug
	}
	e.Log = service.NewLogger(e.Cfg.SyslogPrefix(), e.Name, level, os.Stderr)
	for _, w := range base.Warnings() {
		e.Log.Warn(w)
	}
	if spec.Protocol != "" && e.Cfg.PrometheusEnabled() {
		// Statistics are an aid: a daemon that cannot keep them still serves.
		if err := metrics.Open(e.Cfg.PrometheusStatsDir(), e.Name, spec.Protocol, StatsUpdateFreq(e.Cfg), e.Log); err != nil {
			e.Log.Warn("prometheus statistics are not kept", "err", err)
		}
	}
	if e.TLS, err = tlsconf.FromConfig(e.Cfg); err != nil {
		return nil, err
	}
	if e.Flags.TLS && e.TLS == nil {
		return nil, errors.New("-s needs tls_server_cert and tls_server_key")
	}
	if e.DB, err = cyrusdb.Open(e.Cfg.Configdirectory(), cyrusdb.Options{Logger: e.Log}); err != nil {
		return nil, err
	}
	e.Deny = userdeny.NewGuard(e.DB, e.Name, e.Log)
	if e.Store, err = store.New(e.Cfg, e.DB, e.Log); err != nil {
		e.DB.Close()
		return nil, err
	}
	e.Auth, err = auth.New(e.Cfg, auth.Options{SASLDB: sasldb.New(e.DB), Service: spec.SASLService, Logger: e.Log})
	if err != nil {
		e.DB.Close()
		return nil, fmt.Errorf("authentication: %w", err)
	}
	return e, nil
}

// Serve serves h on the inherited or -l listeners until stopped, at most
// maxconnections (or cyrus.conf's maxchild, the smaller) at a time.
func (e *Env) Serve(h service.Handler, opts service.Options) error {
	if e.proc != nil {
		// Without the socket cyr_info proc lists nothing of this process;
		// the service itself is unaffected, so this is a warning.
		if err := e.proc.Listen(e.Cfg.ProcPath()); err != nil {
			e.Log.Warn("cyr_info proc will not list this process", "err", err)
		}
		defer e.proc.Close()
	}
	opts.Logger = e.Log
	opts.MaxConns = e.Cfg.Maxconnections()
	e.Flags.Apply(&opts)
	counted := func(ctx context.Context, conn net.Conn) {
		defer metrics.ConnectionOpened()()
		h(ctx, conn)
	}
	return service.Run(context.Background(), e.Flags.Listen, counted, opts)
}

// StatsUpdateFreq is how often statistics are refreshed:
// prometheus_service_update_freq (Cyrus 3.8) when set, else
// prometheus_update_freq.
func StatsUpdateFreq(cfg *config.Config) time.Duration {
	if d := cfg.PrometheusServiceUpdateFreq(); d > 0 {
		return d
	}
	return cfg.PrometheusUpdateFreq()
}

// Sessions is the registry of this process's sessions that cyr_info proc
// lists (pkg/procinfo), answered on <proc_path>/<pid> while Serve runs.
func (e *Env) Sessions() *procinfo.Registry {
	if e.proc == nil {
		e.proc = procinfo.New(e.Name)
	}
	return e.proc
}

// Close settles the quota marks of recent appends (store.SettlePending),
// then closes the databases.
func (e *Env) Close() {
	store.SettlePending()
	e.DB.Close()
}

// ExitCode runs a daemon's run function and returns the exit status for
// main to pass to os.Exit: 0, 64 (EX_USAGE) for a command-line mistake, 1
// otherwise, with "program: reason" on stderr.
func ExitCode(program string, run func(args []string) error) int {
	err := run(os.Args[1:])
	if err == nil || errors.Is(err, ErrHelp) {
		return 0
	}
	fmt.Fprintf(os.Stderr, "%s: %v\n", program, err)
	if errors.As(err, new(*UsageError)) {
		return 64
	}
	return 1
}

// parseFlags reads args into f and the daemon's own flags. A daemon takes
// no operands.
func parseFlags(spec Spec, f *service.Flags, own []cli.Flag, args []string) error {
	parsed := false
	cmd := &cli.Command{
		Name:      spec.Program,
		Usage:     spec.Summary,
		UsageText: spec.Program + " " + spec.Synopsis,
		HideHelp:  spec.NoHelp,
		// Cyrus's usage text when the daemon has one to match.
		CustomRootCommandHelpTemplate: spec.Usage,
		// An -l socket path may hold a comma: one value per -l.
		DisableSliceFlagSeparator: true,
		Flags: append([]cli.Flag{
			&cli.StringFlag{Name: "C", Value: service.DefaultConfigPath, Destination: &f.Config, Usage: "imapd.conf `path`"},
			&cli.StringSliceFlag{Name: "l", Destination: &f.Listen,
				Usage: "listen on `ADDR` (port, host:port, [v6]:port or unix socket path); repeatable"},
			&cli.BoolFlag{Name: "s", Destination: &f.TLS, Usage: "implicit TLS on every connection"},
			&cli.IntFlag{Name: "U", Destination: &f.MaxUses, Usage: "exit after `N` connections (0 = never)"},
			&cli.IntFlag{Name: "T", Destination: &f.IdleTimeout, Usage: "exit after `seconds` without connections (0 = never)"},
			&cli.BoolFlag{Name: "D", Destination: &f.Debug, Usage: "debug logging"},
		}, own...),
		Action: func(_ context.Context, c *cli.Command) error {
			parsed = true
			if c.NArg() > 0 {
				return &UsageError{fmt.Errorf("unexpected argument %q", c.Args().First())}
			}
			return nil
		},
	}
	err := getopt.Run(cmd, append([]string{spec.Program}, args...), func(err error) error { return &UsageError{err} })
	switch {
	case err != nil:
		return err
	case !parsed:
		return ErrHelp
	}
	return nil
}
