package config

import (
	"fmt"
	"os"
	"strings"
	"sync"
	"time"
)

// Config is a parsed imapd.conf, or a view of one for a service (ForService).
// Create one with LoadImapd, ParseImapd or New.
type Config struct {
	s       *store
	service string // "" for the generic view
}

// store is what a Config and all its service views share.
type store struct {
	values   map[string]setting // lower-case key → validated value
	warnings []string
	hostname func() string
}

// setting is one key as configured, with where it was read.
type setting struct {
	v    value
	file string
	line int
}

// New returns a configuration holding only defaults, for embedded configs
// and tests: fill it with Set. configdirectory must be set before
// Validate succeeds.
func New() *Config {
	return &Config{s: newStore()}
}

func newStore() *store {
	return &store{
		values:   make(map[string]setting),
		hostname: sync.OnceValue(hostname),
	}
}

func hostname() string {
	h, err := os.Hostname()
	if err != nil || h == "" {
		return "localhost"
	}
	return h
}

// ForService returns a view in which "<service>_<option>", when set, takes
// precedence over "<option>". The view shares storage with c.
func (c *Config) ForService(service string) *Config {
	return &Config{s: c.s, service: strings.ToLower(service)}
}

// Service returns the service name of a ForService view, "" otherwise.
func (c *Config) Service() string { return c.service }

// Warnings returns the warnings of loading: unknown options and deprecated
// names, each prefixed with file:line.
func (c *Config) Warnings() []string {
	if c == nil || c.s == nil {
		return nil
	}
	return append([]string(nil), c.s.warnings...)
}

