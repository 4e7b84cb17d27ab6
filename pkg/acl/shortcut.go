package acl

import "strings"

// shortcuts are cyradm 3.6's names for common rights sets; the server never
// sees them ("SETACL mbox id read" means r, e, a, d).
var shortcuts = map[string]string{
	"none":   "",
	"read":   "lrs",
	"post":   "lrsp",
	"append": "lrsip",
	"write":  "lrswipkxte",
	"delete": "lrxte",
	"all":    "lrswipkxtea",
}

// Shortcut expands a cyradm rights name (case-insensitive). "none" expands
// to "", which removes the entry.
func Shortcut(name string) (string, bool) {
	r, ok := shortcuts[strings.ToLower(name)]
	return r, ok
}
