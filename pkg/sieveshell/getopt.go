package sieveshell

import (
	"fmt"
	"strings"
)

// option is one Getopt::Long option: its names (the first one-letter
// name is also its short form) and whether it takes a value.
type option struct {
	names    []string
	hasValue bool
}

// parsed is a command line: the options given (by first name) and the
// operands.
type parsed struct {
	values   map[string]string
	operands []string
}

// unknownOption is Getopt::Long's complaint, printed as it prints it.
type unknownOption struct{ name string }

func (e *unknownOption) Error() string { return "Unknown option: " + e.name }

// getoptLong parses args as Perl's Getopt::Long does by default: "-" and
// "--" both introduce a name, which may be any unique prefix of a long
// name (an exact name wins); "=value" attached or the value as the next
// word (an option whose value is optional, ":s", takes the next word
// only if it does not start with "-"); options and operands in any order;
// "--" ends the options. No bundling: "-ab" is the name "ab".
func getoptLong(args []string, opts []option) (parsed, error) {
	p := parsed{values: map[string]string{}}
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			p.operands = append(p.operands, args[i+1:]...)
			break
		}
		if len(a) < 2 || a[0] != '-' {
			p.operands = append(p.operands, a)
			continue
		}
		name := strings.TrimPrefix(strings.TrimPrefix(a, "-"), "-")
		value, hasEq := "", false
		if j := strings.IndexByte(name, '='); j >= 0 {
			name, value, hasEq = name[:j], name[j+1:], true
		}
		o, err := findOption(opts, name)
		if err != nil {
			return p, err
		}
		if !o.hasValue {
			if hasEq {
				return p, fmt.Errorf("Option %s does not take an argument", name)
			}
			value = "1"
		} else if !hasEq && i+1 < len(args) && (args[i+1] == "" || args[i+1][0] != '-' || args[i+1] == "-") {
			i++
			value = args[i]
		}
		p.values[o.names[0]] = value
	}
	return p, nil
}

func findOption(opts []option, name string) (option, error) {
	var found []option
	for _, o := range opts {
		for _, n := range o.names {
			if n == name {
				return o, nil
			}
		}
	}
	for _, o := range opts {
		for _, n := range o.names {
			if len(name) > 0 && len(n) > 1 && strings.HasPrefix(n, name) {
				found = append(found, o)
				break
			}
		}
	}
	if len(found) == 1 {
		return found[0], nil
	}
	if len(found) > 1 {
		return option{}, fmt.Errorf("Option %s is ambiguous", name)
	}
	return option{}, &unknownOption{name}
}
