package cyradm

import "strings"

// rightsShortcuts are the names Cyrus 3.6's cyradm expands before SETACL
// (docs/CYRUS-BEHAVIOUR.md §3.2); the server itself would read "read" letter by letter.
var rightsShortcuts = map[string]string{
	"none":   "",
	"read":   "lrs",
	"post":   "lrsp",
	"append": "lrsip",
	"write":  "lrswipkxte",
	"delete": "lrxte",
	"all":    "lrswipkxtea",
}

// ExpandRights turns a shortcut name (any case) into its letters; any other
// string is returned unchanged. "none" becomes "", which removes the entry.
func ExpandRights(rights string) string {
	if r, ok := rightsShortcuts[strings.ToLower(rights)]; ok {
		return r
	}
	return rights
}
