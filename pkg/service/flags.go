package service

import "time"

// Flags are the values of the command-line flags every Cyrus daemon
// accepts (-C, -l, -s, -U, -T, -D). The daemons declare them in
// internal/daemon; this package only gives them their meaning for Run.
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

// Apply copies -U and -T into opts (when given).
func (f *Flags) Apply(opts *Options) {
	if f.MaxUses > 0 {
		opts.MaxUses = f.MaxUses
	}
	if f.IdleTimeout > 0 {
		opts.IdleTimeout = time.Duration(f.IdleTimeout) * time.Second
	}
}
