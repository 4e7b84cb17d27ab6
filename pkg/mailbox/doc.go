// Package mailbox is the mailbox store: one directory per mailbox holding
// the message files and three metadata files. It knows nothing of the
// mailbox list or quota roots: callers find the directory from the list and
// pass hooks (Options.Quota bound to the quota root, Options.Notify to
// publish changes).
//
// # Files
//
//   - "<uid>." — one raw RFC 5322 message, CRLF line ends (bare LF is
//     converted on append), no NUL (a message given in binary has its
//     binary parts re-encoded base64 first: EncodeBinary). Append writes it to an unnamed O_TMPFILE inode
//     (from a small per-directory pool made ahead, unnamed.go: allocating
//     an inode is the dearest step of an append), and at commit fsyncs it
//     and links it under its name; where the filesystem has no unnamed files,
//     and for batches over 64 messages, to "tmp.<random>", renamed at
//     commit. Prepared spool files and other mailboxes' files are
//     hard-linked; a Prepared from SpoolUnnamed (lmtpd's stage) is an
//     unnamed file too, fsync'd by the first commit linking it into a mailbox,
//     through /proc/self/fd (copied if it lost its last name and with it
//     the right to a new one, or lives on another filesystem).
//   - cyrus.header — text: "gocyrus mailbox header 1", then lines
//     "name <internal name>", "uniqueid <id>", "uidvalidity <n>",
//     "keywords <kw> <kw>…" (bit i of a record's KeywordSet is the i-th
//     name, at most MaxKeywords), and "crc <hex CRC-32C of the lines above>".
//     Replaced atomically (temp file + rename). Its presence makes a
//     directory a mailbox (reconstruct -f finds mailboxes by it).
//   - cyrus.index, version 1, little-endian. A 128-byte header: magic
//     "gcyrusIX"; u32 version, header size, record size; u32 uidvalidity,
//     uidnext, number of records, exists; u64 highestmodseq (@40), quota
//     used in bytes (@48), last-changed unix ns (@56), committed cache
//     length (@64), generation (@72, bumped by every commit), deleted
//     modseq (@80, the highest modseq of tombstones compaction dropped);
//     u32 unlink pending (@88, bit 0: a commit marked tombstones unlinked
//     whose files may not all be removed yet); zero padding;
//     u32 CRC-32C of bytes 0–123 (@124). Then fixed 104-byte records in
//     ascending UID order: u32 uid, u32 flags (bit 31 = expunged
//     tombstone, bit 30 = its file is unlinked), u64 modseq, i64
//     internaldate, sent date (a tombstone's expunge time), save date (unix
//     seconds; when the message entered this mailbox: APPEND, COPY, MOVE,
//     delivery set it, a copy never inherits it; 0 = unknown, which FETCH
//     SAVEDATE answers NIL), u32 size, u32 header size, u64 cache offset, u32 cache
//     length, i16 internaldate UTC offset in minutes, u16 zero, 2×u64
//     keyword bits, 20-byte GUID (SHA-1 of the file), u32 CRC-32C of bytes
//     0–99.
//   - cyrus.indexlog, version 1 (indexlog.go): flag changes committed
//     since cyrus.index was last written. A 148-byte header: magic
//     "gcyrusIL", u32 version, u32 zero, a copy of the 128 header bytes
//     of the index state the log applies to (its base), u32 CRC-32C.
//     Then one entry per Store: u32 payload length, payload, u32 CRC-32C
//     of length and payload; the payload is the highest modseq,
//     generation and last-changed time the Store left (u64 each), u32
//     count of changed records, then each changed record in UID order as
//     a tag byte (system flags in bits 0-4; bit 5: a UID delta follows,
//     else it is the previous UID + 1; bit 6: a modseq delta follows,
//     else previous + 1; bit 7: two keyword words follow) and those
//     uvarints; the first record's deltas count from UID 0 and from the
//     highest modseq before the entry. A change is a state (the record's
//     new flags, keywords and modseq), so applying one twice is harmless.
//     The log is at most 4 MiB.
//   - cyrus.cache, version 3: a 16-byte header (magic "gcyrusCA", u32
//     version, u32 zero), then one record per appended message: u32 uid,
//     u32 payload length, payload, u32 CRC-32C of everything before it. The
//     payload is the mark 0x80 0x00 0x03 (cache.go payloadMark), the
//     envelope (an address is name, source route, local part, host), the
//     body structure (recursive) and the raw header block (whole when at
//     most MaxCachedHeader bytes, else only the envelope's fields), strings
//     as uvarint length + bytes. A body structure has at most maxMIMEParts
//     entries and maxMIMEDepth levels (parse.go): past the count, a
//     multipart's last part is the rest of its body as text. A part's type
//     when it declares none is msgheader.ContentType's (message/rfc822 in
//     a multipart/digest); its lines are its line breaks; its parameters
//     are in header order. Version 1 typed such digest parts text/plain;
//     version 2 had no payload mark, no source route, counted a last line
//     without LF and sorted parameters. Reconstruct discards a cache of
//     another version and parses every message file again. Readers do not
//     check the file's version; a record without the mark (written before
//     version 3) is rebuilt from its message file on every read, so a
//     mailbox answers as a new one does before reconstruct runs, and a
//     version 2 file may hold version 3 records appended since.
//   - "tmp.<pid>-<start>.<random>" — a named temp file (a batch's spool,
//     a header or index rewrite, a copy across filesystems), named for
//     the process that made it (pid and start time, tempfile.go). Only
//     its owner renames or removes it; once the owner is gone, the next
//     writer of the directory in each process (on first taking the
//     exclusive lock) and Reconstruct remove it, whatever its age.
//   - cyrus.lock — empty; the flock target. It is never replaced, unlike the
//     others, so a lock always means the same thing.
//
// # Invariants
//
// Readers take a shared flock, writers an exclusive one; flock is per open
// file description, so it excludes handles in one process as it does
// processes. A process has one read handle and one write handle per
// directory, shared by all its Mailbox values of it (reader.go): N sessions
// on one mailbox hold six descriptors between them, not 3N. The readers of
// a process take turns on their handle — each holds its mutex from taking
// the shared lock to releasing it — since two locks through one description
// would be one lock, released by the first reader to unlock. A handle
// opened on a cyrus.lock no longer in the directory (the mailbox was
// deleted and made again) is not given to new opens. After taking either
// lock a handle reopens any file replaced
// since (Reconstruct replaces cyrus.index and cyrus.cache by rename).
// Readers trust only the header's committed record count and cache length,
// and every record's checksum: a reader never sees a half-written record.
// Any damage is an error wrapping ErrCorrupt naming the mailbox, file and
// damage; nothing is served from a damaged index.
//
// Decoded indexes are shared by the handles of one process, keyed by the
// index file's identity and header (a commit bumps the generation): a
// committing writer publishes the image it just wrote, deriving it from
// the previous one — an append adds records into the old image's spare
// capacity (readers never look past their length; views cap it), a flag
// change copies the records (only once a record actually changes: a Store
// changing nothing copies and publishes nothing) — so no reader re-reads and re-checksums a large index
// after another session's change. The views of one image share its live
// records too (copied out once when the image holds tombstones), so a
// session selecting a mailbox another has open costs no copy of it.
//
// Lock order: the per-process writer mutex, then the exclusive flock; the
// per-process reader mutex, then the shared flock (never both: a writer does
// not read through the read handle). The in-process state shared by all
// Mailbox values of one directory (reader and writer descriptors,
// group-commit queue) lives in a registry keyed by directory.
//
// # Commit and durability
//
// Append spools every message to a temp file, then joins the directory's
// group commit: the first waiting appender commits the whole queue —
// takes the exclusive lock, fsyncs the batch's files while it charges
// quota for the batch (one QuotaHook.Charge; if refused, one per request,
// so each gets its own answer): the two waits overlap, and both end before
// anything names the messages. It then allocates UIDs, renames or links
// the files into place, writes cache records, index records and the index
// header, then fsyncs the directory and fdatasyncs the index in parallel.
// So an append costs two durable rounds: the files with the charge, then
// the directory with the index. (Spool and a batch of more than 64
// messages fsync each file as it is spooled; a SpoolUnnamed file, such as
// lmtpd's stage shared by every recipient, is fsync'd by each commit that
// links it, at no wait after the first.) Only then does any of the batch's
// Append calls return; each then calls Notify. Every change of
// usage (Expunge too, before its index write) is charged this way, under
// the exclusive lock, as what the index holds plus the change: a crash
// between charge and index is corrected by the next charge or by SyncQuota.
// The charge also sets the mailbox's pending mark, which QuotaHook.Sync
// clears; Expunge calls it once its commit is durable, Append once per
// run of appends (settle.go: settleDelay after the first commit of a
// quiet spell, under the lock, with what the index holds), since a
// synced database transaction per message cost as much as the append's
// own fsyncs. A mark outliving its commit only makes ResolvePending sync
// the mailbox from its index. A batch request
// fails as a whole (MULTIAPPEND): its files are removed and its UIDs reused.
//
// cyrus.cache is not fsync'd: it is derivable. After a crash a cache record
// may be missing or torn; its CRC and UID check detect it and the entry is
// rebuilt from the message file (View.Cached, ForEachCached), and
// Reconstruct rewrites the cache.
//
// Flag changes (Store) give each changed record a new modseq and are made
// durable as one cyrus.indexlog entry, encoded straight from the changed
// records, under the exclusive lock: one write and one fdatasync of the log (and, when the Store created the log, of
// the directory) before Store returns. A reader's index header is the
// file's as the log moves it (highest modseq, generation, change time of
// the last entry), so change detection, CONDSTORE and QRESYNC see exactly
// what an index write would show; a reader decoding the index applies the
// log's changes to it. The log applies only while the index header is
// byte for byte its base: every other writer (Append, Expunge, keyword or
// modseq bumps, quota sync) first folds it — the records the log spans
// written into the index and fdatasync'd, then the log's last header
// written and fdatasync'd (the commit point: from then on the log's base
// no longer matches and it is ignored), then the log emptied. A crash
// before the header leaves index records that may already hold the log's
// states (decoded against the log's highest modseq) and a log that still
// applies; after it, a stale log the next Store starts afresh. A Store
// that would grow the log past its bound folds it first; one too large
// for any log, and one spanning at most inPlaceSpan records while nothing
// is logged (the same pages, and an fdatasync that grows no file), is
// written into the index as Expunge's are. An entry cut
// short at the end of the log is an interrupted, unacknowledged append:
// readers ignore it and the next Store folds before appending. Damage
// inside the log is ErrCorrupt; Reconstruct keeps the entries before it.
//
// Expunge rewrites records in place under the exclusive lock and
// fdatasyncs the index. Each changed record gets a new modseq. Expunge marks
// records as tombstones (UID + modseq kept for
// QRESYNC and ChangesSince) and unlinks the files after the index commit
// (still under the lock; the commit sets the header's unlink-pending flag
// and the writer clears it once the files are gone, so the next writer
// finishes the removals of one that died in between: unlink.go),
// or, under delayed expunge (Options.KeepExpunged), keeps them for
// Unexpunge until PurgeExpunged marks the tombstones unlinked and removes
// them (retained.go).
//
// A crash at any point leaves a state Reconstruct repairs without losing
// an acknowledged message: a file without a record is adopted under the
// UID of its name; a record without its file becomes a tombstone; the file
// of a tombstone marked unlinked is deleted (a kept one stays); a torn index (the header and the records
// of the last batch are written by one fdatasync) is rebuilt keeping every
// record whose checksum holds, with the flag changes of a log that applies
// to it; the rebuilt index replaces the log, which is removed (a log
// applying to no index is debris, removed too).
//
// Import (import.go, for cyr_import) writes a whole mailbox from another
// server's state — every UID, modseq, flag, keyword and date kept — in
// Create's order: message files copied and fsync'd, cache and index, the
// directory fsync'd, cyrus.header last. A directory without a header is
// an interrupted import, cleared and redone; one with the same header is
// left alone (ErrExists), so a rerun changes nothing.
//
// UIDVALIDITY is never chosen here: Create takes it in its Header and
// Reconstruct asks ReconstructOptions.NewUIDValidity when the index header
// (and with it uidnext) is lost, both from the server-wide counter
// (pkg/mboxlist), since the clock repeats itself within a second.
package mailbox
