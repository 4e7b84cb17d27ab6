package auth

import "errors"

// Errors, to be tested with errors.Is. They carry no secrets; the wrapped
// detail (a userid, a mechanism, a daemon's reason) is for logs, not for
// clients.
var (
	// ErrAuthFailed: wrong password, unknown user, bad proof or a login
	// name that cannot be a userid. IMAP [AUTHENTICATIONFAILED].
	ErrAuthFailed = errors.New("authentication failed")
	// ErrNotAuthorized: the credentials were good but the requested
	// authorization identity is not allowed. IMAP [AUTHORIZATIONFAILED].
	ErrNotAuthorized = errors.New("not authorized to act as the requested user")
	// ErrAnonymousRefused: login as anonymous without allowanonymouslogin.
	ErrAnonymousRefused = errors.New("anonymous login is not permitted")
	// ErrTLSRequired: plaintext authentication without TLS and without
	// allowplaintext, or any authentication before TLS with tls_required.
	// IMAP [PRIVACYREQUIRED]; POP3 "only available under a layer".
	ErrTLSRequired = errors.New("authentication only available under a layer")
	// ErrMechanismUnavailable: the mechanism is unknown, not configured, or
	// not offered on this connection.
	ErrMechanismUnavailable = errors.New("authentication mechanism not available")
	// ErrMalformed: the client's message breaks the mechanism's syntax or
	// arrives when none is expected.
	ErrMalformed = errors.New("malformed authentication message")
	// ErrUnavailable: the password backend (sasldb, saslauthd) could not
	// answer. IMAP [UNAVAILABLE].
	ErrUnavailable = errors.New("authentication service unavailable")
)
