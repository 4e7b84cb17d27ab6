// Command imapd is the IMAP server (RFC 3501 and the extensions listed in
// imapd(8)): run by master with inherited sockets, or alone with
// `-l ADDR`. One goroutine serves each connection.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"

	"gocyrus/pkg/auth"
	"gocyrus/pkg/config"
	"gocyrus/pkg/cyrusdb"
	"gocyrus/pkg/imapserver"
	"gocyrus/pkg/pop3server"
	"gocyrus/pkg/sasldb"
	"gocyrus/pkg/service"
	"gocyrus/pkg/store"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "imapd:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	var f service.Flags
	fs := flag.NewFlagSet("imapd", flag.ContinueOnError)
	f.Register(fs)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	name := os.Getenv(service.EnvService)
	if name == "" {
		name = "imap"
		if f.TLS {
			name = "imaps"
		}
	}
	base, err := config.LoadImapd(f.Config)
	if err != nil {
		return err
	}
	cfg := base.ForService(name)
	level := slog.LevelInfo
	if f.Debug {
		level = slog.LevelDebug
	}
	log := service.NewLogger(cfg.SyslogPrefix(), name, level, os.Stderr)
	for _, w := range base.Warnings() {
		log.Warn(w)
	}
	db, err := cyrusdb.Open(cfg.Configdirectory(), cyrusdb.Options{Logger: log})
	if err != nil {
		return err
	}
	defer db.Close()
	st, err := store.New(cfg, db, log)
	if err != nil {
		return err
	}
	authn, err := auth.New(cfg, auth.Options{SASLDB: sasldb.New(db), Service: "imap", Logger: log})
	if err != nil {
		return err
	}
	// The TLS settings are the same options for every service.
	tlsCfg, err := pop3server.TLSConfig(cfg)
	if err != nil {
		return err
	}
	if f.TLS && tlsCfg == nil {
		return errors.New("-s needs tls_server_cert and tls_server_key")
	}
	srv, err := imapserver.New(imapserver.Options{
		Config: cfg, Store: st, Auth: authn, TLS: tlsCfg, ImplicitTLS: f.TLS, Logger: log,
	})
	if err != nil {
		return err
	}
	opts := service.Options{Logger: log}
	f.Apply(&opts)
	return service.Run(context.Background(), f.Listen, srv.Handle, opts)
}
