package config

import (
	"strings"
	"time"
)

// Type is the kind of value an option holds; it decides how the text in
// imapd.conf is validated and which accessor returns it.
type Type int

const (
	TypeString   Type = iota // free text
	TypePath                 // a file or directory name
	TypeBool                 // 1/0 yes/no on/off true/false t/f
	TypeInt                  // decimal integer, may be negative
	TypeDuration             // "1h30m"; a bare number is in the option's Unit
	TypeEnum                 // one of Values, compared case-insensitively
	TypeList                 // words separated by blanks, or by Sep
	TypeOctal                // octal integer such as a umask
)

var typeNames = [...]string{"string", "path", "bool", "int", "duration", "enum", "list", "octal"}

// String returns the name used in imapd.conf(5).
func (t Type) String() string {
	if t < 0 || int(t) >= len(typeNames) {
		return "invalid"
	}
	return typeNames[t]
}

// OptionDef describes one imapd.conf option. It is the single source of the
// parser's validation, the typed accessors and the manual page.
type OptionDef struct {
	Name string
	Type Type
	// Default is the value used when the option is unset, in imapd.conf
	// syntax. "" means empty / unset. See the package doc for the
	// {configdirectory} and {hostname} expansions.
	Default string
	// DefaultFrom names another option whose value is the default.
	DefaultFrom string
	Text        string
	// Values lists the accepted words of an enum, or of each list element.
	Values []string
	// Unit is the unit of a bare number for a duration (Cyrus's legacy unit).
	Unit time.Duration
	// Min, when not 0, is the smallest duration used; a smaller value
	// counts as Min (Cyrus's floor for timeout and poptimeout).
	Min time.Duration
	// Sep separates list elements; "" means runs of blanks.
	Sep string
	// Required options must be set for LoadImapd (Config.Validate) to succeed.
	Required bool
	// Deprecated lists former names, still accepted with a warning.
	Deprecated []string
	// NoEffect, when set, says why setting the option changes nothing in
	// gocyrus (a Cyrus feature it does not have): setting it is accepted
	// with a warning naming file:line, so no administrator relies on it
	// unawares.
	NoEffect string
}

// PrefixDef describes a family of keys that Cyrus keeps in its "overflow"
// table: any key starting with Prefix is accepted and read with Lookup.
type PrefixDef struct {
	Prefix string
	Text   string
}

// OverflowPrefixes are the key families accepted without a warning although
// no OptionDef names them.
var OverflowPrefixes = []PrefixDef{
	{"partition-", "partition-NAME: the spool directory of partition NAME. At least one partition is needed to create mailboxes; read them with Partitions."},
	{"metapartition-", "metapartition-NAME: where the files listed in metapartition_files of partition NAME are kept instead of the spool."},
	{"archivepartition-", "archivepartition-NAME: the archive directory of partition NAME."},
	{"sasl_", "sasl_X: passed to the SASL layer as its option X, overriding the SASL library's own configuration."},
	{"xlist-", "xlist-FLAG: FOLDER gives the special-use flag \\FLAG (e.g. xlist-sent: Sent) to that folder when autocreate_inbox_folders creates it."},
}

// optionInfo is an OptionDef with its default already parsed.
type optionInfo struct {
	def *OptionDef
	dv  value
}

// optionIndex maps every option name and deprecated name to its entry; it is
// derived from the static table, not configuration.
var optionIndex, renamed = indexOptions(Options)

func indexOptions(defs []OptionDef) (map[string]*optionInfo, map[string]string) {
	idx := make(map[string]*optionInfo, len(defs))
	old := make(map[string]string)
	for i := range defs {
		d := &defs[i]
		info := &optionInfo{def: d}
		// A default that does not parse is caught by TestOptionDefaults;
		// here it just degrades to the zero value.
		info.dv, _ = parseValue(d, d.Default)
		idx[d.Name] = info
		for _, o := range d.Deprecated {
			old[o] = d.Name
		}
	}
	return idx, old
}

// lookupOption returns the definition of a known option name (lower case).
func lookupOption(name string) (*optionInfo, bool) {
	info, ok := optionIndex[name]
	return info, ok
}

// isOverflow reports whether key belongs to one of OverflowPrefixes with a
// non-empty remainder.
func isOverflow(key string) bool {
	for _, p := range OverflowPrefixes {
		if len(key) > len(p.Prefix) && strings.HasPrefix(key, p.Prefix) {
			return true
		}
	}
	return false
}

// splitService splits "<service>_<rest>" where service is alphanumeric (as a
// cyrus.conf entry name must be) and rest is a known option, a deprecated
// name or an overflow key. ok is false for any other key.
func splitService(key string) (service, rest string, ok bool) {
	i := strings.IndexByte(key, '_')
	if i <= 0 || !isAlnum(key[:i]) {
		return "", "", false
	}
	rest = key[i+1:]
	if _, known := optionIndex[rest]; known {
		return key[:i], rest, true
	}
	if _, old := renamed[rest]; old || isOverflow(rest) {
		return key[:i], rest, true
	}
	return "", "", false
}

func isAlnum(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9') {
			return false
		}
	}
	return true
}
