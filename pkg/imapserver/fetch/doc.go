// Package fetch renders the data items of one IMAP FETCH response (RFC 3501
// §6.4.5 and §7.4.2, RFC 3516 BINARY, RFC 7162 MODSEQ, RFC 8474 EMAILID and
// THREADID, RFC 8514 SAVEDATE, RFC 8970 PREVIEW) for one message of a
// mailbox view.
//
// # Sources
//
//   - UID, FLAGS, MODSEQ, INTERNALDATE, RFC822.SIZE, SAVEDATE, EMAILID come
//     from the index record and the session; nothing is read.
//   - ENVELOPE, BODY and BODYSTRUCTURE come from the cache entry parsed once
//     at append (mailbox.Cached). BODY[HEADER.FIELDS (...)] on the top-level
//     header is answered from the cached raw header fields when every
//     requested field is one the cache keeps.
//   - Every other body section opens the message file (Message.Open) once
//     per Write, shared by all items of the response. Parts are located by
//     walking MIME boundaries line by line through a small buffer; only the
//     headers of the entities on the path to the part are parsed, and
//     section contents are streamed from the file, never loaded whole.
//   - PREVIEW is built from the message file by pkg/imapserver/preview,
//     which reads a bounded prefix of it (preview.go).
//     The top-level header/body split uses Record.HeaderSize, so BODY[],
//     BODY[HEADER] and BODY[TEXT] read nothing but the bytes they send.
//
// # Part numbering
//
// Part numbers follow RFC 3501 §6.4.5 and agree with the body structure
// the store caches (pkg/mailbox parse.go), because the walker applies the
// same rules: a header ends at the first empty line (or the end of the
// entity); a multipart delimiter is a line that, with trailing blanks
// removed, is "--boundary" or "--boundary--", and the line break before it
// belongs to it; a missing close delimiter ends the last part at the end of
// its parent; a non-multipart message (top level or encapsulated) has the
// single part 1, its own body. A part's type when its Content-Type is
// absent or unparsable is msgheader.ContentType's, as in the cache:
// text/plain, but message/rfc822 for a body part of a multipart/digest
// (RFC 2046 §5.1.5), whose HEADER, TEXT and sub-parts are then those of
// the message it holds. Nesting is bounded (maxDepth).
//
// A section that does not exist (a part number out of range, HEADER or
// TEXT of a part that is not message/rfc822) is answered with the empty
// string, as RFC 3501 asks; BINARY.SIZE of one is 0.
//
// # Output
//
// Write first resolves every item that needs the cache or the file, so any
// error (an unreadable file, [UNKNOWN-CTE]) is returned before a byte of
// the items is written; the session then answers NO for the command. Only
// errors of the wire.Writer itself (the connection, or a message file that
// shrank while being sent) can occur mid-response, and those are fatal.
//
// Envelope strings are sent as in the message header: the cache holds
// decoded UTF-8 subjects and display names, which are re-encoded as RFC
// 2047 words when they are not ASCII, so IMAP4rev1 clients never see 8-bit
// bytes. Body-structure types, subtypes, encodings, parameter names and
// dispositions are upper case, as Cyrus sends them.
//
// BINARY decodes base64 and quoted-printable leniently (RFC 2045 says
// decoders should ignore garbage, never fail) in two streaming passes: one
// to count the decoded size, one to send. 7bit, 8bit, binary and an absent
// Content-Transfer-Encoding are sent as they are; any other encoding is an
// error NO [UNKNOWN-CTE]. Content holding a NUL byte is sent as literal8.
package fetch
