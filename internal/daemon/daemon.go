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
	"flag"
	"fmt"
	"log/slog"
	"os"

	"gocyrus/internal/getopt"
	"gocyrus/pkg/auth"
	"gocyrus/pkg/config"
	"gocyrus/pkg/cyrusdb"
	"gocyrus/pkg/sasldb"
	"gocyrus/pkg/service"
	"gocyrus/pkg/store"
	"gocyrus/pkg/tlsconf"
)

// Spec is what distinguishes one daemon.
type Spec struct {
	Program     string // "imapd": names the flag set and error messages
	Service     string // cyrus.conf entry name when run alone: "imap"
	TLSService  string // the same with -s: "imaps" ("" = Service)
	SASLService string // the SASL service name: "imap", "pop", "sieve", "lmtp"
}

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
}

// Start parses args (by Cyrus's getopt rules, internal/getopt) with the
// service flags added to fs (which may hold the
// daemon's own flags), loads the configuration, and opens the databases,
// the store and authentication.
func Start(spec Spec, fs *flag.FlagSet, args []string) (*Env, error) {
	e := &Env{}
	e.Flags.Register(fs)
	if err := fs.Parse(getopt.FlagArgs(fs, args)); err != nil {
		return nil, &UsageError{err}
	}
	if fs.NArg() > 0 {
		return nil, &UsageError{fmt.Errorf("unexpected argument %q", fs.Arg(0))}
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
	level := slog.LevelInfo
	if e.Flags.Debug {
		level = slog.LevelDebug
	}
	e.Log = service.NewLogger(e.Cfg.SyslogPrefix(), e.Name, level, os.Stderr)
	for _, w := range base.Warnings() {
		e.Log.Warn(w)
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
	opts.Logger = e.Log
	opts.MaxConns = e.Cfg.Maxconnections()
	e.Flags.Apply(&opts)
	return service.Run(context.Background(), e.Flags.Listen, h, opts)
}

// Close closes the databases.
func (e *Env) Close() { e.DB.Close() }

// ExitCode runs a daemon's run function and returns the exit status for
// main to pass to os.Exit: 0, 64 (EX_USAGE) for a command-line mistake, 1
// otherwise, with "program: reason" on stderr.
func ExitCode(program string, run func(args []string) error) int {
	err := run(os.Args[1:])
	if err == nil || errors.Is(err, flag.ErrHelp) {
		return 0
	}
	fmt.Fprintf(os.Stderr, "%s: %v\n", program, err)
	if errors.As(err, new(*UsageError)) {
		return 64
	}
	return 1
}
