// Package cyradm is the Cyrus administration shell: a small IMAP client
// that speaks Cyrus's admin extensions, the command table of Cyrus's
// cyradm (Perl Cyrus::IMAP::Shell) and the sh-like command-line parser.
//
// Invariants and formats:
//   - A command line is split into commands at unquoted ';'. Words follow
//     sh quoting: '...' is literal, "..." expands $VAR and \-escapes, a bare
//     \ escapes the next character. Redirections '>', '>>', 'N>', 'N>>',
//     'N>&M', 'N>&-' and '<' apply to one command only.
//   - Options follow Cyrus: '--long' spelled out, Tcl-style '-l' may be any
//     prefix of the name (at least one letter); '--' ends options; the first
//     non-option word ends options too.
//   - Output formats are Cyrus's: "id rights" lines for listacl (with a
//     pattern, "name:" then indented lines), " RES used/limit (pct%)" for
//     quotas, column-major padded columns for listmailbox, "%-11s: %s" for
//     version. Server errors go to the command's stderr, usually as
//     "command: server text".
//   - The IMAP client sends one command at a time and waits for its tagged
//     answer; literals use LITERAL+ when the server offers it. It never
//     panics on a malformed response: a parse error closes the connection.
//   - Rights shortcuts (none, read, post, append, write, delete, all) are
//     expanded client-side as Cyrus 3.6's cyradm does, by acl.ExpandShortcut
//     (docs/CYRUS-BEHAVIOUR.md §3.2).
//   - The server's TLS certificate is checked in one place (trustFor): to a
//     loopback peer it is accepted unverified, as Cyrus's cyradm accepts
//     any; elsewhere, or when CAs are named, it is verified, and a failure
//     is a *CertificateError saying to use --cafile or --notls.
package cyradm
