package config

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
)

// maxUnixPath is the longest UNIX socket path (sun_path less its NUL).
const maxUnixPath = 107

type cyrusParser struct {
	file    string
	conf    *CyrusConf
	names   map[string]*Entry // lower-cased SERVICES and DAEMON names
	section string            // "" outside a section
	opened  int               // line of the current section's '{'
	line    int
}

func (p *cyrusParser) errorf(format string, args ...any) error {
	return parseErrorf(p.file, p.line, format, args...)
}

func (p *cyrusParser) parse(r io.Reader) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 4096), maxLineBytes)
	for sc.Scan() {
		p.line++
		text := sc.Text()
		if i := strings.IndexByte(text, '#'); i >= 0 {
			text = text[:i] // even inside quotes, as Cyrus does
		}
		toks, err := tokenize(text)
		if err != nil {
			return p.errorf("%v", err)
		}
		if err := p.tokens(toks); err != nil {
			return err
		}
	}
	if err := sc.Err(); err != nil {
		p.line++
		if errors.Is(err, bufio.ErrTooLong) {
			return p.errorf("line longer than %d bytes", maxLineBytes)
		}
		return p.errorf("read: %v", err)
	}
	if p.section != "" {
		p.line = p.opened
		return p.errorf("section %s is not closed with '}'", p.section)
	}
	return nil
}

// tokens handles one line: section headers, entries and closing braces.
func (p *cyrusParser) tokens(toks []token) error {
	for len(toks) > 0 {
		t := toks[0]
		switch {
		case p.section == "":
			if t.kind != tokWord {
				return p.errorf("expected a section name, found %s", t)
			}
			sec := strings.ToUpper(t.text)
			if _, ok := sectionKeys[sec]; !ok {
				return p.errorf("unknown section %q (want START, SERVICES, EVENTS or DAEMON)", t.text)
			}
			if len(toks) < 2 || toks[1].kind != tokOpen {
				return p.errorf("expected '{' after %s", sec)
			}
			p.section, p.opened = sec, p.line
			toks = toks[2:]
		case t.kind == tokClose:
			p.section = ""
			toks = toks[1:]
		case t.kind == tokWord:
			n := 1
			for n < len(toks) && toks[n].kind == tokAssign {
				n++
			}
			if n < len(toks) && toks[n].kind != tokClose {
				return p.errorf("unexpected %s after entry %q (one entry per line)", toks[n], t.text)
			}
			if err := p.entry(t.text, toks[1:n]); err != nil {
				return err
			}
			toks = toks[n:]
		default:
			return p.errorf("expected an entry name, found %s", t)
		}
	}
	return nil
}

func (p *cyrusParser) entry(name string, args []token) error {
	if c, ok := badNameChar(name); ok {
		return p.errorf("bad character %q in name %q", c, name)
	}
	e := Entry{Section: p.section, Name: name, File: p.file, Line: p.line, Args: make(map[string]string, len(args))}
	allowed := sectionKeys[p.section]
	for _, a := range args {
		key := strings.ToLower(a.text)
		if !slices.Contains(allowed, key) {
			return p.errorf("unknown option %q in %s entry %q", a.text, p.section, name)
		}
		if _, dup := e.Args[key]; dup {
			return p.errorf("option %q given twice in entry %q", key, name)
		}
		e.Args[key] = a.value
	}
	if err := p.resolve(&e); err != nil {
		return err
	}
	switch p.section {
	case SectionStart:
		p.conf.Start = append(p.conf.Start, e)
	case SectionServices:
		p.conf.Services = append(p.conf.Services, e)
	case SectionEvents:
		p.conf.Events = append(p.conf.Events, e)
	case SectionDaemon:
		p.conf.Daemons = append(p.conf.Daemons, e)
	}
	if p.section == SectionServices || p.section == SectionDaemon {
		key := strings.ToLower(name)
		if prev, dup := p.names[key]; dup {
			return p.errorf("multiple entries for service %q (first at %s:%d)", name, prev.File, prev.Line)
		}
		p.names[key] = &e
	}
	return nil
}

