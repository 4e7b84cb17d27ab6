// Command lmtpd is the LMTP delivery daemon (RFC 2033): the MTA hands it
// messages over TCP or the unix socket lmtpsocket and it stores them in the
// recipients' mailboxes. It runs under master (inherited sockets) or alone
// with -l ADDR.
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"

	"gocyrus/pkg/auth"
	"gocyrus/pkg/config"
	"gocyrus/pkg/cyrusdb"
	"gocyrus/pkg/lmtp"
	"gocyrus/pkg/pop3server" // TLSConfig: the tls_* options, shared by the line-based servers
	"gocyrus/pkg/sasldb"
	"gocyrus/pkg/service"
	"gocyrus/pkg/store"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "lmtpd:", err)
		os.Exit(1)
	}
}

func run() error {
	var f service.Flags
	fs := flag.NewFlagSet("lmtpd", flag.ExitOnError)
	f.Register(fs)
	preauth := fs.Bool("a", false, "treat TCP connections as pre-authenticated (postman), like the unix socket")
	if err := fs.Parse(os.Args[1:]); err != nil {
		return err
	}
	name := os.Getenv(service.EnvService)
	if name == "" {
		name = "lmtp"
	}
	level := slog.LevelInfo
	if f.Debug {
		level = slog.LevelDebug
	}
	log := service.NewLogger("", name, level, os.Stderr)
	cfg, err := config.LoadImapd(f.Config)
	if err != nil {
		return err
	}
	cfg = cfg.ForService(name)
	db, err := cyrusdb.Open(cfg.Configdirectory(), cyrusdb.Options{Logger: log})
	if err != nil {
		return err
	}
	defer db.Close()
	st, err := store.New(cfg, db, log)
	if err != nil {
		return err
	}
	srv := lmtp.NewServer(st, log)
	defer srv.Close()
	srv.CleanStage()
	srv.PreauthTCP = *preauth
	a, err := auth.New(cfg, auth.Options{SASLDB: sasldb.New(db), Service: "lmtp", Logger: log})
	if err != nil {
		return fmt.Errorf("authentication: %w", err)
	}
	srv.Auth = a
	if srv.TLS, err = pop3server.TLSConfig(cfg); err != nil {
		return err
	}
	opts := service.Options{Logger: log}
	f.Apply(&opts)
	return service.Run(context.Background(), f.Listen, srv.ServeConn, opts)
}
