package config

import (
	"sort"
	"strings"
)

// Setting is one key of a loaded imapd.conf as cyr_info shows it: the key
// (deprecated names under their replacement), its text and where it was
// read ("(set)" and 0 for Set).
type Setting struct {
	Key, Value string
	File       string
	Line       int
}

// Settings returns every configured key in the order it was read (file,
// then line); keys set with Set come last, by name.
func (c *Config) Settings() []Setting {
	if c == nil || c.s == nil {
		return nil
	}
	out := make([]Setting, 0, len(c.s.values))
	for k, s := range c.s.values {
		out = append(out, Setting{Key: k, Value: s.v.raw, File: s.file, Line: s.line})
	}
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if (a.Line == 0) != (b.Line == 0) {
			return b.Line == 0
		}
		if a.File != b.File {
			return a.File < b.File
		}
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		return a.Key < b.Key
	})
	return out
}

// Option returns the definition of a known option name (case-insensitive;
// a deprecated name gives its replacement).
func Option(name string) (*OptionDef, bool) {
	name, _ = canonicalKey(strings.ToLower(name))
	info, ok := lookupOption(name)
	if !ok {
		return nil, false
	}
	return info.def, true
}

// IsOverflowKey reports whether key belongs to one of [OverflowPrefixes]
// (partition-NAME, sasl_*, ...).
func IsOverflowKey(key string) bool { return isOverflow(strings.ToLower(key)) }

// IsDefault reports whether option name's effective value (with the
// service override of a view) equals its default, compared as typed
// values (so "yes" equals a default of "1", and a path equals its
// {configdirectory} default once expanded). An unknown name is never
// at its default.
func (c *Config) IsDefault(name string) bool {
	name = strings.ToLower(name)
	info, ok := lookupOption(name)
	if !ok {
		return false
	}
	s, set := c.setting(name)
	if !set {
		return true
	}
	def := info.dv
	if strings.Contains(def.raw, "{") {
		def, _ = parseValue(info.def, c.expand(def.raw))
	}
	if info.def.DefaultFrom != "" && info.def.DefaultFrom != name {
		from, _, _ := c.get(info.def.DefaultFrom)
		def, _ = parseValue(info.def, from.raw)
	}
	return sameValue(info.def.Type, s.v, def)
}

// sameValue compares two validated values of one option type.
func sameValue(t Type, a, b value) bool {
	switch t {
	case TypeBool:
		return a.b == b.b
	case TypeInt, TypeOctal:
		return a.i == b.i
	case TypeDuration:
		return a.d == b.d
	case TypeList:
		return strings.Join(a.list, "\x00") == strings.Join(b.list, "\x00")
	case TypeEnum:
		return strings.EqualFold(a.raw, b.raw)
	}
	return a.raw == b.raw
}

// Text returns the effective value of option name as cyr_info prints it:
// booleans as yes/no, anything else as written (the default unexpanded
// when unset, as Cyrus prints it).
func (c *Config) Text(name string) string {
	name = strings.ToLower(name)
	info, ok := lookupOption(name)
	s, set := c.setting(name)
	switch {
	case !ok:
		return s.v.raw
	case set && info.def.Type == TypeBool:
		return yesNo(s.v.b)
	case set:
		return s.v.raw
	}
	return DefaultText(info.def)
}

// DefaultText returns d's default as cyr_info prints it.
func DefaultText(d *OptionDef) string {
	if d.Type == TypeBool {
		b, _ := ParseBool(d.Default)
		return yesNo(b)
	}
	return d.Default
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}
