// Command lmtpd is the LMTP delivery daemon (RFC 2033): the MTA hands it
// messages over TCP or the unix socket lmtpsocket and it stores them in the
// recipients' mailboxes. It runs under master (inherited sockets) or alone
// with -l ADDR. A usage error prints Cyrus's "421-4.3.0 usage: ..." /
// "421 4.3.0 <version>" on stderr and exits with EX_USAGE (64).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
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

// exUsage is sysexits.h's EX_USAGE.
const exUsage = 64

// usageLine lists lmtpd's options in Cyrus's usage reply.
const usageLine = "usage: lmtpd [-C <alt_config>] [-a] [-l <addr>]... [-s] [-U <uses>] [-T <timeout>] [-D]"

// usageError is a command-line mistake.
type usageError struct{ why string }

func (e *usageError) Error() string { return "lmtpd: " + e.why }

func main() {
	err := run()
	switch {
	case errors.As(err, new(*usageError)):
		// Cyrus answers like an LMTP server refusing the session.
		fmt.Fprintf(os.Stderr, "%v\r\n421-4.3.0 %s\r\n421 4.3.0 %s\r\n", err, usageLine, lmtp.Version)
		os.Exit(exUsage)
	case err != nil:
		fmt.Fprintln(os.Stderr, "lmtpd:", err)
		os.Exit(1)
	}
}

func run() error {
	var f service.Flags
	fs := flag.NewFlagSet("lmtpd", flag.ContinueOnError)
	fs.SetOutput(io.Discard) // errors are reported in Cyrus's format by main
	f.Register(fs)
	preauth := fs.Bool("a", false, "treat TCP connections as pre-authenticated (postman), like the unix socket")
	if err := fs.Parse(os.Args[1:]); err != nil {
		return &usageError{why: err.Error()}
	}
	if fs.NArg() > 0 {
		return &usageError{why: fmt.Sprintf("unexpected argument %q", fs.Arg(0))}
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
