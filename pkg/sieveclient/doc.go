// Package sieveclient is the ManageSieve (RFC 5804) client behind
// sieveshell and installsieve: connect and read the capabilities,
// authenticate with SCRAM-SHA-256, SCRAM-SHA-1 (the server's
// signature checked) or PLAIN (no STARTTLS: Cyrus's clients never start
// TLS), and LISTSCRIPTS, PUTSCRIPT, GETSCRIPT, DELETESCRIPT, SETACTIVE,
// LOGOUT.
//
// A refusal (NO or BYE) is a *ServerError holding the server's text; the
// script commands wrap it with the prefix Cyrus's client library
// (isieve) puts before it ("put script: ", "Setting script active: ",
// "Deleting script: "), so the programs print what Cyrus's print.
//
// Bounds (the server is not trusted): a response line is at most MaxLine
// bytes, a literal at most Options.MaxLiteral (a larger one ends the
// session without reading it), the data lines of one response at most
// maxResponseLines; every exchange is bounded by Options.Timeout. After
// an I/O or protocol error the Client is unusable (every later call
// returns ErrBroken).
package sieveclient
