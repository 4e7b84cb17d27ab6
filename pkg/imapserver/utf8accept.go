package imapserver

import (
	"strings"
	"unicode/utf8"

	"gocyrus/pkg/imapserver/wire"
)

// UTF8=ACCEPT (RFC 6855) for a session that sent "ENABLE UTF8=ACCEPT".
//   - Mailbox names are UTF-8 both ways, by the one conversion rule of
//     IMAP4rev2 (rev2.go: clientName, externalName, clientPattern), so
//     LIST, LSUB, STATUS, NOTIFY and ESEARCH names follow; a name, LIST
//     reference or pattern that is not UTF-8 is BAD (errNameNotUTF8Syntax)
//     before anything is looked up or created.
//   - APPEND, REPLACE and CATENATE accept "UTF8 (~{n}...)" (RFC 6855 §4;
//     wire.AppendParser.AcceptUTF8): the literal8 is stored as a literal8
//     APPEND is, its 8-bit header unchanged. Without the enable the form
//     is BAD.
//   - SEARCH with a CHARSET is BAD, and SORT and THREAD name UTF-8 or
//     US-ASCII only (RFC 6855 §3 with erratum 4029): the client's strings
//     are UTF-8 whatever it labels them (refuseCharset).
//   - Quoted strings may carry UTF-8 (the reader always allowed 8-bit
//     bytes in a quoted string); messages are returned as stored, 8-bit
//     header included.

// errNameNotUTF8Syntax refuses, as BAD, a mailbox name that is not UTF-8
// from a session that promised UTF-8 (RFC 6855 §3).
var errNameNotUTF8Syntax = &wire.Error{Msg: "Mailbox name is not valid UTF-8"}

// utf8Names reports a session that names mailboxes in UTF-8 on the wire.
func (s *session) utf8Names() bool { return s.enabled.rev2 || s.enabled.utf8 }

// checkUTF8Name is BAD for a name that is not UTF-8 in a UTF8=ACCEPT
// session (elsewhere such a name is NO "Invalid mailbox name").
func (s *session) checkUTF8Name(name string) error {
	if s.enabled.utf8 && !utf8.ValidString(name) {
		return errNameNotUTF8Syntax
	}
	return nil
}

// refuseCharset applies RFC 6855 §3 (erratum 4029) once UTF8=ACCEPT is
// enabled: an optional CHARSET (SEARCH) is BAD, and a mandatory one
// (SORT, THREAD) must be UTF-8 (US-ASCII, its subset, also passes).
func (s *session) refuseCharset(charset string, mandatory bool) error {
	if !s.enabled.utf8 {
		return nil
	}
	switch {
	case !mandatory && charset != "":
		return bad("CHARSET not allowed after ENABLE UTF8=ACCEPT")
	case mandatory && !strings.EqualFold(charset, "UTF-8") && !strings.EqualFold(charset, "US-ASCII"):
		return bad("Only UTF-8 is allowed after ENABLE UTF8=ACCEPT")
	}
	return nil
}
