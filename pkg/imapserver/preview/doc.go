// Package preview builds the RFC 8970 preview of a message: at most
// MaxChars characters of its first text part, transfer encoding and
// charset undone (UTF-8 out), runs of white space and control characters
// collapsed to one space, leading and trailing space dropped, and, for a
// text/html part, tags, comments and the contents of head, title, style
// and script removed and the common character references decoded.
//
// The first text part is found depth first through multiparts; parts
// marked as attachments and attached messages are skipped. Types are
// decided by msgheader.ContentType, the rule the body structure uses; the
// MIME structure and the decoding are go-message's, as in
// pkg/imapserver/search.
//
// # Bounds
//
// Whatever the message, Of reads at most maxRead bytes of it and looks at
// most at maxScan decoded bytes of the text part, nests at most maxDepth
// multiparts deep, and holds no more than those in memory: a 50 MB message
// or a text part that is one huge line costs the same as a small one.
// Bytes that are not UTF-8 after decoding (an unknown or lying charset)
// become U+FFFD. Of never fails: a message it cannot parse has the preview
// "" (no text), which RFC 8970 §3 allows.
package preview
