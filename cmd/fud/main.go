// Command fud is Cyrus's new-mail "finger" service over UDP (see fud(8) and pkg/fud): run by
// master on a proto="udp" SERVICES entry, whose bound socket it inherits, or alone with
// `-l ADDR` (a UDP port, host:port or [v6]:port; "fud" is port 4201).
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/signal"
	"sync"
	"syscall"

	"gocyrus/internal/daemon"
	"gocyrus/pkg/fud"
	"gocyrus/pkg/service"
)

func main() { os.Exit(daemon.ExitCode("fud", run)) }

func run(args []string) error {
	env, err := daemon.Start(daemon.Spec{Program: "fud", Service: "fud", SASLService: "fud",
		Summary: "the new-mail finger service (UDP)", Synopsis: "[-C config-file] [-l addr]... [-D]"}, args)
	if err != nil {
		return err
	}
	defer env.Close()
	inh, err := service.Inherit()
	if err != nil {
		return err
	}
	defer inh.Close()
	if len(inh.Listeners) > 0 {
		return errors.New("fud answers datagrams: its cyrus.conf entry needs proto=\"udp\"")
	}
	var conns []net.PacketConn
	for _, p := range inh.Packets {
		conns = append(conns, p.PacketConn)
	}
	for _, a := range env.Flags.Listen {
		addr, err := service.ParseListen(a, "udp", "fud")
		if err != nil {
			return fmt.Errorf("-l %s: %w", a, err)
		}
		pc, err := net.ListenPacket(addr.Network, addr.Address)
		if err != nil {
			return fmt.Errorf("-l %s: %w", a, err)
		}
		defer pc.Close()
		conns = append(conns, pc)
	}
	if len(conns) == 0 {
		return &daemon.UsageError{Err: errors.New("nothing to listen on: not started by master, and no -l ADDR")}
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT, syscall.SIGHUP)
	defer stop()
	if inh.Lifeline != nil { // master is gone: stop answering
		go func() { io.Copy(io.Discard, inh.Lifeline); stop() }()
	}
	srv := fud.New(env.Store, env.Log)
	env.Log.Info("fud ready", "sockets", len(conns))
	errs := make([]error, len(conns))
	var wg sync.WaitGroup
	for i, pc := range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = srv.Serve(ctx, pc)
			stop() // one socket failing ends the process: master starts a fresh one
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
}
