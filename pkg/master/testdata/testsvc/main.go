// Command testsvc is the stand-in daemon for master's tests: an echo service built on
// pkg/service that greets with its service name and pid, or (-append FILE) an event that
// appends a line to FILE, or (-fail) a service that dies at once.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"strings"
	"time"

	"gocyrus/pkg/service"
)

func main() {
	// A test fixture, so the standard flag package: the daemons declare
	// these flags with urfave/cli and Cyrus's getopt rules
	// (internal/daemon), which master's tests do not exercise.
	var f service.Flags
	fs := flag.NewFlagSet("testsvc", flag.ExitOnError)
	fs.StringVar(&f.Config, "C", service.DefaultConfigPath, "imapd.conf `path`")
	fs.Func("l", "listen on `ADDR`; repeatable", func(v string) error { f.Listen = append(f.Listen, v); return nil })
	fs.BoolVar(&f.TLS, "s", false, "implicit TLS")
	fs.IntVar(&f.MaxUses, "U", 0, "exit after `N` connections")
	fs.IntVar(&f.IdleTimeout, "T", 0, "exit after `seconds` idle")
	fs.BoolVar(&f.Debug, "D", false, "debug logging")
	appendTo := fs.String("append", "", "append a line to `file` and exit")
	fail := fs.Bool("fail", false, "exit 1 at once")
	failFirst := fs.Int("fail-first", 0, "with -count: exit 1 on each of the first `n` starts")
	count := fs.String("count", "", "append a line to `file` on each start (for -fail-first)")
	udp := fs.Bool("udp", false, "answer each datagram on the inherited datagram sockets with \"<service> <pid> <datagram>\"")
	fs.Parse(os.Args[1:])

	name := os.Getenv(service.EnvService)
	if *count != "" {
		starts, err := countStart(*count)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		*fail = starts <= *failFirst
	}
	switch {
	case *fail:
		fmt.Fprintln(os.Stderr, "testsvc: failing on purpose")
		os.Exit(1)
	case *appendTo != "":
		if err := appendLine(*appendTo, fmt.Sprintf("%s %d %s\n", name, os.Getpid(), time.Now().Format(time.RFC3339))); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		fmt.Println("event ran")
		return
	}
	if *udp {
		if err := serveDatagrams(name); err != nil {
			fmt.Fprintln(os.Stderr, "testsvc:", err)
			os.Exit(1)
		}
		return
	}
	log := service.NewLogger("", name, slog.LevelInfo, os.Stderr)
	greeting := fmt.Sprintf("hello %s %d\n", name, os.Getpid())
	h := func(ctx context.Context, c net.Conn) {
		io.WriteString(c, greeting)
		go func() { <-ctx.Done(); c.Close() }()
		io.Copy(c, c)
	}
	opts := service.Options{Logger: log, TooBusy: func(c net.Conn) { io.WriteString(c, "busy\n") }}
	f.Apply(&opts)
	if err := service.Run(context.Background(), f.Listen, h, opts); err != nil {
		log.Error("serve", "err", err)
		os.Exit(1)
	}
}

// serveDatagrams echoes on every inherited datagram socket until master's lifeline closes.
func serveDatagrams(name string) error {
	inh, err := service.Inherit()
	if err != nil {
		return err
	}
	if len(inh.Packets) == 0 {
		return fmt.Errorf("no datagram socket inherited (%d stream listeners)", len(inh.Listeners))
	}
	for _, pc := range inh.Packets {
		go func() {
			buf := make([]byte, 512)
			for {
				n, from, err := pc.ReadFrom(buf)
				if err != nil {
					return
				}
				pc.WriteTo(fmt.Appendf(nil, "%s %d %s", name, os.Getpid(), buf[:n]), from)
			}
		}()
	}
	if inh.Lifeline != nil {
		io.Copy(io.Discard, inh.Lifeline)
	}
	return nil
}

// countStart records one start in path and returns how many there have been.
func countStart(path string) (int, error) {
	if err := appendLine(path, "start\n"); err != nil {
		return 0, err
	}
	b, err := os.ReadFile(path)
	return strings.Count(string(b), "\n"), err
}

func appendLine(path, line string) error {
	fh, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		return err
	}
	if _, err := fh.WriteString(line); err != nil {
		fh.Close()
		return err
	}
	return fh.Close()
}
