// Package msgheader is the one implementation of the message header rules
// every other package uses: splitting a header block into fields, unfolding
// (RFC 5322 §2.2.3), decoding RFC 2047 encoded words, and parsing address
// lists (RFC 5322 §3.4 with the obsolete forms of §4.4: groups, route
// addresses, phrases with dots, empty list elements).
//
// Invariants:
//   - Nothing here fails or panics on input: malformed text is kept as it
//     is (an encoded word that does not decode stays raw; an address that
//     does not parse becomes whatever parts could be read). Work is linear
//     in the input; callers bound the input (a header block is read up to a
//     fixed size).
//   - Unfolding removes every CR and LF and keeps the white space that
//     followed them, then trims white space at both ends: the value a
//     reader of the unfolded field sees. It does not collapse runs of
//     white space.
//   - Decoding uses the charsets github.com/emersion/go-message/charset
//     knows; an encoded word in another charset, or whose text does not
//     decode, stays as written. White space between two adjacent encoded
//     words is dropped (RFC 2047 §6.2).
//   - An address list is returned in the shape of an IMAP ENVELOPE list
//     (RFC 3501 §7.4.2): mailboxes, and for a group a start element
//     (KindGroupStart, Mailbox = the group name as written) and an end element
//     (KindGroupEnd). Display names are decoded; a comment after an
//     addr-spec stands in for a missing display name.
//   - ParseAddressList is tolerant (for headers of stored mail);
//     ParseMailbox and ParseMailboxList are the strict forms for addresses
//     a user or a script gives, and refuse anything the tolerant parser
//     would have had to skip or repair. Both are the same parser.
//   - ContentType is the one rule for a MIME entity's type: the field's
//     type/subtype when it parses, else the default of where the entity
//     stands (text/plain; message/rfc822 for a part of a multipart/digest,
//     RFC 2046 §5.1.5). The store's body structure, FETCH's part walker
//     and SEARCH use it, so they agree on part numbers.
//   - ParseValue is the one reader of MIME structured values (Content-Type,
//     Content-Disposition): comments allowed anywhere, parameters in header
//     order, RFC 2231 continuations joined and extended values decoded to
//     UTF-8; a bad parameter is skipped, not the whole field.
//     TransferEncoding is the one reader of Content-Transfer-Encoding (the
//     token, lower case, comments removed).
//   - ParseDate is the one reader of a Date field (comments removed,
//     obsolete years and zone names of RFC 5322 §4.3): the store's sent
//     date and SEARCH's day check both use it.
//
// The package imports nothing of gocyrus, so any package may use it.
package msgheader
