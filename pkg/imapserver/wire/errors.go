package wire

import "fmt"

// Error is every error the Reader reports about the client's input. Its
// Msg is written for a human and is safe to send as the text of a BAD (or NO)
// response.
//
// How the session answers:
//   - Fatal: the stream cannot be resynchronised (for example a
//     non-synchronising literal over the limit is on its way). Send
//     "* BYE <Msg>" and close the connection.
//   - otherwise: reply "<tag> BAD <Msg>" — or "<tag> NO [<Code>] <Msg>" when
//     No is set — and call ReadCommand again; the Reader skips the rest of
//     the failed command itself.
type Error struct {
	Msg   string
	Code  string // response code without brackets, e.g. "TOOBIG"; "" for none
	No    bool   // answer NO rather than BAD (a refused limit, not bad syntax)
	Fatal bool   // the connection must be closed
}

func (e *Error) Error() string { return e.Msg }

// MessageTooBig is Cyrus's text for a message over maxmessagesize, sent
// as "NO [TOOBIG] Message size exceeds fixed limit" by the Reader (an
// announced literal) and by the session (a message measured while read).
const MessageTooBig = "Message size exceeds fixed limit"

// syntaxErr builds a recoverable BAD error.
func syntaxErr(format string, args ...any) *Error {
	return &Error{Msg: fmt.Sprintf(format, args...)}
}

// fatalErr builds an error after which the stream cannot be trusted.
func fatalErr(format string, args ...any) *Error {
	return &Error{Msg: fmt.Sprintf(format, args...), Fatal: true}
}
