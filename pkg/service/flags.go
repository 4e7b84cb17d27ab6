package service

import (
	"flag"
	"strings"
	"time"
)

// Flags are the command-line flags every Cyrus daemon accepts. Register them on the daemon's
// FlagSet next to its own.
type Flags struct {
	Config      string   // -C: imapd.conf path
	Listen      []string // -l ADDR (repeatable): listen without master
	TLS         bool     // -s: implicit TLS on every connection
	MaxUses     int      // -U: exit after this many connections (0 = never)
	IdleTimeout int      // -T: seconds without connections before exiting (0 = never)
	Debug       bool     // -D: debug logging
}

// DefaultConfigPath is imapd.conf's default location.
const DefaultConfigPath = "/etc/imapd.conf"

// Register adds -C, -l, -s, -U, -T and -D to fs.
func (f *Flags) Register(fs *flag.FlagSet) {
	fs.StringVar(&f.Config, "C", DefaultConfigPath, "imapd.conf `path`")
	fs.Var((*listFlag)(&f.Listen), "l", "listen on `ADDR` (port, host:port, [v6]:port or unix socket path); repeatable")
	fs.BoolVar(&f.TLS, "s", false, "implicit TLS on every connection")
	fs.IntVar(&f.MaxUses, "U", 0, "exit after `N` connections (0 = never)")
	fs.IntVar(&f.IdleTimeout, "T", 0, "exit after `seconds` without connections (0 = never)")
	fs.BoolVar(&f.Debug, "D", false, "debug logging")
}

// Apply copies -U and -T into opts (when given).
func (f *Flags) Apply(opts *Options) {
	if f.MaxUses > 0 {
		opts.MaxUses = f.MaxUses
	}
	if f.IdleTimeout > 0 {
		opts.IdleTimeout = time.Duration(f.IdleTimeout) * time.Second
	}
}

type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, ",") }
func (l *listFlag) Set(v string) error { *l = append(*l, v); return nil }
