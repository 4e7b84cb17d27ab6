// Package mbox reads Berkeley mbox files as UW-IMAP, mutt and procmail
// write them, one message at a time: the caller streams each message's
// bytes, so a file of any size is read in bounded memory (a header block
// is held up to MaxHeader bytes, a line never).
//
// Format rules (the mboxrd reading of RFC 4155):
//   - A message starts at a "From " line at the start of the file or after
//     an empty line, whose date parses (asctime form, an optional numeric
//     or named zone before or after the year). Any other "From " line is
//     message text, so a body an unquoting writer left alone stays whole.
//   - The empty line before the next separator is the separator's, not the
//     message's; a last message keeps its text up to the end of the file,
//     with or without a final newline.
//   - ">From ", ">>From " ... lose one '>' (the quoting writers add).
//   - UW's internal header fields (Status, X-Status, X-Keywords, X-UID,
//     X-IMAP, X-IMAPbase, Content-Length) become Message fields and are
//     removed from the message text, as UW never showed them to clients.
//   - A first message carrying X-IMAP is UW's pseudo-message ("DON'T DELETE
//     THIS MESSAGE -- FOLDER INTERNAL DATA"): it is not a message; its
//     UIDVALIDITY, last UID and keywords are the Folder's. X-IMAPbase in a
//     first real message says the same.
//
// Line ends are kept as written (LF or CRLF); the caller converts.
package mbox
