package service

import (
	"context"
	"errors"
	"fmt"
	"net"
)

// Run is the whole child side for a daemon's main: it takes the inherited sockets, adds one
// listener per addrs entry (`-l ADDR`), caps MaxConns by CYRUS_MAXCHILD (the smaller limit
// wins), applies CYRUS_MAXFDS as far as the system allows and caps MaxConns by what the fd limit
// leaves for connections (both logged, neither fatal), fills IdleTimeout from CYRUS_IDLE_TIMEOUT when the options leave it
// zero, and serves until stopped. It fails when there is nothing to listen on.
func Run(ctx context.Context, addrs []string, handler Handler, opts Options) error {
	env, err := ReadEnv()
	if err != nil {
		return err
	}
	inh, err := Inherit()
	if err != nil {
		return err
	}
	defer inh.Close()
	opts.MaxConns = tighterLimit(opts.MaxConns, env.MaxChild)
	applyFDLimit(env.MaxFDs, &opts)
	if opts.IdleTimeout == 0 {
		opts.IdleTimeout = env.IdleTimeout
	}
	if opts.Lifeline == nil {
		opts.Lifeline = inh.Lifeline
	}
	if len(inh.Packets) > 0 {
		return fmt.Errorf("service: %s was given a datagram socket (proto=\"udp\" in cyrus.conf) but serves streams", inh.Packets[0].Name)
	}
	listeners := inh.NetListeners()
	for _, a := range addrs {
		l, err := Listen(a)
		if err != nil {
			closeAll(listeners)
			return fmt.Errorf("service: -l %s: %w", a, err)
		}
		listeners = append(listeners, l)
	}
	if len(listeners) == 0 {
		return errors.New("service: nothing to listen on: not started by master or systemd, and no -l ADDR")
	}
	return Serve(ctx, listeners, handler, opts)
}

// tighterLimit is the smaller of two limits where 0 (or less) means none.
func tighterLimit(a, b int) int {
	switch {
	case a <= 0:
		return max(b, 0)
	case b <= 0:
		return a
	}
	return min(a, b)
}

func closeAll(ls []net.Listener) {
	for _, l := range ls {
		l.Close()
	}
}
