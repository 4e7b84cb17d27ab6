// Package sievescripts is the on-disk store of users' Sieve scripts: what
// timsieved (ManageSieve) writes and lmtpd reads at delivery.
//
// # Layout (sievedir, as Cyrus 2.x–3.x keep it)
//
//	<sievedir>/<h>/<user>/                       a user's scripts
//	<sievedir>/domain/<hd>/<domain>/<h>/<user>/  a user "user@domain" (virtdomains)
//	<sievedir>/global/                           global scripts (include :global, shared mailboxes)
//	<sievedir>/domain/<hd>/<domain>/global/      a domain's global scripts
//
// <h> is mboxname.HashChar of the user's local part and <hd> of the domain
// (both following fulldirhash). Inside a directory:
//
//	<name>.script   the script source, byte for byte as uploaded
//	defaultbc       a symbolic link whose target is "<name>.bc": the active script
//	.lock           the lock file serialising writers (see below)
//
// Cyrus keeps compiled bytecode in <name>.bc and points defaultbc at it.
// gocyrus compiles from source (lmtpd caches the compiled form in memory), so
// it writes no .bc files: the defaultbc link keeps Cyrus's exact target
// "<name>.bc" and is read only for the name it carries. Existing Cyrus
// directories therefore work unchanged; stale .bc files are removed when their
// script is replaced, renamed or deleted. A defaultbc target ending in
// ".script" is accepted as well.
//
// With sieveusehomedir, lmtpd reads the single script ~user/.sieve instead
// and nothing is managed here ([Store.UserDir] refuses).
//
// # Script names
//
// [ValidateName]: 1 to [MaxNameLen] bytes of UTF-8, without '/', NUL, the
// control characters U+0000–U+001F and U+007F–U+009F, or U+2028/U+2029
// (RFC 5804 §1.6). MaxNameLen keeps "<name>.script" within the 255-byte file
// name limit of common file systems (Cyrus checks only ~1 KB and then fails
// at the file system).
//
// # Concurrency
//
// Every change (Put, SetActive, Delete, Rename) holds an exclusive flock on
// the directory's .lock file, so limits and the "active script cannot be
// deleted" rule hold across processes. Readers take no lock: a script is
// replaced by writing a temporary file, fsyncing it and renaming it over the
// old one; the active mark is replaced by renaming a new symlink over
// defaultbc; a rename of the active script links the new name, repoints
// defaultbc, then unlinks the old name. A reader therefore always sees a
// complete old or new script, never a torn one.
package sievescripts
