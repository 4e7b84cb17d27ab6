// Command imapd is the IMAP server (RFC 3501, RFC 9051 and the extensions
// listed in imapd(8)): run by master with inherited sockets, or alone with
// `-l ADDR`. One goroutine serves each connection.
package main

import (
	"io"
	"net"
	"os"

	"gocyrus/internal/daemon"
	"gocyrus/pkg/imapserver"
	"gocyrus/pkg/metrics"
	"gocyrus/pkg/service"
)

func main() { os.Exit(daemon.ExitCode("imapd", run)) }

func run(args []string) error {
	env, err := daemon.Start(daemon.Spec{Program: "imapd", Protocol: metrics.ProtoIMAP, Service: "imap", TLSService: "imaps", SASLService: "imap",
		Summary: "the IMAP server", Synopsis: "[-C config] [-l addr]... [-s] [-U uses] [-T seconds] [-D]"}, args)
	if err != nil {
		return err
	}
	defer env.Close()
	srv, err := imapserver.New(imapserver.Options{
		Config: env.Cfg, Store: env.Store, Auth: env.Auth, TLS: env.TLS, ImplicitTLS: env.Flags.TLS, Logger: env.Log, Deny: env.Deny, Proc: env.Sessions(),
	})
	if err != nil {
		return err
	}
	// Out of descriptors: a greeting-time BYE (RFC 9051 §7.1.5), the client may retry later.
	return env.Serve(srv.Handle, service.Options{NoDescriptors: func(c net.Conn) {
		io.WriteString(c, "* BYE [UNAVAILABLE] Too many connections, try again later\r\n")
	}})
}
