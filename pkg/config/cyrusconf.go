package config

import (
	"fmt"
	"io"
	"strings"
)

// Section names of cyrus.conf.
const (
	SectionStart    = "START"
	SectionServices = "SERVICES"
	SectionEvents   = "EVENTS"
	SectionDaemon   = "DAEMON"
)

// CyrusConf is a parsed cyrus.conf: the entries of each section in file
// order.
type CyrusConf struct {
	Start, Services, Events, Daemons []Entry
}

// Entry is one line of a cyrus.conf section with every option resolved to
// its effective value (defaults and Cyrus's implied settings applied).
type Entry struct {
	Section string // one of the Section* constants
	Name    string // letters and digits; the service name (CYRUS_SERVICE)
	File    string
	Line    int
	Cmd     []string // cmd= split on blanks; Cmd[0] is the program

	// SERVICES.
	Listen  string // "port", "host:port", "[addr]:port" or "/unix/path"
	Proto   string // tcp, tcp4, tcp6, udp, udp4, udp6 (default tcp)
	Prefork int    // idle children kept ready; at least 1 with babysit, at most 1 for UDP
	// MaxChild limits simultaneous children; -1 is unlimited (the default),
	// UDP services always have 1.
	MaxChild int
	// MaxForkRate caps forks per second (SERVICES and DAEMON); 0 is no cap.
	// It defaults to 10 for daemons and for services with babysit.
	MaxForkRate int
	MaxFds      int  // RLIMIT_NOFILE of the child; 0 leaves it alone
	Babysit     bool // keep at least one child ready and restart it quickly

	// DAEMON.
	Wait bool // start before services and wait for "ok\r\n" on fd 3

	// EVENTS.
	Period int    // minutes between runs; 0 runs once at start; 1440 when At is set
	At     string // "HHMM": run daily at that local time; "" when unset

	// Args holds every key=value as written (keys lower-cased).
	Args map[string]string
}

// sectionKeys lists the options each section accepts.
var sectionKeys = map[string][]string{
	SectionStart:    {"cmd"},
	SectionServices: {"cmd", "listen", "proto", "prefork", "maxchild", "maxforkrate", "maxfds", "babysit"},
	SectionEvents:   {"cmd", "period", "at"},
	SectionDaemon:   {"cmd", "wait", "maxforkrate", "maxfds"},
}

// LoadCyrusConf reads and parses the cyrus.conf at path.
func LoadCyrusConf(path string) (*CyrusConf, error) {
	f, err := openRegular(path)
	if err != nil {
		return nil, &ParseError{File: path, Msg: err.Error()}
	}
	defer f.Close()
	return ParseCyrusConf(f, path)
}

// ParseCyrusConf parses cyrus.conf text read from r; file names it in
// errors and in Entry.File.
func ParseCyrusConf(r io.Reader, file string) (*CyrusConf, error) {
	p := &cyrusParser{file: file, conf: &CyrusConf{}, names: make(map[string]*Entry)}
	if err := p.parse(r); err != nil {
		return nil, err
	}
	return p.conf, nil
}

// Entries returns every entry in the order START, SERVICES, EVENTS, DAEMON.
func (c *CyrusConf) Entries() []Entry {
	all := make([]Entry, 0, len(c.Start)+len(c.Services)+len(c.Events)+len(c.Daemons))
	all = append(all, c.Start...)
	all = append(all, c.Services...)
	all = append(all, c.Events...)
	return append(all, c.Daemons...)
}

// Service returns the SERVICES or DAEMON entry called name.
func (c *CyrusConf) Service(name string) (Entry, bool) {
	for _, list := range [][]Entry{c.Services, c.Daemons} {
		for _, e := range list {
			if strings.EqualFold(e.Name, name) {
				return e, true
			}
		}
	}
	return Entry{}, false
}

// WriteTo writes c as cyrus.conf text with every effective option spelled
// out; parsing the output yields the same entries.
func (c *CyrusConf) WriteTo(w io.Writer) (int64, error) {
	var b strings.Builder
	for _, sec := range []struct {
		name    string
		entries []Entry
	}{{SectionStart, c.Start}, {SectionServices, c.Services}, {SectionEvents, c.Events}, {SectionDaemon, c.Daemons}} {
		fmt.Fprintf(&b, "%s {\n", sec.name)
		for _, e := range sec.entries {
			b.WriteString("  " + e.Name)
			for _, kv := range e.options() {
				b.WriteString(" " + kv[0] + "=" + quoteValue(kv[1]))
			}
			b.WriteString("\n")
		}
		b.WriteString("}\n")
	}
	n, err := io.WriteString(w, b.String())
	return int64(n), err
}

// options returns the entry's effective key/value pairs in canonical order.
func (e *Entry) options() [][2]string {
	kv := [][2]string{{"cmd", strings.Join(e.Cmd, " ")}}
	itoa := func(n int) string { return fmt.Sprint(n) }
	switch e.Section {
	case SectionServices:
		kv = append(kv, [2]string{"listen", e.Listen}, [2]string{"proto", e.Proto},
			[2]string{"prefork", itoa(e.Prefork)}, [2]string{"maxchild", itoa(e.MaxChild)},
			[2]string{"maxforkrate", itoa(e.MaxForkRate)}, [2]string{"maxfds", itoa(e.MaxFds)},
			[2]string{"babysit", switchText(e.Babysit)})
	case SectionEvents:
		if e.At != "" {
			kv = append(kv, [2]string{"at", e.At})
		} else {
			kv = append(kv, [2]string{"period", itoa(e.Period)})
		}
	case SectionDaemon:
		kv = append(kv, [2]string{"wait", switchText(e.Wait)},
			[2]string{"maxforkrate", itoa(e.MaxForkRate)}, [2]string{"maxfds", itoa(e.MaxFds)})
	}
	return kv
}

func switchText(b bool) string {
	if b {
		return "1"
	}
	return "0"
}

// quoteValue quotes v unless it contains a '"', which cyrus.conf cannot
// quote; such a value never contains blanks, so it is safe bare.
func quoteValue(v string) string {
	if strings.Contains(v, `"`) {
		return v
	}
	return `"` + v + `"`
}
