// Package sieveshell is what Cyrus's two ManageSieve client programs do
// (Cyrus's are Perl over its isieve library): sieveshell's command loop
// (list, put, get, delete, activate, deactivate, help, quit, and their
// one- and two-letter forms) and installsieve's one-shot options, with
// their command lines (Perl Getopt::Long: --name=value, --name value,
// -n value, unique prefixes of the long names, options after the
// server), prompts, usage texts and messages, word for word; the protocol
// is pkg/sieveclient.
//
// Invariants: nothing is sent but what a command asks for; a command that
// fails prints Cyrus's "<what> failed: <reason>" and the loop goes on
// with exit status 1 at the end; a password typed at a terminal is read
// with echo off. Differences from Cyrus's programs are listed in
// man/man1/sieveshell.1 and man/man1/installsieve.1 (DIFFERENCES).
package sieveshell
