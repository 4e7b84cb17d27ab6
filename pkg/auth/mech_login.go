package auth

import (
	"context"
	"fmt"
)

// The LOGIN mechanism's challenges (draft-murchison-sasl-login).
var (
	loginUsernameChallenge = []byte("Username:")
	loginPasswordChallenge = []byte("Password:")
)

// loginMech is LOGIN: the server asks "Username:" then "Password:". An
// initial response is the username, as clients send it.
type loginMech struct {
	a        *Authenticator
	conn     ConnInfo
	username string
	haveUser bool
}

func (m *loginMech) claimed() string { return m.username }

func (m *loginMech) step(ctx context.Context, resp []byte) ([]byte, *Result, error) {
	switch {
	case resp == nil: // no initial response
		return loginUsernameChallenge, nil, nil
	case !m.haveUser:
		user, err := parseLoginUsername(resp)
		if err != nil {
			return nil, nil, err
		}
		m.username, m.haveUser = user, true
		return loginPasswordChallenge, nil, nil
	default:
		password, err := parseLoginPassword(resp)
		if err != nil {
			return nil, nil, err
		}
		res, err := m.a.passwordLogin(ctx, m.conn, MechLogin, "", m.username, password)
		return nil, res, err
	}
}

// parseLoginUsername checks LOGIN's username message.
func parseLoginUsername(b []byte) (string, error) {
	if err := checkIdentity("username", b, false); err != nil {
		return "", err
	}
	return string(b), nil
}

// parseLoginPassword checks LOGIN's password message.
func parseLoginPassword(b []byte) (string, error) {
	if err := checkPassword(b); err != nil {
		return "", fmt.Errorf("LOGIN: %w", err)
	}
	return string(b), nil
}