// Set stores value for key as if read from the configuration file. key may
// be an option, a deprecated name (stored under the new name), an overflow
// key or a "<service>_<option>" override; anything else is an error, as is
// a value the option's type refuses. Set on a service view sets the
// generic key. Set is not safe concurrently with readers.
func (c *Config) Set(key, val string) error {
	key = strings.ToLower(trimBlanks(key))
	key, _ = canonicalKey(key)
	val = trimBlanks(val)
	switch {
	case !validKey(key):
		return fmt.Errorf("invalid option name %q", key)
	case val == "":
		return fmt.Errorf("empty value for option %q", key)
	case strings.ContainsAny(val, "\r\n\x00") || strings.HasSuffix(val, `\`):
		// Such a value could not be written back as imapd.conf.
		return fmt.Errorf("option %q: value contains a line break, a NUL or a trailing backslash", key)
	}
	v, known, err := validate(key, val)
	if err != nil {
		return err
	}
	if !known {
		return fmt.Errorf("unknown option %q", key)
	}
	if c.s == nil { // a zero Config
		c.s = newStore()
	}
	c.s.values[key] = setting{v: v, file: "(set)"}
	return nil
}

// canonicalKey maps a deprecated name (possibly service-prefixed) to its
// replacement and reports whether it did.
func canonicalKey(key string) (string, bool) {
	if n, ok := renamed[key]; ok {
		return n, true
	}
	if svc, rest, ok := splitService(key); ok {
		if n, old := renamed[rest]; old {
			return svc + "_" + n, true
		}
	}
	return key, false
}

// validate checks val for key. known is false for a key that is neither an
// option, an override nor an overflow key; such a value is stored as text.
func validate(key, val string) (v value, known bool, err error) {
	opt := key
	if _, ok := lookupOption(key); !ok {
		if _, rest, ok := splitService(key); ok {
			opt = rest
		}
	}
	if info, ok := lookupOption(opt); ok {
		v, err = parseValue(info.def, val)
		if err != nil {
			return v, true, fmt.Errorf("option %q: %w", key, err)
		}
		return v, true, nil
	}
	return value{raw: val}, isOverflow(opt), nil
}

// setting returns the configured value of key, the service override first.
func (c *Config) setting(key string) (setting, bool) {
	if c == nil || c.s == nil {
		return setting{}, false
	}
	if c.service != "" {
		if s, ok := c.s.values[c.service+"_"+key]; ok {
			return s, true
		}
	}
	s, ok := c.s.values[key]
	return s, ok
}

// Lookup returns the text configured for key (an option or an overflow key
// such as sasl_auxprop_plugin), honouring service overrides. ok is false
// when the file does not set it; defaults are not applied.
func (c *Config) Lookup(key string) (string, bool) {
	s, ok := c.setting(strings.ToLower(key))
	return s.v.raw, ok
}

// IsSet reports whether key is configured (not merely defaulted).
func (c *Config) IsSet(key string) bool {
	_, ok := c.setting(strings.ToLower(key))
	return ok
}

// get returns the effective value of option name: configured, else the
// DefaultFrom option, else the default. ok is false for unknown names.
func (c *Config) get(name string) (value, *OptionDef, bool) {
	info, ok := lookupOption(name)
	if !ok {
		s, set := c.setting(name)
		return s.v, nil, set
	}
	if s, set := c.setting(name); set {
		return s.v, info.def, true
	}
	if info.def.DefaultFrom != "" && info.def.DefaultFrom != name {
		if v, _, ok := c.get(info.def.DefaultFrom); ok {
			return v, info.def, true
		}
	}
	v := info.dv
	if strings.Contains(v.raw, "{") {
		v.raw = c.expand(v.raw)
	}
	return v, info.def, true
}

// expand substitutes the placeholders a default may contain.
func (c *Config) expand(s string) string {
	if strings.Contains(s, "{configdirectory}") {
		s = strings.ReplaceAll(s, "{configdirectory}", c.String("configdirectory"))
	}
	if strings.Contains(s, "{hostname}") {
		h := "localhost"
		if c.s != nil {
			h = c.s.hostname()
		}
		s = strings.ReplaceAll(s, "{hostname}", h)
	}
	return s
}

// String returns the value of a string, path or enum option (the text as
// configured for other types, and for overflow keys), or its default.
func (c *Config) String(name string) string {
	v, _, _ := c.get(strings.ToLower(name))
	return v.raw
}

// Bool returns the value of a boolean option or its default; false for an
// unknown name whose text is not a boolean.
func (c *Config) Bool(name string) bool {
	v, def, ok := c.get(strings.ToLower(name))
	if !ok {
		return false
	}
	if def == nil {
		b, _ := ParseBool(v.raw)
		return b
	}
	return v.b
}

// Int returns the value of an int or octal option or its default.
func (c *Config) Int(name string) int {
	v, _, _ := c.get(strings.ToLower(name))
	return v.i
}

// Duration returns the value of a duration option or its default.
func (c *Config) Duration(name string) time.Duration {
	v, _, _ := c.get(strings.ToLower(name))
	return v.d
}

// List returns the elements of a list option or its default. The slice is
// a copy the caller may change.
func (c *Config) List(name string) []string {
	v, def, ok := c.get(strings.ToLower(name))
	if ok && def == nil {
		return splitList(v.raw, "")
	}
	return append([]string(nil), v.list...)
}

// Partitions returns partition name → spool directory from the
// partition-NAME keys.
func (c *Config) Partitions() map[string]string { return c.Prefixed("partition-") }

// Prefixed returns suffix → value for every key starting with prefix, e.g.
// Prefixed("metapartition-"); the service's overrides win.
func (c *Config) Prefixed(prefix string) map[string]string {
	out := make(map[string]string)
	if c == nil || c.s == nil {
		return out
	}
	prefix = strings.ToLower(prefix)
	for k, s := range c.s.values {
		if rest, ok := strings.CutPrefix(k, prefix); ok && rest != "" {
			if _, set := out[rest]; !set {
				out[rest] = s.v.raw
			}
		}
	}
	if c.service != "" {
		for k, s := range c.s.values {
			if rest, ok := strings.CutPrefix(k, c.service+"_"+prefix); ok && rest != "" {
				out[rest] = s.v.raw
			}
		}
	}
	return out
}

// Validate reports the first required option that is missing.
func (c *Config) Validate() error {
	for i := range Options {
		if d := &Options[i]; d.Required && !c.IsSet(d.Name) {
			return fmt.Errorf("option %q is required", d.Name)
		}
	}
	return nil
}

// LiteralLimit is the effective limit of an IMAP literal in bytes:
// maxliteral, else maxmessagesize, else 100 MiB.
func (c *Config) LiteralLimit() int64 {
	if n := c.Int("maxliteral"); n > 0 {
		return int64(n)
	}
	if n := c.Int("maxmessagesize"); n > 0 {
		return int64(n)
	}
	return 100 << 20
}
