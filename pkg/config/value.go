package config

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// value is a validated option value; which field is meaningful follows the
// option's Type. raw keeps the text as written (enums canonicalised).
type value struct {
	raw  string
	b    bool
	i    int
	d    time.Duration
	list []string
}

// parseValue validates s against d. The empty string is the unset value
// (used for empty defaults) and yields the zero value of every type.
func parseValue(d *OptionDef, s string) (value, error) {
	v := value{raw: s}
	if s == "" {
		return v, nil
	}
	var err error
	switch d.Type {
	case TypeString, TypePath:
	case TypeBool:
		v.b, err = ParseBool(s)
	case TypeInt:
		v.i, err = parseInt(s, 10)
	case TypeOctal:
		v.i, err = parseInt(s, 8)
		if err == nil && (v.i < 0 || v.i > 0o7777) {
			err = fmt.Errorf("octal value %q out of range 0-7777", s)
		}
	case TypeDuration:
		v.d, err = ParseDuration(s, d.Unit)
		if d.Min != 0 && v.d < d.Min {
			v.d = d.Min
		}
	case TypeEnum:
		v.raw, err = matchWord(d.Values, s)
	case TypeList:
		v.list = splitList(s, d.Sep)
		if len(d.Values) > 0 {
			for i, w := range v.list {
				if v.list[i], err = matchWord(d.Values, w); err != nil {
					break
				}
			}
		}
	default:
		err = fmt.Errorf("option has invalid type %d", d.Type)
	}
	return v, err
}

// ParseBool reads a Cyrus boolean: 1 yes on t true, or 0 no off f false
// (case-insensitive).
func ParseBool(s string) (bool, error) {
	switch strings.ToLower(s) {
	case "1", "yes", "on", "t", "true":
		return true, nil
	case "0", "no", "off", "f", "false":
		return false, nil
	}
	return false, fmt.Errorf("invalid boolean %q (want 1/0, yes/no, on/off, true/false, t/f)", s)
}

func parseInt(s string, base int) (int, error) {
	n, err := strconv.ParseInt(s, base, 64)
	if err != nil {
		kind := "integer"
		if base == 8 {
			kind = "octal number"
		}
		return 0, fmt.Errorf("invalid %s %q", kind, s)
	}
	return int(n), nil
}

var errDuration = errors.New("invalid duration")

// ParseDuration reads a Cyrus duration: an optional '-', then numbers each
// followed by d, h, m or s ("1h30m", "3d"). A trailing number without a
// unit counts in unit, the option's legacy unit (seconds when unit is 0).
func ParseDuration(s string, unit time.Duration) (time.Duration, error) {
	if unit == 0 {
		unit = time.Second
	}
	rest, neg := strings.CutPrefix(s, "-")
	if rest == "" {
		return 0, fmt.Errorf("%w %q", errDuration, s)
	}
	var total, n int64
	digits := false
	add := func(mult time.Duration) bool {
		if n > math.MaxInt64/int64(mult) {
			return false
		}
		part := n * int64(mult)
		if total > math.MaxInt64-part {
			return false
		}
		total += part
		n, digits = 0, false
		return true
	}
	for i := 0; i < len(rest); i++ {
		c := rest[i]
		if '0' <= c && c <= '9' {
			if n > (math.MaxInt64-9)/10 {
				return 0, fmt.Errorf("%w %q: too large", errDuration, s)
			}
			n = n*10 + int64(c-'0')
			digits = true
			continue
		}
		var mult time.Duration
		switch c {
		case 'd', 'D':
			mult = 24 * time.Hour
		case 'h', 'H':
			mult = time.Hour
		case 'm', 'M':
			mult = time.Minute
		case 's', 'S':
			mult = time.Second
		default:
			return 0, fmt.Errorf("%w %q: unexpected %q (units are d, h, m, s)", errDuration, s, c)
		}
		if !digits {
			return 0, fmt.Errorf("%w %q: unit %q without a number", errDuration, s, c)
		}
		if !add(mult) {
			return 0, fmt.Errorf("%w %q: too large", errDuration, s)
		}
	}
	if digits && !add(unit) {
		return 0, fmt.Errorf("%w %q: too large", errDuration, s)
	}
	if neg {
		return -time.Duration(total), nil
	}
	return time.Duration(total), nil
}

// matchWord returns the canonical spelling of w among words.
func matchWord(words []string, w string) (string, error) {
	for _, x := range words {
		if strings.EqualFold(x, w) {
			return x, nil
		}
	}
	return "", fmt.Errorf("invalid value %q (want one of: %s)", w, strings.Join(words, ", "))
}

// splitList splits a list value on sep (trimming each element and dropping
// empty ones) or, when sep is "", on runs of ASCII blanks.
func splitList(s, sep string) []string {
	if sep == "" {
		return strings.FieldsFunc(s, isBlank)
	}
	var out []string
	for _, f := range strings.Split(s, sep) {
		if f = trimBlanks(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}

func isBlank(r rune) bool {
	switch r {
	case ' ', '\t', '\r', '\n', '\v', '\f':
		return true
	}
	return false
}

// trimBlanks trims ASCII white space only, as Cyrus's isspace does.
func trimBlanks(s string) string {
	return strings.TrimFunc(s, isBlank)
}
