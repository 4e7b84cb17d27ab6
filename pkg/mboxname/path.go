package mboxname

import (
	"path/filepath"
	"strings"
)

// HashChar returns the spool hash directory letter for name (a user id, a
// shared top-level name or a domain), hashing the bytes up to the first '.'.
//
// Default: the lower-cased first character, 'q' unless it is a-z.
// fulldirhash: n = ((n<<3) ^ (n>>5)) ^ c over the bytes as a 32-bit unsigned
// value, giving 'A' + n%23.
func HashChar(name string, fulldirhash bool) byte {
	if i := strings.IndexByte(name, '.'); i >= 0 {
		name = name[:i]
	}
	if fulldirhash {
		var n uint32
		for i := 0; i < len(name); i++ {
			n = ((n << 3) ^ (n >> 5)) ^ uint32(name[i])
		}
		return 'A' + byte(n%23)
	}
	if name == "" {
		return 'q'
	}
	c := name[0]
	if c >= 'A' && c <= 'Z' {
		c += 'a' - 'A'
	}
	if c < 'a' || c > 'z' {
		return 'q'
	}
	return c
}

// UUIDPath returns the Cyrus 3 data directory <root>/uuid/<u0>/<u1>/<uniqueid>.
// Callers should check the id with ValidateUniqueID; an invalid one is made
// path-safe rather than trusted, so the result is always below root.
func UUIDPath(partitionRoot, uniqueid string) string {
	id := safeComponent(uniqueid)
	u1 := "_"
	if len(id) > 1 {
		u1 = id[1:2]
	}
	return filepath.Join(partitionRoot, "uuid", id[:1], u1, id)
}

// LegacyPath returns the Cyrus 2.x by-name data directory of an internal name,
// where Cyrus 3.6's mboxname_hash puts it:
//
//	<root>[/domain[/<hd>]/<domain>][/<h>]/<level1>/<level2>/...
//
// The hash directories appear only with hashimapspool. <hd> hashes the
// domain; <h> hashes the name's second level when it has one, else its only
// level: the user of "user.alice.Work", "team" of "shared.team", "user" of
// "DELETED.user.alice.Old.6B16DA54", "board" of "board". A '^' in a level
// stands for a '.' in Cyrus's own form of the name, where the full-name hash
// stops ("user.john^doe" hashes "john"). Components of an invalid name are made
// path-safe, so the result is always below root.
func LegacyPath(partitionRoot, internal string, hashimapspool, fulldirhash bool) string {
	domain, local := SplitDomain(internal)
	parts := []string{partitionRoot}
	if domain != "" {
		parts = append(parts, "domain")
		if hashimapspool {
			parts = append(parts, string(HashChar(domain, fulldirhash)))
		}
		parts = append(parts, safeComponent(domain))
	}
	comps := strings.Split(local, ".")
	if hashimapspool {
		key := comps[0]
		if len(comps) > 1 {
			key = comps[1]
		}
		key, _, _ = strings.Cut(key, "^")
		parts = append(parts, string(HashChar(key, fulldirhash)))
	}
	for _, c := range comps {
		parts = append(parts, safeComponent(c))
	}
	return filepath.Join(parts...)
}

// safeComponent returns c unchanged when it is a usable single path element,
// else a copy with separators and NULs replaced and "", ".", ".." avoided.
func safeComponent(c string) string {
	if c == "" || c == "." || c == ".." {
		return "_" + c
	}
	if strings.ContainsAny(c, "/\x00") {
		return strings.NewReplacer("/", "_", "\x00", "_").Replace(c)
	}
	return c
}
