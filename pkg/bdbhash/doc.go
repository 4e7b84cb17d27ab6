// Package bdbhash reads, and only reads, a Berkeley DB hash database file:
// the format Cyrus SASL's saslpasswd2 writes /etc/sasldb2 in (Debian builds
// libsasl2 on Berkeley DB; `file` says "Berkeley DB (Hash, version 9)").
// It exists so a site's users can be carried over (saslpasswd -i); nothing
// here writes the format.
//
// # Format (Berkeley DB 4.x-5.x, hash versions 8 and 9)
//
// The file is an array of pages of one size. Page 0 is the hash meta page:
// the generic 72-byte DBMETA (magic 0x061561 at offset 12, version at 16,
// page size at 20, page type 8 at 25, last page number at 32), then
// max_bucket at 72 and spares[32] at 96. Bucket b lives on page
// b + spares[log2(b+1)] (log2 rounded up), and its overflow pages follow
// the page header's next_pgno.
//
// Every other page starts with a 26-byte header: LSN (8), pgno (4),
// prev_pgno (4), next_pgno (4), entries (2), hf_offset (2), level (1),
// type (1). A hash page (type 13, or 2 in old files) is followed by
// entries 2-byte offsets of items, key and data alternating, packed from
// the end of the page down: item i runs from its offset to the offset of
// item i-1 (the page end for item 0). An item's first byte is its kind:
// 1 the bytes follow inline; 3 they are on an overflow chain (3 unused
// bytes, the first overflow page number and the total length, 4 bytes
// each); duplicates (2, 4) are reported as an error, sasldb has none.
// An overflow page (type 7) carries hf_offset bytes after its header and
// names the next page in next_pgno.
//
// The byte order is the writer's: the magic number read big-endian means
// every integer is.
//
// # Hostile files
//
// Every offset and length is checked against the page and the file, a
// page is visited at most once per walk (a loop in next_pgno chains is an
// error, never a hang), an item's total length is bounded by the file
// size, and the file itself by MaxFileSize, so memory stays bounded by the
// input. Checksummed or encrypted databases are refused by name.
package bdbhash
