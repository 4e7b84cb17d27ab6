// Package cyrusindex reads a Cyrus mailbox's own files, read-only, for
// cyr_import: cyrus.header (the 3.6+ dlist form "%(T e N <name> I
// <uniqueid> Q <quotaroot> A %(<id> <rights>…) U (<flag>…))" and the older
// four-line form: magic, "<quotaroot>\t<uniqueid>", user flags, ACL) and
// cyrus.index, and the dlist text that mailboxes.db values, cyrus.header
// and quota files are written in (ParseDList).
//
// # cyrus.index (big-endian)
//
// Supported: minor version 17 (Cyrus 3.2 to 3.6), checked against the
// files of a real Cyrus 3.6.1 (test/compat/cyrus-tree). Header (160
// bytes): @8 version, @12 start offset, @16 record size, @20 records,
// @28 last UID (UIDNEXT-1), @44 UIDVALIDITY, @68 HIGHESTMODSEQ (u64),
// @76 deleted modseq (u64), @84 exists, @124 unseen, @156 CRC-32 of the
// bytes before it. Record (112 bytes): @0 UID, @4 internal date, @8 sent
// date, @12 size, @16 header size, @32 system flags (answered 1<<0,
// flagged 1<<1, deleted 1<<2, draft 1<<3, seen 1<<4, unlinked 1<<30,
// expunged 1<<31), @36 four u32 words of user-flag bits (bit i = the
// header's i-th flag), @52 save date, @60 GUID (20 bytes), @80 modseq
// (u64), @108 CRC-32 of the bytes before it.
//
// Other versions (2.4's 12, 3.0's 13–16, 3.8's 19–20) are refused with an
// error naming the version: not yet read.
//
// # Invariants
//
// Nothing in a file is trusted: lengths and counts are checked against
// the file, each CRC is verified, and every error wraps ErrCorrupt or
// ErrUnsupported and names the file.
package cyrusindex
