// Command pop3d is the POP3 server (RFC 1939, 2449, 5034, 2595): run by
// master with inherited sockets, or alone with `-l ADDR`. See pop3d(8).
package main

import (
	"io"
	"net"
	"os"

	"gocyrus/internal/daemon"
	"gocyrus/pkg/metrics"
	"gocyrus/pkg/pop3server"
	"gocyrus/pkg/service"
)

func main() { os.Exit(daemon.ExitCode("pop3d", run)) }

func run(args []string) error {
	env, err := daemon.Start(daemon.Spec{Program: "pop3d", Protocol: metrics.ProtoPOP3, Service: "pop3", TLSService: "pop3s", SASLService: "pop",
		Summary: "the POP3 server", Synopsis: "[-C config-file] [-l addr]... [-s] [-U uses] [-T seconds] [-D]"}, args)
	if err != nil {
		return err
	}
	defer env.Close()
	srv, err := pop3server.New(pop3server.Options{
		Config: env.Cfg, Store: env.Store, Auth: env.Auth, TLS: env.TLS, ImplicitTLS: env.Flags.TLS, Logger: env.Log, Deny: env.Deny, Proc: env.Sessions(),
	})
	if err != nil {
		return err
	}
	return env.Serve(srv.Handle, service.Options{TooBusy: func(c net.Conn) {
		io.WriteString(c, "-ERR [SYS/TEMP] Too many connections, try again later\r\n")
	}})
}
