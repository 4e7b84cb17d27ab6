// Package cyrusindex reads a Cyrus mailbox's own files, read-only, for
// cyr_import, and the values of Cyrus's databases (values.go: a
// mailboxes.db entry, a quota record, a seen record, the list key's name
// form) for cyr_import and cyr_dbtool set, the one reader of each: cyrus.header (the 3.6+ dlist form "%(T e N <name> I
// <uniqueid> Q <quotaroot> A %(<id> <rights>…) U (<flag>…))" and the older
// four-line form: magic, "<quotaroot>\t<uniqueid>", user flags, ACL) and
// cyrus.index, and the dlist text that mailboxes.db values, cyrus.header
// and quota files are written in (ParseDList).
//
// # cyrus.index (big-endian)
//
// Read: minor versions 12 (Cyrus 2.4) to 17 (Cyrus 3.2 to 3.6), checked
// against indexes the real Cyrus 3.6.1 wrote (test/compat/cyrus-tree for
// 17; `reconstruct -V` rewrote them as 12 to 16: testdata/, made by
// scripts/cyrus-import/older.sh), and 18 to 20 (Cyrus 3.8), from
// cyrus-imapd's version templates (imap/index_file.c) and 3.8's
// mailbox.h, no Cyrus 3.8 being at hand: tests read indexes that
// internal/cyrusfixture writes from the documented field order. The
// offsets of each version are the layouts table of index.go. Up to 17:
// header (128 bytes in 12–13, 160 from 14) @8 version, @12 start offset
// (the header size), @16 record size, @20 records, @28 last UID
// (UIDNEXT-1), @44 UIDVALIDITY, @68 HIGHESTMODSEQ (u64), @76 deleted
// modseq (u64), @84 exists; record (96 bytes in 12, 104 in 13–15, 112
// from 16) @0 UID, @4 internal date, @8 sent date, @12 size, @16 header
// size, @32 system flags (answered 1<<0, flagged 1<<1, deleted 1<<2,
// draft 1<<3, seen 1<<4, unlinked 1<<30, expunged 1<<31), @36 four u32
// words of user-flag bits (bit i = the header's i-th flag), @52 save
// date (from 15; before it the line count, so SaveDate stays zero:
// unknown), @60 GUID (20 bytes), @80 modseq (u64). 18 adds header fields
// in 17's spares; 19 moves exists to @60 and the modseqs to @72 and @80;
// 20 has a 192-byte header (last UID @88, UIDVALIDITY @92) and a
// 144-byte record whose times are u64 nanoseconds and size a u64
// (internal date @8, size @24, flags @36, user flags @40, GUID @60,
// modseq @80, save date @120). The last word of a header or record is
// the CRC-32 of the bytes before it.
//
// Versions before 12 are refused with an error naming the version.
//
// # Invariants
//
// Nothing in a file or a value is trusted: a value reader refuses (ErrValue)
// a value over 1 MiB, a NUL byte, a number that is not one and text after
// the value, rather than reading half of it.
//
// Nothing in a file is trusted: lengths and counts are checked against
// the file, each CRC is verified, and every error wraps ErrCorrupt or
// ErrUnsupported and names the file.
package cyrusindex
