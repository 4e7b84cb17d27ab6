// Command timsieved is the ManageSieve server (RFC 5804): users upload,
// check and activate the Sieve scripts lmtpd runs. Run by master with
// inherited sockets, or alone with `-l ADDR`. See timsieved(8).
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
	"gocyrus/pkg/managesieve"
	"gocyrus/pkg/pop3server"
	"gocyrus/pkg/sasldb"
	"gocyrus/pkg/service"
	"gocyrus/pkg/sieve"
	"gocyrus/pkg/sievescripts"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "timsieved:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	var f service.Flags
	fs := flag.NewFlagSet("timsieved", flag.ContinueOnError)
	f.Register(fs)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	name := os.Getenv(service.EnvService)
	if name == "" {
		name = "sieve"
	}
	base, err := config.LoadImapd(f.Config)
	if err != nil {
		return err
	}
	cfg := base.ForService(name)
	if cfg.Sieveusehomedir() {
		return errors.New("sieveusehomedir is set: lmtpd reads ~user/.sieve and there is nothing for timsieved to manage")
	}
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
	authn, err := auth.New(cfg, auth.Options{SASLDB: sasldb.New(db), Service: "sieve", Logger: log})
	if err != nil {
		return err
	}
	tlsCfg, err := pop3server.TLSConfig(cfg)
	if err != nil {
		return err
	}
	if f.TLS && tlsCfg == nil {
		return errors.New("-s needs tls_server_cert and tls_server_key")
	}
	scripts := sievescripts.FromConfig(cfg)
	srv, err := managesieve.New(managesieve.Options{
		Config: cfg, Auth: authn, Scripts: scripts,
		Extensions: sieve.Extensions(), Check: checker(scripts.Options().MaxSize),
		TLS: tlsCfg, ImplicitTLS: f.TLS, Logger: log,
	})
	if err != nil {
		return err
	}
	opts := service.Options{Logger: log}
	f.Apply(&opts)
	return service.Run(context.Background(), f.Listen, srv.Handle, opts)
}

// checker compiles uploads with pkg/sieve; the error text (with its line
// and column) goes back to the client.
func checker(maxSize int) managesieve.CheckFunc {
	return func(src []byte, extensions []string, include managesieve.IncludeFunc) error {
		_, err := sieve.Compile(src, sieve.Options{Extensions: extensions, Include: include, MaxSize: max(maxSize, 0)})
		return err
	}
}
