package sievescripts

import (
	"fmt"
	"unicode/utf8"
)

// File name parts of a script directory.
const (
	scriptSuffix   = ".script"
	bytecodeSuffix = ".bc"
	activeLink     = "defaultbc"
	lockFile       = ".lock"
)

// MaxNameLen is the longest script name in bytes: "<name>.script" must fit
// the 255-byte file name limit.
const MaxNameLen = 255 - len(scriptSuffix)

// ValidateName checks a script name; errors wrap ErrInvalidName.
func ValidateName(name string) error {
	bad := func(why string) error { return fmt.Errorf("%w %q: %s", ErrInvalidName, name, why) }
	switch {
	case name == "":
		return bad("empty")
	case len(name) > MaxNameLen:
		return bad(fmt.Sprintf("longer than %d bytes", MaxNameLen))
	case !utf8.ValidString(name):
		return bad("not UTF-8")
	}
	for _, r := range name {
		switch {
		case r == '/':
			return bad("contains '/'")
		case r < 0x20 || (r >= 0x7f && r <= 0x9f) || r == 0x2028 || r == 0x2029:
			return bad(fmt.Sprintf("contains the control character %U", r))
		}
	}
	return nil
}
