// Package cyrusdb is gocyrus's database layer: a small transactional
// key-value store with versions (badger, in <configdir>/db) shared by
// every process of a server through the db service on the unix socket
// <configdir>/socket/db. It is the only package that imports badger.
//
// # Online and offline
//
// Badger allows one process per directory (an exclusive flock; read-only
// opens take a shared one). The db service (OpenServer, run by master)
// holds the lock and serves the store; Open returns a client of it when
// the socket answers ("online"), else opens badger directly ("offline"),
// else — lock held, nobody answering — fails with a message saying so.
// Both behave identically except that offline Publish reaches only the
// same process. Recover (ctl_cyrusdb -r) runs offline only.
//
// # Invariants
//
//   - A Txn is atomic and serialisable across all processes: it runs as
//     one badger update transaction in the process holding badger; its
//     conditions are checked inside that transaction. Badger's optimistic
//     conflict check covers point reads, so ordinary Txns run concurrently
//     (sharing fsyncs) and are retried internally on badger's conflict; a
//     Txn containing DeletePrefix reads a range and runs exclusively.
//   - A version is badger's commit timestamp of the key (item.Version());
//     it grows with every write. Version 0 never names an existing key.
//   - Expired keys (Put with TTL, whole-second granularity) are absent for
//     Get, Scan and Cond.
//   - Counter vectors (Add) are stored as 8-byte big-endian int64s.
//   - Writes are synced (SyncWrites) before a Txn returns.
//   - badger runs without a block or index cache: reads take blocks in
//     place from the tables' memory maps (no compression, no encryption),
//     so reads cost no copy and no cache bookkeeping (badgerOptions).
//   - A Txn is limited by badger's batch size, 15% of the 4 MiB memtable
//     (values above the 64 KiB ValueThreshold count only as pointers);
//     beyond it the Txn fails with ErrTxnTooLarge and changes nothing.
//   - A Txn that was in flight when the connection broke returns
//     ErrOutcomeUnknown; Get, Scan (resuming after the last delivered
//     key), Publish and Checkpoint redial once. Subscriptions are
//     re-registered on a new connection and woken once, since events may
//     have been missed.
//   - Every kind of record starts with a prefix from keys.go, the one
//     table of them (docs/ARCHITECTURE.md §2.1): the other packages build
//     their keys from those constants, the bytes never change, and no
//     prefix starts another except the pairs KeyOverlaps documents.
//
// # Wire protocol
//
// After connecting, the client sends a Hello frame with the payload
// "gocyrus-db/1" and the server answers OK with the same payload. Then
// both sides exchange frames:
//
//	uint32 N (big endian; 9 <= N <= MaxFrameSize = 64 MiB)
//	byte   kind
//	uint64 id (big endian)
//	[N-9]  payload
//
// A client picks a fresh id per request; replies carry the request's id,
// so one connection carries concurrent requests from many goroutines.
// Payload fields use uvarint/varint integers; "bytes" is a uvarint length
// then the bytes. Requests and their replies:
//
//	Get(2)        key (the whole payload)    -> OK: uvarint version, value (rest)
//	Scan(3)       bytes prefix, byte hasAfter, bytes after
//	                                         -> Chunk*, End (resumes strictly after "after")
//	Txn(4)        uvarint #conds, {bytes key, uvarint version, byte exists}*,
//	              uvarint #ops, op*          -> OK (empty)
//	Publish(5)    topic                      -> OK
//	Subscribe(6)  topic                      -> OK, then Event(68) per wake-up
//	              (a topic ending in "*" is woken by every topic with that prefix)
//	Unsubscribe(7) (id of the Subscribe)     -> no reply
//	Backup(8)     empty                      -> Chunk* (badger backup bytes), End
//	Checkpoint(9) backup directory           -> OK
//	Ack(10)       (id of a stream)           -> no reply
//	Cancel(11)    (id of a request)          -> no reply; the request stops
//
// Ops: Put(1) bytes key, bytes value, varint ttl-ns; Delete(2) bytes key;
// DeletePrefix(3) bytes prefix; Add(4) bytes key, uvarint n, varint
// delta*n, uvarint m, varint limit*m, byte checkBefore.
//
// A Scan chunk (64) is a sequence of records {bytes key, bytes value,
// uvarint version} filling the payload, about 64 KiB each. Streams are
// flow-controlled: the server sends at most 4 unacknowledged chunks; the
// client acks each chunk when its consumer takes it, so a slow consumer
// never stalls other requests on the connection.
//
// An error reply Err(65) is a code byte — 1 other, 2 not found,
// 3 conflict, 4 limit, 5 read-only, 6 closed, 7 too large, 8 invalid,
// 9 outcome unknown — followed by bytes message, or for a limit by bytes
// key, uvarint index, varint current, varint delta, varint limit. A
// malformed frame or an unexpected kind drops the connection.
//
// A server bug (a panic) while serving a request fails that request only,
// with an error reply (code 9 for a Txn, which may have been applied); in
// a connection's reader it drops that connection only. Either way it is
// logged with its stack and the service goes on serving everyone else.
//
// The socket is mode 0600 (created under a temporary name, chmod-ed,
// then renamed into place) in a directory created 0700; a world-writable
// directory without the sticky bit is refused. A leftover socket is
// removed only when nothing answers on it.
package cyrusdb
