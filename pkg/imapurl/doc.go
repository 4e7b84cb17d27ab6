// Package imapurl parses IMAP URLs (RFC 5092) with the URLAUTH parts of
// RFC 4467 (";EXPIRE=", ";URLAUTH=access:mech:token"), as CATENATE
// (RFC 4469), GENURLAUTH and URLFETCH name messages and parts.
//
// # Invariants
//
//   - Parse never panics and allocates in proportion to its input, which
//     it refuses above MaxLen bytes.
//   - Every %-escape is decoded once; the decoded text must be valid UTF-8
//     without NUL or other control characters, else the URL is refused.
//   - Mailbox is the decoded UTF-8 name as the URL spells it; converting it
//     to the server's modified UTF-7 (RFC 3501 §5.1.3) is the caller's job.
//   - Rump is the URL's text exactly as given, up to and including the
//     access identifier: RFC 4467 §7 computes the verifier over those
//     bytes, so it is never re-encoded.
//
// Only what IMAP needs is accepted: a message (";UID=") with an optional
// section and partial, or a mailbox reference; a search ("?query") is
// kept undecoded. Relative URLs are those of RFC 4469 §5: an absolute
// path "/mailbox;UIDVALIDITY=n/;UID=u" (the session's server) or a
// message-only reference ";UID=u..." or "/;UID=u..." (the selected
// mailbox).
package imapurl
