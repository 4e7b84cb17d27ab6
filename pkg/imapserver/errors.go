package imapserver

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"

	"gocyrus/pkg/acl"
	"gocyrus/pkg/auth"
	"gocyrus/pkg/imapserver/wire"
	"gocyrus/pkg/mailbox"
	"gocyrus/pkg/mboxname"
	"gocyrus/pkg/store"
)

// userError is a refusal the client caused or may act on: it is answered
// "NO [Code] Msg" and the session goes on.
type userError struct {
	Code string // response code without brackets; "" for none
	Msg  string
}

func (e *userError) Error() string { return e.Msg }

func no(msg string) error           { return &userError{Msg: msg} }
func noCode(code, msg string) error { return &userError{Code: code, Msg: msg} }
func bad(msg string) error          { return &wire.Error{Msg: msg} }

// The refusals Cyrus words the same way everywhere.
var (
	errPermission    = &userError{Msg: "Permission denied"}
	errNoMailbox     = &userError{Msg: "Mailbox does not exist"}
	errNotSupported  = &userError{Msg: "Operation is not supported on mailbox"}
	errLoginDisabled = &userError{Code: "PRIVACYREQUIRED", Msg: "Login only available under a layer"}
)

// errMessageTooLarge refuses a message over maxmessagesize (APPENDLIMIT,
// RFC 7889), announced or as stored.
var errMessageTooLarge = &userError{Code: "TOOBIG", Msg: wire.MessageTooBig}

// Texts of the generic server failure; the detail goes to the log only.
const serverErrorText = "Server error; please try again later"

// errorKind is how a command's failure is answered (docs/HACKING.md "Errors": four kinds,
// mapped in one place).
type errorKind int

const (
	kindUser   errorKind = iota // NO with a response code
	kindSyntax                  // BAD
	kindIO                      // the connection is gone: close
	kindServer                  // logged; the client gets a generic NO
)

// classify maps any error a command returned to the response the client
// gets. Errors of the layers below (store, list, quota, ACL) that the
// client can cause become user errors here and nowhere else.
func classify(err error) (errorKind, *userError) {
	var ue *userError
	var we *wire.Error
	switch {
	case errors.As(err, &ue):
		return kindUser, ue
	case errors.As(err, &we):
		if we.No {
			return kindUser, &userError{Code: we.Code, Msg: we.Msg}
		}
		return kindSyntax, &userError{Code: we.Code, Msg: we.Msg}
	case isIOError(err):
		return kindIO, nil
	case errors.Is(err, mailbox.ErrOverQuota), errors.Is(err, store.ErrOverQuota):
		return kindUser, &userError{Code: "OVERQUOTA", Msg: "Over quota"}
	case errors.Is(err, mailbox.ErrTooLarge):
		return kindUser, errMessageTooLarge
	case errors.Is(err, mailbox.ErrNUL):
		return kindUser, &userError{Msg: "Message contains NUL characters"}
	case errors.Is(err, mailbox.ErrNotStorable):
		return kindUser, &userError{Msg: err.Error()}
	case errors.Is(err, mailbox.ErrEmpty):
		return kindUser, &userError{Msg: "Zero-length message literal"}
	case errors.Is(err, store.ErrNotFound), errors.Is(err, mailbox.ErrNotFound):
		return kindUser, &userError{Msg: "Mailbox does not exist"}
	case errors.Is(err, store.ErrExists), errors.Is(err, mailbox.ErrExists):
		return kindUser, &userError{Msg: "Mailbox already exists"}
	case errors.Is(err, store.ErrChanged):
		return kindUser, &userError{Code: "INUSE", Msg: err.Error()}
	case errors.Is(err, mboxname.ErrInvalidName), errors.Is(err, mboxname.ErrNamespaceRoot),
		errors.Is(err, mboxname.ErrNoInbox), errors.Is(err, mboxname.ErrOtherDomain),
		errors.Is(err, mboxname.ErrInvalidUTF7):
		return kindUser, &userError{Msg: "Invalid mailbox name"}
	case errors.Is(err, acl.ErrInvalidRights), errors.Is(err, acl.ErrInvalidACL):
		return kindUser, &userError{Msg: "Invalid rights"}
	case errors.Is(err, store.ErrUnknownPartition):
		return kindUser, &userError{Msg: "Unknown/invalid partition"}
	case errors.Is(err, store.ErrUnknownResource):
		return kindUser, &userError{Msg: "Unsupported quota resource"}
	case errors.Is(err, store.ErrNoQuotaRoot):
		return kindUser, &userError{Msg: "Quota root does not exist"}
	case errors.Is(err, mailbox.ErrTooManyKeywords):
		return kindUser, &userError{Code: "LIMIT", Msg: "Too many user flags in mailbox"}
	case errors.Is(err, auth.ErrAuthFailed), errors.Is(err, auth.ErrNotAuthorized),
		errors.Is(err, auth.ErrAnonymousRefused), errors.Is(err, auth.ErrMalformed):
		return kindUser, &userError{Code: "AUTHENTICATIONFAILED", Msg: "Login failed: authentication failure"}
	case errors.Is(err, auth.ErrTLSRequired):
		return kindUser, errLoginDisabled
	case errors.Is(err, auth.ErrMechanismUnavailable):
		return kindUser, &userError{Msg: "Authentication mechanism not available"}
	case errors.Is(err, auth.ErrUnavailable):
		return kindUser, &userError{Code: "UNAVAILABLE", Msg: "Authentication service unavailable"}
	case errors.Is(err, mailbox.ErrCorrupt):
		return kindServer, &userError{Code: "CORRUPTION", Msg: "Mailbox is damaged; the administrator has been told"}
	}
	return kindServer, &userError{Code: "SERVERBUG", Msg: serverErrorText}
}

// errConn wraps a failure of the client connection (see connErr).
var errConn = errors.New("client connection failed")

// connErr marks err as a failure of the client connection, so that it
// closes the session rather than being answered.
func connErr(err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("%w: %w", errConn, err)
}

// isIOError reports a failure of the connection itself.
func isIOError(err error) bool {
	return errors.Is(err, errConn) || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, net.ErrClosed) || errors.Is(err, os.ErrDeadlineExceeded) ||
		errors.Is(err, context.Canceled)
}
