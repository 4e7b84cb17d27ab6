package acl

import "strings"

// shortcuts are cyradm 3.6's names for common rights sets
// (docs/CYRUS-BEHAVIOUR.md §3.2). Only the client expands them: the server
// never sees them ("SETACL mbox id read" means r, e, a, d). They are written
// with the RFC 4314 letters; the legacy c and d are the server's business
// (ParseRights maps them under deleteright).
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

// ExpandShortcut is what cyradm sends for a rights argument: the letters of
// a shortcut name, or the argument unchanged ("lrs", "+w", "-a").
func ExpandShortcut(spec string) string {
	if r, ok := Shortcut(spec); ok {
		return r
	}
	return spec
}
