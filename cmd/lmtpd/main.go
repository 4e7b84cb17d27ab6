// Command lmtpd is the LMTP delivery daemon (RFC 2033): the MTA hands it
// messages over TCP or the unix socket lmtpsocket and it stores them in the
// recipients' mailboxes. It runs under master (inherited sockets) or alone
// with -l ADDR. A usage error prints Cyrus's "421-4.3.0 usage: ..." /
// "421 4.3.0 <version>" on stderr and exits with EX_USAGE (64).
package main

import (
	"errors"
	"fmt"
	"io"
	"net"
	"os"

	"github.com/urfave/cli/v3"

	"gocyrus/internal/daemon"
	"gocyrus/pkg/lmtp"
	"gocyrus/pkg/metrics"
	"gocyrus/pkg/service"
)

// exUsage is sysexits.h's EX_USAGE.
const exUsage = 64

// usageLine lists lmtpd's options in Cyrus's usage reply.
const usageLine = "usage: lmtpd [-C <alt_config>] [-a] [-l <addr>]... [-U <uses>] [-T <timeout>] [-D]"

func main() {
	err := run(os.Args[1:])
	var ue *daemon.UsageError
	switch {
	case errors.As(err, &ue):
		// Cyrus answers like an LMTP server refusing the session.
		fmt.Fprintf(os.Stderr, "lmtpd: %v\r\n421-4.3.0 %s\r\n421 4.3.0 %s\r\n", ue, usageLine, lmtp.Version)
		os.Exit(exUsage)
	case err != nil:
		fmt.Fprintln(os.Stderr, "lmtpd:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	var preauth bool
	env, err := daemon.Start(daemon.Spec{Program: "lmtpd", Protocol: metrics.ProtoLMTP, Service: "lmtp", SASLService: "lmtp", NoHelp: true}, args,
		&cli.BoolFlag{Name: "a", Destination: &preauth, Usage: "treat TCP connections as pre-authenticated (postman), like the unix socket"})
	if err != nil {
		return err
	}
	defer env.Close()
	if env.Flags.TLS {
		return &daemon.UsageError{Err: errors.New("-s: LMTP has no implicit TLS; configure tls_server_cert for STARTTLS")}
	}
	srv := lmtp.NewServer(env.Store, env.Log)
	defer srv.Close()
	srv.CleanStage()
	srv.PreauthTCP = preauth
	srv.Auth = env.Auth
	srv.TLS = env.TLS
	srv.Deny = env.Deny
	srv.Proc = env.Sessions()
	// Out of descriptors: 421 before the greeting (RFC 5321 §3.8), the client retries later.
	return env.Serve(srv.Handle, service.Options{NoDescriptors: func(c net.Conn) {
		io.WriteString(c, "421 4.3.2 Too many connections, try again later\r\n")
	}})
}
