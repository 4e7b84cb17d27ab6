// Command timsieved is the ManageSieve server (RFC 5804): users upload,
// check and activate the Sieve scripts lmtpd runs. Run by master with
// inherited sockets, or alone with `-l ADDR`. See timsieved(8).
package main

import (
	"errors"
	"os"

	"gocyrus/internal/daemon"
	"gocyrus/pkg/managesieve"
	"gocyrus/pkg/metrics"
	"gocyrus/pkg/service"
	"gocyrus/pkg/sieve"
	"gocyrus/pkg/sievescripts"
)

func main() { os.Exit(daemon.ExitCode("timsieved", run)) }

func run(args []string) error {
	env, err := daemon.Start(daemon.Spec{Program: "timsieved", Protocol: metrics.ProtoSieve, Service: "sieve", SASLService: "sieve",
		Summary: "the ManageSieve server", Synopsis: "[-C config-file] [-l address]... [-s] [-U uses] [-T seconds] [-D]"}, args)
	if err != nil {
		return err
	}
	defer env.Close()
	if env.Cfg.Sieveusehomedir() {
		return errors.New("sieveusehomedir is set: lmtpd reads ~user/.sieve and there is nothing for timsieved to manage")
	}
	scripts := sievescripts.FromConfig(env.Cfg)
	srv, err := managesieve.New(managesieve.Options{
		Config: env.Cfg, Auth: env.Auth, Scripts: scripts,
		Extensions: sieve.Extensions(), Check: checker(scripts.Options().MaxSize),
		TLS: env.TLS, ImplicitTLS: env.Flags.TLS, Logger: env.Log, Deny: env.Deny, Proc: env.Sessions(),
	})
	if err != nil {
		return err
	}
	return env.Serve(srv.Handle, service.Options{})
}

// checker compiles uploads with pkg/sieve; the error text (with its line
// and column) goes back to the client.
func checker(maxSize int) managesieve.CheckFunc {
	return func(src []byte, extensions []string, include managesieve.IncludeFunc) error {
		_, err := sieve.Compile(src, sieve.Options{Extensions: extensions, Include: include, MaxSize: max(maxSize, 0)})
		return err
	}
}
