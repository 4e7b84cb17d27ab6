package auth

import (
	"bytes"
	"context"
	"fmt"
	"unicode/utf8"
)

// Field limits: RFC 4616 allows 255 bytes per identity; passwords are
// held to saslauthd's field limit.
const (
	maxIdentityLen = 255
	maxPasswordLen = saslauthdMaxField
)

// plainMech is PLAIN (RFC 4616): one message "authzid NUL authcid NUL
// password".
type plainMech struct {
	a     *Authenticator
	conn  ConnInfo
	login string
}

func (m *plainMech) claimed() string { return m.login }

func (m *plainMech) step(ctx context.Context, resp []byte) ([]byte, *Result, error) {
	if resp == nil {
		return []byte{}, nil, nil
	}
	authzid, authcid, password, err := parsePlain(resp)
	if err != nil {
		return nil, nil, err
	}
	m.login = authcid
	res, err := m.a.passwordLogin(ctx, m.conn, MechPlain, authzid, authcid, password)
	return nil, res, err
}

// parsePlain splits a PLAIN message. The password is not checked for
// UTF-8: legacy clients send other charsets and the backend decides.
func parsePlain(msg []byte) (authzid, authcid, password string, err error) {
	parts := bytes.Split(msg, []byte{0})
	if len(parts) != 3 {
		return "", "", "", fmt.Errorf("%w: PLAIN needs authzid, authcid and password separated by NUL", ErrMalformed)
	}
	if err := checkIdentity("authorization identity", parts[0], true); err != nil {
		return "", "", "", err
	}
	if err := checkIdentity("authentication identity", parts[1], false); err != nil {
		return "", "", "", err
	}
	if err := checkPassword(parts[2]); err != nil {
		return "", "", "", err
	}
	return string(parts[0]), string(parts[1]), string(parts[2]), nil
}

// checkIdentity checks an identity field of a client message.
func checkIdentity(what string, b []byte, mayBeEmpty bool) error {
	switch {
	case len(b) == 0 && !mayBeEmpty:
		return fmt.Errorf("%w: empty %s", ErrMalformed, what)
	case len(b) > maxIdentityLen:
		return fmt.Errorf("%w: %s longer than %d bytes", ErrMalformed, what, maxIdentityLen)
	case !utf8.Valid(b):
		return fmt.Errorf("%w: %s is not UTF-8", ErrMalformed, what)
	case bytes.IndexByte(b, 0) >= 0:
		return fmt.Errorf("%w: %s contains NUL", ErrMalformed, what)
	}
	return nil
}

// checkPassword checks a password field without revealing it.
func checkPassword(b []byte) error {
	switch {
	case len(b) == 0:
		return fmt.Errorf("%w: empty password", ErrMalformed)
	case len(b) > maxPasswordLen:
		return fmt.Errorf("%w: password longer than %d bytes", ErrMalformed, maxPasswordLen)
	case bytes.IndexByte(b, 0) >= 0:
		return fmt.Errorf("%w: password contains NUL", ErrMalformed)
	}
	return nil
}

// passwordLogin completes PLAIN and LOGIN: check authcid's password, then
// whether it may act as authzid ("" = itself).
func (a *Authenticator) passwordLogin(ctx context.Context, conn ConnInfo, mech, authzid, authcid, password string) (*Result, error) {
	userid, err := a.canon.userid(authcid, conn.Domain)
	if err != nil {
		return nil, err
	}
	if userid == AnonymousUser {
		return nil, fmt.Errorf("%w: anonymous has no password (use ANONYMOUS)", ErrAuthFailed)
	}
	res, err := a.verifyPassword(ctx, mech, userid, password)
	if err != nil {
		return nil, err
	}
	z, err := a.authorizeLogin(conn, userid, authzid)
	if err != nil {
		return nil, err
	}
	res = a.resultFor(mech, z, userid)
	return &res, nil
}
