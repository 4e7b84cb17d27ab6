package imapserver

// OBJECTID (RFC 8474) as Cyrus 3.6 does it: a mailbox's MAILBOXID is its
// uniqueid (kept by RENAME, new after DELETE and CREATE), a message's
// EMAILID is "M" and the first 24 hex digits of its GUID (so COPY and MOVE
// keep it; pkg/imapserver/fetch writes it), and THREADID is NIL: without a
// conversations database there are no threads (RFC 8474 §5.2).

// mailboxIDReply is CREATE's tagged OK: "OK [MAILBOXID (id)] Completed".
func mailboxIDReply(uniqueID string) reply {
	return reply{Code: "MAILBOXID (" + uniqueID + ")"}
}
