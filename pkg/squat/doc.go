// Package squat reads and writes a mailbox's full-text index, the file
// cyrus.gosquat beside cyrus.index, which squatter(8) writes and imapd
// consults for SEARCH BODY and TEXT (pkg/imapserver/search, grams.go,
// decides what a gram is; this package only stores them).
//
// # Format (version 2, big-endian)
//
//	magic "gcyrusSQ"; u32 version; u32 uidvalidity; u32 uidnext (the
//	mailbox's when indexed); u32 nuids; u32 ngrams; u64 postings length
//	nuids × u32: the indexed UIDs, ascending
//	ngrams × (u32 gram, u32 offset, u32 count): ascending by gram; offset
//	  into the postings, count UIDs there
//	postings: per gram a tag byte, then its messages as positions in
//	  the UID table: tag 0, count uvarint deltas, ascending (the first
//	  from -1); tag 1, a bitmap of ceil(nuids/8) bytes, bit i (LSB
//	  first) for position i. The writer picks the smaller, so a gram in
//	  more than about one message in eight costs a bit per message.
//	  (Version 1 had UID deltas only; squatter rebuilds such a file.)
//	u32 CRC-32C of everything before it
//
// # Invariants
//
// A file is whole or absent: Write puts it under a temporary name
// (mailbox.CreateTemp, so reconstruct removes one a crash left behind),
// fsyncs it, renames it over the old one and fsyncs the directory.
// Parse checks the magic, version, every length and offset and the
// checksum before anything is used, so a damaged file is refused whole
// (the caller logs it and searches without it); it never panics and its
// memory is the file's.
//
// # Sharing (imapd)
//
// Shared reads the file in place: one read-only mapping per version of
// a file per process (Version: device, inode, size, mtime), checked by
// Parse once when mapped and shared by every Ref to it, so the heap
// cost of a searching session does not grow with the index. A version
// replaced (squatter's rename) is mapped anew on the next Open; the old
// mapping stays valid for its holders and is unmapped by the last Ref's
// Close. A damaged version is remembered with its Ref (Err) so it is not
// checked again while held. The mapping's size is the file's at Open and
// Parse checks every offset against it, so only a file truncated in
// place afterwards (never by squatter) can fault; every access runs
// under debug.SetPanicOnFault and a fault marks the mapping unusable
// (Covers false, WithAll nil) instead of killing the process. mmap
// rather than pread: Covers runs once per candidate message, a binary
// search over the UID table that pread would make a syscall per probe. An index whose uidvalidity is not the mailbox's
// is stale and not used. UIDs of messages expunged since indexing stay
// listed; they are never candidates, so they drop out by themselves.
package squat
