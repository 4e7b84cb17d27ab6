// Package managesieve is the server side of ManageSieve (RFC 5804), the
// protocol timsieved speaks to let users upload and activate the Sieve
// scripts lmtpd runs at delivery. Scripts are kept by gocyrus/pkg/sievescripts;
// compiling them is delegated to a [CheckFunc] (pkg/sieve in timsieved).
//
// # Session
//
// The greeting is the capability list, as Cyrus sends it (in this order):
//
//	"IMPLEMENTATION" "Cyrus timsieved <version>"  ; serverinfo min: no version; off: "ManageSieve"
//	"VERSION" "1.0"
//	"SASL" "<mechanisms>"        ; before authentication only
//	"SIEVE" "<extensions>"       ; the compiler's list, restricted by sieve_extensions
//	"STARTTLS"                   ; TLS configured, not active, not authenticated
//	"OWNER" "<userid>"           ; after authentication
//	"NOTIFY" "mailto"            ; when enotify is among the extensions
//	"UNAUTHENTICATE"
//	OK
//
// Commands (case-insensitive): AUTHENTICATE, STARTTLS, CAPABILITY, LOGOUT
// and NOOP in any state; HAVESPACE, PUTSCRIPT, LISTSCRIPTS, SETACTIVE,
// GETSCRIPT, DELETESCRIPT, RENAMESCRIPT, CHECKSCRIPT and UNAUTHENTICATE once
// authenticated. A known command before authentication gets
// NO "Authenticate first"; an unknown one NO "Expected a command. Got
// something else.". Arguments are quoted strings, literals ({n} or {n+},
// no continuation is sent) and numbers; see commandReader for the grammar.
//
// # Replies (docs/CYRUS-BEHAVIOUR.md §10)
//
//	NO "Invalid script name"
//	NO (QUOTA/MAXSIZE) "Script size is too large. Max script size is N bytes"
//	NO (QUOTA/MAXSCRIPTS) "You are only allowed N scripts on this server"
//	NO (NONEXISTENT) "Script does not exist"
//	NO (ACTIVE) "Active script cannot be deleted"
//	NO (ALREADYEXISTS) "Script X already exists."
//	NO "<compiler message>"      ; the script is never stored
//	OK (TAG "t") "Done"          ; NOOP "t"
//	BYE "Shutdown TCP timeout"   ; idle past the timeout option
//
// Strings in replies are quoted when they can be (\" and \\ escaped) and
// literals otherwise. SASL challenges are sent as literals, as Cyrus does.
//
// # Limits
//
// A command line (literals excluded) is at most maxline bytes; a literal at
// most max(sieve_maxscriptsize, 64 KiB) (1 MiB when the size is unlimited),
// beyond which it is read and dropped and the command refused. Replacing a
// script never counts against sieve_maxscripts. Administrators manage the
// global scripts of their domain instead of personal ones, as in Cyrus.
package managesieve