// resolve fills the typed fields of e from e.Args with defaults and
// implied values.
//
// Numbers beyond what any server can use are refused with file:line rather
// than obeyed: prefork=99999999 would fork until the system gives out.
func (p *cyrusParser) resolve(e *Entry) error {
	cmd, ok := e.Args["cmd"]
	if !ok {
		return p.errorf("entry %q has no cmd", e.Name)
	}
	if e.Cmd = strings.FieldsFunc(cmd, isBlank); len(e.Cmd) == 0 {
		return p.errorf("entry %q has an empty cmd", e.Name)
	}
	var err error
	num := func(key string, def, min, max int) int {
		v, ok := e.Args[key]
		if !ok || err != nil {
			return def
		}
		n, perr := strconv.Atoi(v)
		switch {
		case perr != nil:
			err = p.errorf("entry %q: %s=%q is not an integer", e.Name, key, v)
		case n < min:
			err = p.errorf("entry %q: %s=%d is below %d", e.Name, key, n, min)
		case n > max:
			err = p.errorf("entry %q: %s=%d is above %d", e.Name, key, n, max)
		}
		return n
	}
	flag := func(key string) bool {
		v, ok := e.Args[key]
		if !ok || err != nil {
			return false
		}
		b, perr := parseSwitch(v)
		if perr != nil {
			err = p.errorf("entry %q: %s: %v", e.Name, key, perr)
		}
		return b
	}
	switch e.Section {
	case SectionServices:
		e.Listen = e.Args["listen"]
		e.Proto = strings.ToLower(e.Args["proto"])
		e.Prefork = num("prefork", 0, 0, MaxPrefork)
		e.MaxChild = num("maxchild", -1, -1, MaxChildLimit)
		e.MaxForkRate = num("maxforkrate", 0, 0, MaxForkRateLimit)
		e.MaxFds = num("maxfds", 0, 0, MaxFdsLimit)
		e.Babysit = flag("babysit")
		if err != nil {
			return err
		}
		if err := p.checkListen(e); err != nil {
			return err
		}
		if e.Babysit {
			e.Prefork = max(e.Prefork, 1)
			if _, set := e.Args["maxforkrate"]; !set {
				e.MaxForkRate = 10
			}
		}
		if strings.HasPrefix(e.Proto, "udp") {
			e.Prefork, e.MaxChild = min(e.Prefork, 1), 1
		}
	case SectionEvents:
		e.Period = num("period", 0, 0, maxPeriod)
		if err != nil {
			return err
		}
		if at, ok := e.Args["at"]; ok {
			if e.At, err = parseAt(at); err != nil {
				return p.errorf("entry %q: %v", e.Name, err)
			}
			e.Period = 1440
		}
	case SectionDaemon:
		e.Wait = flag("wait")
		e.MaxForkRate = num("maxforkrate", 10, 0, MaxForkRateLimit)
		e.MaxFds = num("maxfds", 0, 0, MaxFdsLimit)
	}
	return err
}

func (p *cyrusParser) checkListen(e *Entry) error {
	if _, ok := e.Args["listen"]; !ok {
		return p.errorf("service %q has no listen", e.Name)
	}
	if e.Listen == "" {
		return p.errorf("service %q has an empty listen", e.Name)
	}
	if strings.HasPrefix(e.Listen, "/") && len(e.Listen) > maxUnixPath {
		return p.errorf("service %q: UNIX socket path longer than %d bytes", e.Name, maxUnixPath)
	}
	if e.Proto == "" {
		e.Proto = "tcp"
	}
	switch e.Proto {
	case "tcp", "tcp4", "tcp6", "udp", "udp4", "udp6":
		return nil
	}
	return p.errorf("service %q: unknown proto %q (want tcp, tcp4, tcp6, udp, udp4 or udp6)", e.Name, e.Args["proto"])
}

// parseSwitch reads a cyrus.conf switch: y/yes/1/t/true/on or n/no/0/f/false/off.
func parseSwitch(s string) (bool, error) {
	switch strings.ToLower(s) {
	case "y", "yes", "1", "t", "true", "on":
		return true, nil
	case "n", "no", "0", "f", "false", "off":
		return false, nil
	}
	return false, fmt.Errorf("invalid switch %q (want y/n, 1/0, t/f, on/off)", s)
}

// parseAt validates an at= time, HHMM from 0000 to 2359 (leading zeros may
// be dropped, as Cyrus reads it as a number), and returns it as 4 digits.
func parseAt(s string) (string, error) {
	n, err := strconv.Atoi(s)
	if err != nil || len(s) > 4 || strings.HasPrefix(s, "-") || strings.HasPrefix(s, "+") || n/100 > 23 || n%100 > 59 {
		return "", fmt.Errorf("at=%q is not a time HHMM between 0000 and 2359", s)
	}
	return fmt.Sprintf("%04d", n), nil
}

func badNameChar(name string) (byte, bool) {
	for i := 0; i < len(name); i++ {
		if c := name[i]; !isAlnum(name[i : i+1]) {
			return c, true
		}
	}
	return 0, false
}

// Ceilings on cyrus.conf numbers. A gocyrus service process serves many
// connections, so more than MaxPrefork idle processes is never useful;
// MaxFdsLimit is Linux's default fs.nr_open.
const (
	MaxPrefork       = 1024
	MaxChildLimit    = 1 << 20
	MaxForkRateLimit = 10000
	MaxFdsLimit      = 1 << 20
	maxPeriod        = 366 * 24 * 60 // minutes: a year
)
