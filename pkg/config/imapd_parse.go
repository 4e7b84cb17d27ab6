package config

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// Limits that keep a hostile or broken file from exhausting memory.
const (
	maxLineBytes    = 1 << 20 // one logical line, continuations included
	maxIncludeDepth = 16
)

// LoadImapd reads the imapd.conf at path, its @include files, and checks
// that the required options (configdirectory) are set.
func LoadImapd(path string) (*Config, error) {
	f, err := openRegular(path)
	if err != nil {
		return nil, &ParseError{File: path, Msg: err.Error()}
	}
	defer f.Close()
	cfg, err := ParseImapd(f, path)
	if err != nil {
		return nil, err
	}
	if err := cfg.Validate(); err != nil {
		return nil, &ParseError{File: path, Msg: err.Error()}
	}
	return cfg, nil
}

// ParseImapd parses imapd.conf text read from r; file names it in errors and
// is the base of relative @include paths. Unlike LoadImapd it does not
// require configdirectory, so tests can complete a configuration with Set
// and call Validate themselves.
func ParseImapd(r io.Reader, file string) (*Config, error) {
	return parseImapd(r, file, openRegular)
}

// parseImapd is ParseImapd with the way @include files are opened supplied
// (tests serve them from memory).
func parseImapd(r io.Reader, file string, open func(string) (io.ReadCloser, error)) (*Config, error) {
	p := &imapdParser{cfg: New(), open: open, first: make(map[string]string), old: make(map[string]setting)}
	if err := p.parse(r, file, 0); err != nil {
		return nil, err
	}
	return p.cfg, nil
}

// openRegular opens path for reading, refusing anything but a regular file
// (an @include of a FIFO or /dev/zero would hang or never end).
func openRegular(path string) (io.ReadCloser, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	if !st.Mode().IsRegular() {
		f.Close()
		return nil, fmt.Errorf("%s: not a regular file", path)
	}
	return f, nil
}

type imapdParser struct {
	cfg   *Config
	open  func(path string) (io.ReadCloser, error)
	first map[string]string  // key → "file:line" where it was first set
	old   map[string]setting // new name → value given under a deprecated name
}

// parse reads one file; depth counts nested @include. At the top level it
// finally applies the deprecated names whose replacement is unset.
func (p *imapdParser) parse(r io.Reader, file string, depth int) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 4096), maxLineBytes)
	lineno := 0
	for {
		text, start, ok, err := nextLogicalLine(sc, &lineno)
		if err != nil {
			return parseErrorf(file, lineno, "%v", err)
		}
		if !ok {
			break
		}
		if err := p.line(text, file, start, depth); err != nil {
			return err
		}
	}
	if depth == 0 {
		for key, s := range p.old {
			if _, set := p.cfg.s.values[key]; !set {
				p.cfg.s.values[key] = s
			}
		}
	}
	return nil
}

// nextLogicalLine joins physical lines ending in '\' and returns the text
// with the number of the line it started on; ok is false at the end.
func nextLogicalLine(sc *bufio.Scanner, lineno *int) (text string, start int, ok bool, err error) {
	var b strings.Builder
	for sc.Scan() {
		*lineno++
		if start == 0 {
			start = *lineno
		}
		l := strings.TrimSuffix(sc.Text(), "\r")
		cont, more := strings.CutSuffix(l, `\`)
		if b.Len()+len(cont) > maxLineBytes {
			return "", start, false, fmt.Errorf("line longer than %d bytes", maxLineBytes)
		}
		b.WriteString(cont)
		if !more {
			return b.String(), start, true, nil
		}
	}
	if err := sc.Err(); err != nil {
		*lineno++
		if errors.Is(err, bufio.ErrTooLong) {
			return "", start, false, fmt.Errorf("line longer than %d bytes", maxLineBytes)
		}
		return "", start, false, fmt.Errorf("read: %w", err)
	}
	return b.String(), start, start != 0, nil
}

func (p *imapdParser) line(text, file string, lineno, depth int) error {
	text = trimBlanks(text)
	if text == "" || text[0] == '#' {
		return nil
	}
	colon := strings.IndexByte(text, ':')
	if colon < 0 {
		return parseErrorf(file, lineno, "missing ':' in %q", abbreviate(text))
	}
	key := strings.ToLower(trimBlanks(text[:colon]))
	val := trimBlanks(text[colon+1:])
	if key == "@include" {
		return p.include(val, file, lineno, depth)
	}
	if !validKey(key) {
		return parseErrorf(file, lineno, "invalid option name %q", abbreviate(key))
	}
	if val == "" {
		return parseErrorf(file, lineno, "empty value for option %q", key)
	}
	where := fmt.Sprintf("%s:%d", file, lineno)
	if err := p.remember(key, where, file, lineno); err != nil {
		return err
	}
	canon, deprecated := canonicalKey(key)
	v, known, err := validate(canon, val)
	if err != nil {
		return &ParseError{File: file, Line: lineno, Msg: err.Error()}
	}
	s := setting{v: v, file: file, line: lineno}
	switch {
	case deprecated:
		// Honoured only when the new name is not set anywhere (parse
		// applies it at the end), as Cyrus does.
		p.cfg.s.warnings = append(p.cfg.s.warnings,
			fmt.Sprintf("%s: option %q is deprecated, use %q", where, key, canon))
		if _, dup := p.old[canon]; !dup {
			p.old[canon] = s
		}
		return nil
	case !known:
		p.cfg.s.warnings = append(p.cfg.s.warnings, fmt.Sprintf("%s: unknown option %q", where, key))
	default:
		if d, ok := lookupOption(canon); ok && d.def.NoEffect != "" {
			p.cfg.s.warnings = append(p.cfg.s.warnings,
				fmt.Sprintf("%s: option %q has no effect in gocyrus: %s", where, key, d.def.NoEffect))
		}
	}
	p.cfg.s.values[canon] = s
	return nil
}

// remember records where key was set and refuses a second setting.
func (p *imapdParser) remember(key, where, file string, lineno int) error {
	if prev, dup := p.first[key]; dup {
		return parseErrorf(file, lineno, "option %q was specified twice (first at %s)", key, prev)
	}
	p.first[key] = where
	return nil
}

func (p *imapdParser) include(path, file string, lineno, depth int) error {
	if path == "" {
		return parseErrorf(file, lineno, "empty value for @include")
	}
	if depth >= maxIncludeDepth {
		return parseErrorf(file, lineno, "@include nested more than %d deep", maxIncludeDepth)
	}
	if !filepath.IsAbs(path) {
		path = filepath.Join(filepath.Dir(file), path)
	}
	f, err := p.open(path)
	if err != nil {
		return parseErrorf(file, lineno, "@include: %v", err)
	}
	defer f.Close()
	return p.parse(f, path, depth+1)
}

// validKey accepts what Cyrus accepts in an option name: letters, digits,
// '-' and '_'.
func validKey(k string) bool {
	if k == "" {
		return false
	}
	for i := 0; i < len(k); i++ {
		c := k[i]
		if !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// abbreviate keeps error messages readable when a line is huge.
func abbreviate(s string) string {
	const max = 60
	if len(s) <= max {
		return s
	}
	return s[:max] + "..."
}
