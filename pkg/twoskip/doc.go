// Package twoskip reads Cyrus's twoskip database files (cyrusdb_twoskip:
// the default format of mailboxes.db, annotations.db, seen.db and the
// other Cyrus 2.4–3.8 databases), read-only, for cyr_import.
//
// # Format (all integers big-endian)
//
// A 64-byte header: the 20-byte magic "\xa1\x02\x8b\x0dtwoskip file\0\0\0\0",
// u32 version (1), u64 generation, u64 number of records, u64 repack size,
// u64 current size (the committed length: anything past it is an
// unfinished transaction and is ignored), u32 flags, u32 CRC-32 of bytes
// 0–59. Then records, each 8-byte aligned: u8 type ('=' the dummy head at
// offset 64, '+' a record, '-' a delete, '$' a commit), u8 level, u16 key
// length, u32 value length (0xffff / 0xffffffff: a u64 length follows),
// level+1 u64 pointers, u32 CRC-32 of the record up to there, u32 CRC-32
// of key and value padded to 8 bytes, then key and value.
//
// The list is read along level 0, which has two pointers (slots 0 and 1):
// the live one is the larger that lies inside the committed size. A
// delete record stands in the list for the record it removed and its slot
// 0 points past it. Higher levels only speed up searches and are not read.
//
// # Invariants
//
// Reading never trusts the file: every offset is checked against the
// committed size, every length against the file, every CRC is verified,
// and a record reached twice (a loop) is an error. Memory is bounded by
// the file (the file is read whole; key and value slices alias it). Every
// error wraps ErrCorrupt and names the file and offset.
package twoskip
