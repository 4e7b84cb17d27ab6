// Command smmapd is the Sendmail/Postfix socket map daemon: the MTA asks
// it whether a recipient's mailbox exists, may be posted to and is under
// quota (pkg/smmap). Run by master (cyrus.conf: smmap cmd="smmapd"
// listen=...) with inherited sockets, or alone with -l ADDR. See smmapd(8).
package main

import (
	"errors"
	"os"

	"gocyrus/internal/daemon"
	"gocyrus/pkg/service"
	"gocyrus/pkg/smmap"
)

func main() { os.Exit(daemon.ExitCode("smmapd", run)) }

func run(args []string) error {
	env, err := daemon.Start(daemon.Spec{Program: "smmapd", Service: "smmap", SASLService: "smmap",
		Summary: "the Sendmail socket map daemon", Synopsis: "[-C config-file] [-l address]... [-U uses] [-T timeout] [-D]"}, args)
	if err != nil {
		return err
	}
	defer env.Close()
	if env.Flags.TLS {
		return &daemon.UsageError{Err: errors.New("-s: the socket map protocol has no TLS")}
	}
	srv := smmap.NewServer(env.Store, env.Log)
	return env.Serve(srv.Handle, service.Options{})
}
