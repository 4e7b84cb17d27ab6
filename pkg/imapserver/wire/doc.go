// Package wire is the IMAP protocol wire layer of gocyrus's IMAP server: a
// command Reader with typed argument parsers, and a response Writer.
//
// # Reading
//
// A session calls Reader.ReadCommand for the tag and command name, then the
// Parse function for that command (ParseFetch, ParseSearch, ParseAppend,
// ...), or Reader.EOL for commands without arguments. Parse functions
// return plain structs built on go-imap v2's vocabulary types (imap.SeqSet,
// imap.UIDSet, imap.Flag, imap.StatusOptions, ...).
//
// Inside the package the token readers are sticky (lexer.go): the first
// error of a command is kept in the Reader and every later token read does
// nothing, so a parser reads its grammar straight through and returns the
// first error at the end. The exported token readers (SP, AString, ...)
// return each token's error, for handlers outside the package.
//
// Literals (RFC 3501 §4.3, RFC 7888, RFC 3516):
//   - "{n}" (synchronising): the limit is checked first; within it, the
//     Options.Continue callback sends "+ ..." or refuses with an error, in
//     which case the literal is not read and the client does not send it.
//     Over the limit, the Reader returns an *Error (NO [TOOBIG] for APPEND
//     bodies, BAD for string arguments) and the stream stays in step.
//   - "{n+}" (LITERAL+): the bytes are already on the way. Within the limits
//     they are read. Over the limit (or over 4096 under LITERAL-) the error
//     is Fatal and the connection must be closed: reading and discarding an
//     arbitrary amount the client insists on sending would let any client
//     tie up the server, and RFC 7888 allows closing.
//   - "~{n}" (literal8) only where the grammar allows it: APPEND bodies and
//     SETMETADATA values.
//
// Memory is bounded per command: at most Options.MaxLineLength bytes of
// command text (literals excluded) and Options.MaxStringBuffer bytes of
// literal string arguments; no buffer is allocated for a literal before
// its size passed the limit check. APPEND bodies are never buffered: they
// are streamed through AppendMessage.Body up to Options.MaxLiteralSize.
//
// Errors: every complaint about the input is an *Error whose Msg fits in a
// BAD response; Fatal says the connection must be closed. After a
// non-fatal error the next ReadCommand skips the rest of the failed command
// (reading and dropping LITERAL+ data, stopping at a synchronising literal,
// whose client waits for a continuation that never comes). Any other error
// is an I/O error (or the Continue callback's own) and the Reader stays
// failed. No input makes the package panic.
//
// # Writing
//
// Writer buffers and sends nothing until Flush, which the session calls
// once per command, so each response leaves whole. Its buffer comes from a
// shared pool with the response's first byte and goes back at Flush, so an
// idle connection holds none; a response past 64 KiB is sent on in 64 KiB
// pieces as it is built. Reader keeps a 4 KiB read buffer. String values
// pick their encoding: atom where an astring allows it, quoted when the
// text has no CR, LF, NUL or 8-bit bytes and is at most 1 KiB, a literal
// otherwise. Message bodies are streamed with Writer.Literal from an
// io.Reader of known size. Envelope and BodyStructure mirror RFC 3501's
// structures so the store's cached data maps straight onto them.
//
// # Stream layers
//
// Reader.Wrap and Writer.Wrap interpose a layer under the parser and the
// encoder between commands: TLS after STARTTLS, DEFLATE after COMPRESS
// (RFC 4978), whose framing is at stream level. For COMPRESS, Inflater
// decodes the client's raw DEFLATE itself (compress/flate's reader holds
// decoded bytes back until a stored block, so a client that flushes with
// Z_PARTIAL_FLUSH, as mbsync does, would hang) and returns what it has at
// every block end; Deflater borrows a pooled compressor per response and
// returns it at the response's sync flush, so idle connections hold none.
package wire
